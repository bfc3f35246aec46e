"""Where handshake-era MCP sessions are stored (``domain/mcp_sessions.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from dynamic_mcp.domain.mcp_sessions import StoredSession

RECHECK = ""
"""Yielded by ``removals`` after a gap (the feed was down): any removal may have been missed."""


class SessionRepository(Protocol):
    async def add(self, session: StoredSession) -> None: ...

    async def get(self, key: str, now: datetime) -> StoredSession | None:
        """None when unknown, closed, or expired at ``now`` (whatever the store's own sweeper did)."""
        ...

    async def touch(self, key: str, now: datetime, expires_at: datetime | None, instance: str | None = None) -> None:
        """Record a use (by ``instance``, when given): the session's idle timer restarts."""
        ...

    async def remove(self, key: str) -> bool: ...

    async def remove_for(self, email: str) -> int:
        """Close every session of a user; how many there were."""
        ...

    async def of_user(self, email: str, now: datetime) -> list[StoredSession]:
        """The user's live sessions, oldest first."""
        ...

    async def live(self, now: datetime, limit: int) -> list[StoredSession]:
        """Every user's live sessions, by user then age, at most ``limit`` of them."""
        ...

    def removals(self) -> AsyncIterator[str]:
        """The keys of removed records, from every writer (expiry included where the store can
        say so), for as long as the caller iterates; resumes by itself after an outage and then
        yields ``RECHECK``."""
        ...
