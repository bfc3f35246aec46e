"""Audit entries in a bounded ring: the newest ``capacity`` entries, nothing on disk."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from dynamic_mcp.domain.audit import AuditEntry, AuditPage, AuditQuery, matches
from dynamic_mcp.ports.audit import AuditStore


class InMemoryAuditStore(AuditStore):
    def __init__(self, capacity: int = 10_000) -> None:
        self._entries: deque[AuditEntry] = deque(maxlen=capacity)

    async def prepare(self) -> None:
        return None

    async def append(self, entries: Sequence[AuditEntry]) -> None:
        self._entries.extend(entries)

    async def query(self, query: AuditQuery) -> AuditPage:
        found: list[AuditEntry] = []
        for entry in sorted(self._entries, key=lambda e: e.id, reverse=True):
            if matches(entry, query):
                found.append(entry)
                if len(found) > query.limit:
                    break
        more = len(found) > query.limit
        page = tuple(found[: query.limit])
        return AuditPage(page, page[-1].id if more and page else None)
