"""Console sign-ins in process memory (one instance, or tests)."""

from __future__ import annotations

from datetime import datetime

from dynamic_mcp.domain.console_sessions import ConsoleSession
from dynamic_mcp.ports.console_sessions import ConsoleSessionStore

MAX_SESSIONS = 10_000


class InMemoryConsoleSessionStore(ConsoleSessionStore):
    def __init__(self) -> None:
        self._sessions: dict[str, ConsoleSession] = {}

    async def add(self, session: ConsoleSession) -> None:
        if len(self._sessions) >= MAX_SESSIONS:
            # Bounded: drop the expired ones first, then the oldest sign-ins.
            now = session.created_at
            self._sessions = {k: s for k, s in self._sessions.items() if not s.expired(now)}
            while len(self._sessions) >= MAX_SESSIONS:
                del self._sessions[next(iter(self._sessions))]
        self._sessions[session.id_hash] = session

    async def get(self, id_hash: str, now: datetime) -> ConsoleSession | None:
        session = self._sessions.get(id_hash)
        if session is not None and session.expired(now):
            del self._sessions[id_hash]
            return None
        return session

    async def delete(self, id_hash: str) -> bool:
        return self._sessions.pop(id_hash, None) is not None

    async def delete_for(self, email: str) -> int:
        ids = [k for k, s in self._sessions.items() if s.email == email]
        for k in ids:
            del self._sessions[k]
        return len(ids)
