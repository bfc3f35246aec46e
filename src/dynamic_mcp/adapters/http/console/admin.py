"""Admin pages about the running server: live MCP sessions, health, and the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.response import Redirect, Template

from dynamic_mcp.adapters.http.console.forms import form_of, text
from dynamic_mcp.adapters.http.console.render import page
from dynamic_mcp.adapters.http.console.services import Svc, current_of
from dynamic_mcp.adapters.http.console.session import CONSOLE_PATH
from dynamic_mcp.domain.audit import AuditQuery
from dynamic_mcp.domain.errors import Invalid


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def _since(now: datetime, then: datetime) -> str:
    return _duration(max(0.0, (now - then).total_seconds()))


@get("/sessions")
async def sessions(request: Request[Any, Any, Any], svc: Svc) -> Template:
    report = await svc.operations.live(current_of(request.state).user)
    by_user: dict[str, dict[str, list[Any]]] = {}
    for session in report.sessions:
        by_user.setdefault(session.email, {"sessions": [], "listeners": []})["sessions"].append(session)
    for listener in report.listeners:
        by_user.setdefault(listener.email, {"sessions": [], "listeners": []})["listeners"].append(listener)
    per_instance = {i.id: {"sessions": 0, "listeners": 0} for i in report.instances}
    for session in report.sessions:
        per_instance.setdefault(session.instance or "unknown", {"sessions": 0, "listeners": 0})["sessions"] += 1
    for listener in report.listeners:
        per_instance.setdefault(listener.instance, {"sessions": 0, "listeners": 0})["listeners"] += 1
    return page(
        request,
        "sessions.html",
        "Sessions",
        section="/sessions",
        by_user=dict(sorted(by_user.items())),
        per_instance=per_instance,
        here=svc.operations.instance,
        now=report.now,
        since=_since,
    )


@post("/sessions/close", status_code=303)
async def close_session(request: Request[Any, Any, Any], svc: Svc) -> Redirect:
    handle = text(await form_of(request), "handle")
    await svc.operations.close_session(current_of(request.state).user, handle)
    return Redirect(f"{CONSOLE_PATH}/sessions?done=session-closed", status_code=303)


@post("/listeners/close", status_code=303)
async def close_listener(request: Request[Any, Any, Any], svc: Svc) -> Redirect:
    handle = text(await form_of(request), "handle")
    await svc.operations.close_listener(current_of(request.state).user, handle)
    return Redirect(f"{CONSOLE_PATH}/sessions?done=listener-closed", status_code=303)


@get("/health")
async def health(request: Request[Any, Any, Any], svc: Svc) -> Template:
    report = await svc.operations.health(current_of(request.state).user)
    return page(request, "health.html", "Health", section="/health", report=report, since=_since)


AUDIT_FILTERS = ("user", "tool", "outcome", "since", "until")
OUTCOMES = ("ok", "error", "denied", "invalid", "rate_limited")
PAGE_SIZE = 50
CURSOR = re.compile(r"[0-9a-f-]{1,64}")


def _moment(value: str, label: str) -> datetime | None:
    """An ISO 8601 time as aware UTC; a time without an offset is taken as UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{label} must be an ISO 8601 time, such as 2026-12-01T09:30Z") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _limit(value: str) -> int:
    if not value:
        return PAGE_SIZE
    if not value.isdigit() or len(value) > 6:
        raise Invalid("limit must be a whole number")
    return int(value)  # the use case checks the range


@get("/audit")
async def audit(request: Request[Any, Any, Any], svc: Svc) -> Template:
    params = request.query_params
    filters = {name: (params.get(name) or "").strip()[:200] for name in AUDIT_FILTERS}
    cursor = params.get("cursor") or None
    if cursor is not None and not CURSOR.fullmatch(cursor):
        raise Invalid("That page link is not valid; start again from the first page")
    query = AuditQuery(
        user=filters["user"] or None,
        action=filters["tool"] or None,
        outcome=filters["outcome"] or None,
        since=_moment(filters["since"], "Since"),
        until=_moment(filters["until"], "Until"),
        limit=_limit(params.get("limit") or ""),
        cursor=cursor,
    )
    # The use case refuses anyone but an admin.
    result = await svc.audit.entries(current_of(request.state).user, query)
    kept = {name: value for name, value in filters.items() if value}
    if params.get("limit"):
        kept["limit"] = str(query.limit)
    next_link = (
        f"{CONSOLE_PATH}/audit?{urlencode({**kept, 'cursor': result.next_cursor})}" if result.next_cursor else None
    )
    return page(
        request,
        "audit.html",
        "Audit",
        section="/audit",
        entries=result.entries,
        filters=filters,
        outcomes=OUTCOMES,
        next_link=next_link,
        first_link=f"{CONSOLE_PATH}/audit?{urlencode(kept)}" if cursor else None,
    )


HANDLERS = [sessions, close_session, close_listener, health, audit]
