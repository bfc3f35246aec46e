"""/audit and /me/audit: the audit trail, newest first, one page at a time (docs/operations.md)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Annotated, Any, TypedDict

import attrs
from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter

from dynamic_mcp.adapters.http.rest.params import Caller
from dynamic_mcp.adapters.http.rest.problems import problem_responses
from dynamic_mcp.application.audit import AuditQueries
from dynamic_mcp.domain.audit import MAX_QUERY_LIMIT, AuditEntry, AuditPage, AuditQuery

Audit = NamedDependency[AuditQueries]
Filters = NamedDependency[AuditQuery]
User = Annotated[str | None, QueryParameter(description="Only this user's entries (email)")]
Tool = Annotated[str | None, QueryParameter(description="Only this action: a tool's namespaced id or a REST operation")]
Outcome = Annotated[str | None, QueryParameter(description="ok, error, denied, invalid or rate_limited", max_length=32)]
# ISO 8601 text only (Litestar's datetime parsing would also take bare numbers as timestamps).
ISO_MOMENT = (
    r"^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-](0\d|1[0-4]):[0-5]\d)?)?$"
)
Since = Annotated[
    str | None, QueryParameter(description="Entries at or after this time (ISO 8601)", pattern=ISO_MOMENT)
]
Until = Annotated[
    str | None, QueryParameter(description="Entries at or before this time (ISO 8601)", pattern=ISO_MOMENT)
]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_QUERY_LIMIT, description="Page size")]
Cursor = Annotated[
    str | None, QueryParameter(description="nextCursor of the previous page", max_length=64, pattern=r"^[0-9a-f-]+$")
]


class AuditEntryOut(TypedDict, total=False):
    id: str
    time: str
    user: str | None
    door: str
    action: str
    outcome: str
    durationMs: float
    requestId: str | None
    session: str | None
    instance: str | None
    arguments: Any


class AuditPageOut(TypedDict):
    entries: list[AuditEntryOut]
    nextCursor: str | None


def moment(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 time as aware UTC (a time without an offset is taken as UTC)."""
    if value is None:
        return None
    text = value.replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        # The pattern allows day 31 in every month: a day past the month's end means its last day.
        year, month = int(text[:4]), int(text[5:7])
        last = calendar.monthrange(year, month)[1]
        try:
            parsed = datetime.fromisoformat(f"{text[:8]}{last:02d}{text[10:]}")
        except ValueError:
            raise ValidationException(detail=f"{name} must be an ISO 8601 time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def entry_out(entry: AuditEntry) -> AuditEntryOut:
    out: AuditEntryOut = {
        "id": entry.id,
        "time": entry.time.isoformat().replace("+00:00", "Z"),
        "user": entry.user,
        "door": entry.door,
        "action": entry.action,
        "outcome": entry.outcome,
        "durationMs": entry.duration_ms,
        "requestId": entry.request_id,
        "session": entry.session,
        "instance": entry.instance,
    }
    if entry.arguments is not None:
        out["arguments"] = entry.arguments
    return out


def page_out(page: AuditPage) -> AuditPageOut:
    return {"entries": [entry_out(e) for e in page.entries], "nextCursor": page.next_cursor}


def audit_filters(
    tool: Tool = None,
    outcome: Outcome = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> AuditQuery:
    """The filters both audit endpoints take, as one dependency (time bounds parsed here)."""
    return AuditQuery(None, tool, outcome, moment(since, "since"), moment(until, "until"), limit, cursor)


FILTERS = {"filters": Provide(audit_filters, sync_to_thread=False)}


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]

    @get("/", summary="The audit log (admins)", responses=problem_responses(403, 422), dependencies=FILTERS)
    async def list_entries(self, audit: Audit, caller: Caller, filters: Filters, user: User = None) -> AuditPageOut:
        """Tool calls, management actions and authentication failures, newest first. Pass
        ``nextCursor`` as ``cursor`` for the next page."""
        return page_out(await audit.entries(caller, attrs.evolve(filters, user=user)))


class MyAuditController(Controller):
    path = "/me/audit"
    tags = ["audit"]

    @get("/", summary="The caller's own audit entries", responses=problem_responses(422), dependencies=FILTERS)
    async def my_entries(self, audit: Audit, caller: Caller, filters: Filters) -> AuditPageOut:
        """Your own tool calls and actions, newest first."""
        return page_out(await audit.my_entries(caller, filters))
