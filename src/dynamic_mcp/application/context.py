"""Facts about the request being served (request id, caller, tool, session prefix), for log lines
and audit entries. The doors set them; anything below may read them. A contextvar, so concurrent
requests never see each other's values."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import attrs

REQUEST_ID_SCOPE_KEY = "dynamic_mcp.request_id"
"""Where the HTTP layer leaves the request id in the ASGI scope, for doors that run elsewhere."""

TRACE_SCOPE_KEY = "dynamic_mcp.trace"
"""Where the HTTP layer leaves its request span's context (W3C fields) in the ASGI scope: MCP
handlers of a session run in that session's own task, which context variables do not reach."""

SESSION_PREFIX_LENGTH = 8
"""Session ids authenticate on their own: only this many characters ever reach a log or audit."""


@attrs.frozen
class RequestContext:
    request_id: str | None = None
    user_email: str | None = None
    tool: str | None = None
    session: str | None = None
    """A prefix of the MCP session id, never the whole id."""
    door: str | None = None
    """mcp, rest, cli or console."""


EMPTY = RequestContext()
CURRENT: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("dynamic_mcp_request", default=EMPTY)


def current() -> RequestContext:
    return CURRENT.get()


def session_prefix(session_id: str | None) -> str | None:
    return session_id[:SESSION_PREFIX_LENGTH] if session_id else None


@contextlib.contextmanager
def bound(**changes: str | None) -> Iterator[RequestContext]:
    """The current context with ``changes`` for the duration of the block."""
    context = attrs.evolve(CURRENT.get(), **changes)
    token = CURRENT.set(context)
    try:
        yield context
    finally:
        CURRENT.reset(token)


def enrich(**changes: str | None) -> None:
    """Add to the current request's context until the request ends (its outermost layer resets it)."""
    CURRENT.set(attrs.evolve(CURRENT.get(), **changes))
