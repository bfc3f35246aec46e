"""Admin views of the running server: live MCP sessions (close one) and health."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamic_mcp.application.users import require_admin
from dynamic_mcp.domain.errors import NotFound, StorageUnavailable
from dynamic_mcp.domain.live_sessions import LiveSessionView
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.live_sessions import LiveSessionDirectory, StorageProbe


class OperationsService:
    def __init__(
        self, directory: LiveSessionDirectory, storage: StorageProbe, storage_mode: str, facts: Mapping[str, str]
    ) -> None:
        self._directory = directory
        self._storage = storage
        self._storage_mode = storage_mode
        self._facts = dict(facts)

    @property
    def instance(self) -> str:
        return str(self._facts.get("instance", ""))

    async def live_sessions(self, caller: User) -> list[LiveSessionView]:
        require_admin(caller, "Only admins can see live sessions")
        return sorted(self._directory.live_sessions(), key=lambda s: (s.email, s.age_seconds))

    async def listeners(self, caller: User) -> dict[str, int]:
        require_admin(caller, "Only admins can see live sessions")
        return self._directory.listeners()

    async def close_session(self, caller: User, handle: str) -> None:
        require_admin(caller, "Only admins can close sessions")
        if not handle or not await self._directory.close(handle):
            raise NotFound("That session is no longer open")

    async def health(self, caller: User) -> dict[str, Any]:
        require_admin(caller, "Only admins can see the server's health")
        try:
            await self._storage.check()
            storage = {"mode": self._storage_mode, "status": "ok", "detail": None}
        except StorageUnavailable as exc:
            storage = {"mode": self._storage_mode, "status": "unavailable", "detail": exc.message}
        return {"storage": storage, "sessions": len(self._directory.live_sessions()), **self._facts}
