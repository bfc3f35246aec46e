"""Where audit entries are kept (docs/operations.md). Writers never wait on it: entries reach it
in batches from a buffer (application/audit.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from dynamic_mcp.domain.audit import AuditEntry, AuditPage, AuditQuery


class AuditStore(Protocol):
    async def prepare(self) -> None:
        """Create what the store needs (indexes); called once at start."""
        ...

    async def append(self, entries: Sequence[AuditEntry]) -> None: ...

    async def query(self, query: AuditQuery) -> AuditPage:
        """Matching entries, newest first, at most ``query.limit``; ``next_cursor`` when more exist."""
        ...
