"""Audit entries and the rule that keeps secrets out of them (docs/operations.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

REDACTED = "[redacted]"
ARGUMENT_MODES = ("none", "keys", "full")
MAX_QUERY_LIMIT = 500


@attrs.frozen
class AuditEntry:
    id: str
    """Sorts like ``time`` (then insertion): the pagination cursor."""
    time: datetime
    user: str | None
    door: str
    """mcp, rest, cli or console."""
    action: str
    """A tool's namespaced id, a REST operation (``POST /api/v1/users``) or ``authenticate``."""
    outcome: str
    duration_ms: float
    request_id: str | None = None
    session: str | None = None
    """At most a prefix of the session id."""
    instance: str | None = None
    arguments: Any = None
    """Absent by default; argument names or redacted values when the operator asks for them."""


@attrs.frozen
class AuditQuery:
    user: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    cursor: str | None = None
    """Entries strictly older than the entry with this id."""


@attrs.frozen
class AuditPage:
    entries: tuple[AuditEntry, ...]
    next_cursor: str | None


def matches(entry: AuditEntry, query: AuditQuery) -> bool:
    return (
        (query.user is None or entry.user == query.user)
        and (query.action is None or entry.action == query.action)
        and (query.outcome is None or entry.outcome == query.outcome)
        and (query.since is None or entry.time >= query.since)
        and (query.until is None or entry.time <= query.until)
        and (query.cursor is None or entry.id < query.cursor)
    )


# What a key or token looks like: UUIDs (our API keys), long runs of hex or base64url, JWTs,
# bearer values and the prefixes of common vendors' tokens.
_SECRET_SHAPES = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
    r"|\b[0-9a-fA-F]{24,}\b"
    r"|\beyJ[\w-]+\.[\w-]+\.[\w-]+"
    r"|(?i:bearer|basic|token)\s+\S+"
    r"|\b(?:sk|pk|rk|ghp|gho|ghs|github_pat|xox[abpr]|glpat|AKIA|ASIA)[-_]?[\w-]{10,}"
    r"|[A-Za-z0-9+/_-]{32,}={0,2}"
)
_SECRET_NAMES = re.compile(r"(?i)(api[-_]?key|token|secret|password|passwd|authorization|credential|cookie)")


def looks_secret(text: str) -> bool:
    return _SECRET_SHAPES.search(text) is not None


def redact(value: Any, name: str | None = None) -> Any:
    """``value`` with every string that looks like a key or token (or sits under a secret-sounding
    name) replaced by ``[redacted]``; numbers, booleans and structure are kept."""
    if isinstance(value, str):
        return REDACTED if (name is not None and _SECRET_NAMES.search(name)) or looks_secret(value) else value
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, name) for v in value]
    if name is not None and _SECRET_NAMES.search(name) and value is not None and not isinstance(value, bool):
        return REDACTED
    return value


def recorded_arguments(arguments: Mapping[str, Any] | None, mode: str) -> Any:
    """What AUDIT_ARGUMENTS keeps of a call's arguments: nothing, their names, or redacted values."""
    if mode == "none" or arguments is None:
        return None
    if mode == "keys":
        return sorted(str(k) for k in arguments)
    return redact(arguments)


def outcome_of_status(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "denied"
    if status in (400, 404, 405, 409, 413, 415, 422):
        return "invalid"
    if status == 429:
        return "rate_limited"
    return "error"
