"""What a handler package looks like to the core (docs/tools.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal, Protocol

import attrs

from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.server import HandlerServer


class ProgressReporter(Protocol):
    async def __call__(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        """Send a progress notification to the calling session; a no-op without a progress token."""
        ...


LogLevel = Literal["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]
LOG_LEVELS: tuple[str, ...] = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")


class ClientChannel(Protocol):
    """The way back to the MCP client that made the call; the transport provides one per call."""

    async def log(self, level: str, message: str, data: Any = None) -> None: ...

    async def elicit(self, message: str, schema: Mapping[str, Any]) -> Mapping[str, Any]: ...

    async def elicit_url(self, message: str, url: str) -> Mapping[str, Any]: ...

    async def sample(self, messages: Sequence[Mapping[str, Any]], options: Mapping[str, Any]) -> Mapping[str, Any]: ...


class InputRequired(BaseException):
    """Raised by a 2026-era channel when the client must answer first: the call ends with the
    requests and the answers so far; the client's retry runs the handler again from the start
    with those answers. A BaseException, so a handler's ``except Exception`` does not swallow it."""

    def __init__(self, requests: Mapping[str, Any], answers: Mapping[str, Any]) -> None:
        super().__init__("input required")
        self.requests = dict(requests)
        self.answers = dict(answers)


NO_CLIENT = "This call has no MCP client to ask (it came through REST, the CLI or the console)"


@attrs.frozen
class ToolContext:
    """Handed to every tool handler call (docs/tools.md). Never carries an API key (docs/compatibility.md)."""

    session_id: str | None
    user: User
    tool_name: str
    tool: Tool
    server: HandlerServer | None = None
    channel: ClientChannel | None = None

    async def log(self, level: str, message: str, data: Any = None) -> None:
        """notifications/message to the calling client (docs/tools.md); nothing without a client."""
        if level not in LOG_LEVELS:
            raise Invalid(f"Unknown log level '{level}'; use one of {', '.join(LOG_LEVELS)}")
        if self.channel is not None:
            await self.channel.log(level, message, data)

    async def elicit(self, message: str, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """Ask the user for values (form mode): ``{"action": "accept"|"decline"|"cancel", "content"?}``."""
        return await self._require().elicit(message, schema)

    async def elicit_url(self, message: str, url: str) -> Mapping[str, Any]:
        """Send the user to ``url`` (URL mode): ``{"action": ...}``."""
        return await self._require().elicit_url(message, url)

    async def sample(
        self, messages: Sequence[Mapping[str, Any]] | str, *, max_tokens: int = 1000, **options: Any
    ) -> Mapping[str, Any]:
        """Ask the client's model (sampling/createMessage). ``messages`` are MCP sampling messages,
        or one string sent as a single user message; ``options`` are camelCase request fields
        (``systemPrompt``, ``temperature``, ...). Returns the client's result as a dict."""
        if isinstance(messages, str):
            messages = [{"role": "user", "content": {"type": "text", "text": messages}}]
        return await self._require().sample(messages, {"maxTokens": max_tokens, **options})

    def _require(self) -> ClientChannel:
        if self.channel is None:
            raise Invalid(NO_CLIENT)
        return self.channel


ToolHandler = Callable[[dict[str, Any], ToolContext, Mapping[str, Any], ProgressReporter], Awaitable[Mapping[str, Any]]]
"""``(args, context, config, progress) -> {result, message?, nextSteps?}`` or a rich result
(``{content?, structuredContent?, isError?, _meta?}``, docs/tools.md)."""


@attrs.frozen
class PromptContext:
    """Handed to a package's prompt handler (docs/access.md)."""

    session_id: str | None
    user: User
    prompt_name: str
    server: HandlerServer | None = None


PromptHandler = Callable[[dict[str, Any], PromptContext, Mapping[str, Any]], Awaitable[Mapping[str, Any]]]
"""``(arguments, context, config) -> {description?, messages: [...]}``."""


CompletionHandler = Callable[[str, str, dict[str, str], PromptContext, Mapping[str, Any]], Awaitable[Sequence[str]]]
"""``(argument, partial_value, other_arguments, context, config) -> values`` for a package's prompts."""


@attrs.frozen
class ResourceContext:
    """Handed to a package's resource handler (docs/resources.md)."""

    session_id: str | None
    user: User
    uri: str
    resource: Resource
    server: HandlerServer | None = None


ResourceHandler = Callable[[str, dict[str, str], ResourceContext, Mapping[str, Any]], Awaitable[Mapping[str, Any]]]
"""``(uri, variables, context, config) -> {text | blob, mimeType?}`` or ``{contents: [{uri?, text | blob,
mimeType?}, ...]}``; ``variables`` are a template's values (empty for a plain resource)."""
