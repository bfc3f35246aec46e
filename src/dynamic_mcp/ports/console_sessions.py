"""Where console sign-ins are kept, so any instance behind a load balancer can serve them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from dynamic_mcp.domain.console_sessions import ConsoleSession


class ConsoleSessionStore(Protocol):
    async def add(self, session: ConsoleSession) -> None: ...

    async def get(self, id_hash: str, now: datetime) -> ConsoleSession | None:
        """The session unless unknown or expired at ``now`` (an expired one is forgotten)."""
        ...

    async def delete(self, id_hash: str) -> bool:
        """Forget one session; False when it was not there."""
        ...

    async def delete_for(self, email: str) -> int:
        """Forget every session of a user; how many there were."""
        ...
