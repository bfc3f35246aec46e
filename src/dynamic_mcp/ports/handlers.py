"""What a handler package looks like to the core (docs/tools.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import attrs

from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.server import HandlerServer


class ProgressReporter(Protocol):
    async def __call__(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        """Send a progress notification to the calling session; a no-op without a progress token."""
        ...


@attrs.frozen
class ToolContext:
    """Handed to every tool handler call (docs/tools.md). Never carries an API key (docs/compatibility.md)."""

    session_id: str | None
    user: User
    tool_name: str
    tool: Tool
    server: HandlerServer | None = None


@attrs.frozen
class ForwardedResult:
    """A whole MCP tool result in wire form (``content``, ``structuredContent``, ``isError``), sent
    to the caller as it is: what a handler returns when it relays another server's answer."""

    result: Mapping[str, Any]


ToolHandler = Callable[
    [dict[str, Any], ToolContext, Mapping[str, Any], ProgressReporter], Awaitable[Mapping[str, Any] | ForwardedResult]
]
"""``(args, context, config, progress) -> {result, message?, nextSteps?}`` or a ForwardedResult."""


@attrs.frozen
class PromptContext:
    """Handed to a package's prompt handler (docs/access.md)."""

    session_id: str | None
    user: User
    prompt_name: str
    server: HandlerServer | None = None


PromptHandler = Callable[[dict[str, Any], PromptContext, Mapping[str, Any]], Awaitable[Mapping[str, Any]]]
"""``(arguments, context, config) -> {description?, messages: [...]}``."""


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
