"""Admin pages about the running server: live MCP sessions, health, and the audit log's place."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from dynamic_mcp.adapters.http.console.forms import form_of, text
from dynamic_mcp.adapters.http.console.render import page
from dynamic_mcp.adapters.http.console.services import Svc, current_of
from dynamic_mcp.adapters.http.console.session import CONSOLE_PATH
from dynamic_mcp.application.users import require_admin


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


@get("/sessions")
async def sessions(request: Request[Any, Any, Any], svc: Svc) -> Template:
    live = await svc.operations.live_sessions(current_of(request.state).user)
    by_user: dict[str, list[Any]] = {}
    for session in live:
        by_user.setdefault(session.email, []).append(session)
    listeners = await svc.operations.listeners(current_of(request.state).user)
    return page(
        request,
        "sessions.html",
        "Sessions",
        section="/sessions",
        by_user=by_user,
        listeners=listeners,
        instance=svc.operations.instance,
        duration=_duration,
    )


@post("/sessions/close", status_code=303)
async def close_session(request: Request[Any, Any, Any], svc: Svc) -> Redirect:
    handle = text(await form_of(request), "handle")
    await svc.operations.close_session(current_of(request.state).user, handle)
    return Redirect(f"{CONSOLE_PATH}/sessions?done=session-closed", status_code=303)


@get("/health")
async def health(request: Request[Any, Any, Any], svc: Svc) -> Template:
    report = await svc.operations.health(current_of(request.state).user)
    return page(request, "health.html", "Health", section="/health", report=report)


@get("/audit")
async def audit(request: Request[Any, Any, Any]) -> Template:
    require_admin(current_of(request.state).user, "Only admins can read the audit log")
    return page(request, "audit.html", "Audit", section="/audit")


HANDLERS = [sessions, close_session, health, audit]
