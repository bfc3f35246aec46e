"""``dynamic-mcp audit``: the audit log from a shell, newest first (docs/operations.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from dynamic_mcp.cli_support.commands import backend, target_options
from dynamic_mcp.cli_support.output import emit_json, emit_table
from dynamic_mcp.domain.audit import MAX_QUERY_LIMIT, AuditQuery

COLUMNS = [
    ("time", "TIME"),
    ("user", "USER"),
    ("door", "DOOR"),
    ("action", "ACTION"),
    ("outcome", "OUTCOME"),
    ("durationMs", "MS"),
    ("requestId", "REQUEST"),
]


@click.command("audit")
@click.option("--user", default=None, help="Only this user's entries (email).")
@click.option("--tool", default=None, help="Only this action: a tool's namespaced id or a REST operation.")
@click.option("--outcome", type=click.Choice(["ok", "error", "denied", "invalid", "rate_limited"]), default=None)
@click.option("--since", type=click.DateTime(), default=None, help="At or after this time (UTC).")
@click.option("--until", type=click.DateTime(), default=None, help="At or before this time (UTC).")
@click.option("--limit", type=click.IntRange(1, MAX_QUERY_LIMIT), default=50, show_default=True)
@click.option("--cursor", default=None, help="The cursor printed under the previous page.")
@target_options
def audit(
    user: str | None,
    tool: str | None,
    outcome: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cursor: str | None,
    url: str | None,
    api_key: str | None,
    as_json: bool,
) -> None:
    """Show the audit log (admins): tool calls, management actions, authentication failures."""
    query = AuditQuery(user, tool, outcome, _utc(since), _utc(until), limit, cursor)
    with backend(url, api_key) as b:
        page = b.audit(query)
    if as_json:
        return emit_json(page)
    footer = f"next page: --cursor {page['nextCursor']}" if page.get("nextCursor") else ""
    emit_table(page["entries"], COLUMNS, footer)


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
