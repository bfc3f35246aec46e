"""MCP session records in process memory (one instance: memory mode)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import attrs

from dynamic_mcp.domain.mcp_sessions import StoredSession
from dynamic_mcp.ports.mcp_sessions import SessionRepository


class InMemorySessionRepository(SessionRepository):
    def __init__(self) -> None:
        self._records: dict[str, StoredSession] = {}
        self._watchers: set[asyncio.Queue[str]] = set()

    async def add(self, session: StoredSession) -> None:
        self._records[session.key] = session

    async def get(self, key: str, now: datetime) -> StoredSession | None:
        session = self._records.get(key)
        if session is None or not session.expired(now):
            return session
        await self.remove(key)
        return None

    async def touch(self, key: str, now: datetime, expires_at: datetime | None, instance: str | None = None) -> None:
        session = self._records.get(key)
        if session is not None:
            self._records[key] = attrs.evolve(
                session, last_used_at=now, expires_at=expires_at, instance=instance or session.instance
            )

    async def remove(self, key: str) -> bool:
        if self._records.pop(key, None) is None:
            return False
        for queue in self._watchers:
            queue.put_nowait(key)
        return True

    async def remove_for(self, email: str) -> int:
        keys = [k for k, s in self._records.items() if s.email == email]
        for key in keys:
            await self.remove(key)
        return len(keys)

    async def of_user(self, email: str, now: datetime) -> list[StoredSession]:
        mine = [s for s in self._records.values() if s.email == email and not s.expired(now)]
        return sorted(mine, key=lambda s: (s.created_at, s.key))

    async def live(self, now: datetime, limit: int) -> list[StoredSession]:
        found = sorted((s for s in self._records.values() if not s.expired(now)), key=lambda s: (s.email, s.created_at))
        return found[:limit]

    async def removals(self) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._watchers.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._watchers.discard(queue)
