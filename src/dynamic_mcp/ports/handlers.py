"""What a handler package looks like to the core (SPEC §6.1, §6.4)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import attrs

from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.server import HandlerServer


class ProgressReporter(Protocol):
    async def __call__(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        """Send a progress notification to the calling session; a no-op without a progress token."""
        ...


@attrs.frozen
class ToolContext:
    """Handed to every tool handler call (§6.4). Never carries an API key (§10.3.6)."""

    session_id: str | None
    user: User
    tool_name: str
    tool: Tool
    server: HandlerServer | None = None


ToolHandler = Callable[[dict[str, Any], ToolContext, Mapping[str, Any], ProgressReporter], Awaitable[Mapping[str, Any]]]
"""``(args, context, config, progress) -> {result, message?, nextSteps?}``."""


@attrs.frozen
class PromptContext:
    """Handed to a package's prompt handler (SPEC §5.2)."""

    session_id: str | None
    user: User
    prompt_name: str
    server: HandlerServer | None = None


PromptHandler = Callable[[dict[str, Any], PromptContext, Mapping[str, Any]], Awaitable[Mapping[str, Any]]]
"""``(arguments, context, config) -> {description?, messages: [...]}``."""
