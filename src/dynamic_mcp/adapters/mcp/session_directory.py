"""The live-session registry of this instance, as the admin's Sessions page sees it."""

from __future__ import annotations

import hashlib
import time

from dynamic_mcp.adapters.mcp.sessions import SessionRegistry
from dynamic_mcp.domain.live_sessions import LiveSessionView
from dynamic_mcp.ports.live_sessions import LiveSessionDirectory

ID_PREFIX = 6


def handle_of(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()[:24]


class RegistrySessionDirectory(LiveSessionDirectory):
    def __init__(self, registry: SessionRegistry, instance: str) -> None:
        self._registry = registry
        self._instance = instance

    def live_sessions(self) -> list[LiveSessionView]:
        now = time.monotonic()
        return [
            LiveSessionView(
                handle=handle_of(s.session_id),
                id_prefix=s.session_id[:ID_PREFIX],
                email=s.email,
                client=f"{s.client_name} {s.client_version}",
                instance=self._instance,
                age_seconds=now - s.opened_at,
                idle_seconds=now - s.last_used,
            )
            for s in self._registry.all_sessions()
        ]

    async def close(self, handle: str) -> bool:
        for session in self._registry.all_sessions():
            if handle_of(session.session_id) == handle:
                return await self._registry.close_one(session.session_id)
        return False
