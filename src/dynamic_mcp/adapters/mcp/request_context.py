"""What every MCP handler reads from the HTTP request that carried its message."""

from __future__ import annotations

from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError

from dynamic_mcp.adapters.mcp.manager import EMAIL_SCOPE_KEY

SESSION_HEADER = "mcp-session-id"


def request_email(ctx: ServerRequestContext[Any, Any]) -> str:
    """The authenticated caller's email, which the gate puts on every request it lets through."""
    request = ctx.request
    email = request.scope.get(EMAIL_SCOPE_KEY) if request is not None else None
    if not email:
        # The gate sets it on every request that reaches a handler; this is a wiring fault.
        raise MCPError(-32001, "No authenticated user for this request")
    return str(email)


def request_session_id(ctx: ServerRequestContext[Any, Any]) -> str | None:
    request = ctx.request
    return request.headers.get(SESSION_HEADER) if request is not None else None
