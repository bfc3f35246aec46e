"""Admin views of the running deployment: live MCP sessions and listen streams of every instance
(close one, wherever it lives) and health (storage, instances, versions)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from dynamic_mcp.application.users import require_admin
from dynamic_mcp.domain.errors import NotFound, StorageUnavailable
from dynamic_mcp.domain.instances import InstanceRecord, ListenerRecord
from dynamic_mcp.domain.mcp_sessions import StoredSession
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.instances import InstanceDirectory
from dynamic_mcp.ports.live_sessions import StorageProbe
from dynamic_mcp.ports.mcp_sessions import SessionRepository

MAX_LISTED = 5_000
SESSION_KEY = re.compile(r"[0-9a-f]{64}")
LISTENER_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


@attrs.frozen
class LiveReport:
    """What is open right now, across every instance on the store."""

    now: datetime
    sessions: tuple[StoredSession, ...]
    listeners: tuple[ListenerRecord, ...]
    instances: tuple[InstanceRecord, ...]


class OperationsService:
    def __init__(
        self,
        sessions: SessionRepository,
        directory: InstanceDirectory,
        storage: StorageProbe,
        storage_mode: str,
        clock: Clock,
        instance: str,
        facts: Mapping[str, str],
    ) -> None:
        self._sessions = sessions
        self._directory = directory
        self._storage = storage
        self._storage_mode = storage_mode
        self._clock = clock
        self.instance = instance
        self._facts = dict(facts)

    async def live(self, caller: User) -> LiveReport:
        require_admin(caller, "Only admins can see live sessions")
        now = self._clock.now()
        return LiveReport(
            now=now,
            sessions=tuple(await self._sessions.live(now, MAX_LISTED)),
            listeners=tuple(await self._directory.listeners(now)),
            instances=tuple(await self._directory.instances(now)),
        )

    async def close_session(self, caller: User, key: str) -> None:
        """Close a handshake-era session on every instance: its record goes, and each instance
        that holds it follows the removal and closes its transport."""
        require_admin(caller, "Only admins can close sessions")
        if not SESSION_KEY.fullmatch(key or "") or not await self._sessions.remove(key):
            raise NotFound("That session is no longer open")

    async def close_listener(self, caller: User, key: str) -> None:
        """Ask the instance holding a listen stream to end it."""
        require_admin(caller, "Only admins can close listen streams")
        if not LISTENER_KEY.fullmatch(key or "") or not await self._directory.request_close(key, self._clock.now()):
            raise NotFound("That listen stream is no longer open")

    async def health(self, caller: User) -> dict[str, Any]:
        require_admin(caller, "Only admins can see the server's health")
        try:
            await self._storage.check()
            storage = {"mode": self._storage_mode, "status": "ok", "detail": None}
        except StorageUnavailable as exc:
            storage = {"mode": self._storage_mode, "status": "unavailable", "detail": exc.message}
        now = self._clock.now()
        try:
            instances: list[InstanceRecord] = await self._directory.instances(now)
            sessions = len(await self._sessions.live(now, MAX_LISTED))
        except StorageUnavailable:
            instances, sessions = [], 0
        return {
            "storage": storage,
            "now": now,
            "instances": instances,
            "sessions": sessions,
            **self._facts,
            "instance": self.instance,
        }
