"""The live-session registry of this instance, as the admin's Sessions page sees it."""

from __future__ import annotations

import hashlib
import time

from dynamic_mcp.adapters.mcp.listeners import ListenerRegistry
from dynamic_mcp.adapters.mcp.sessions import SessionRegistry
from dynamic_mcp.domain.live_sessions import LiveSessionView
from dynamic_mcp.ports.live_sessions import LiveSessionDirectory

ID_PREFIX = 6


def handle_of(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()[:24]


class RegistrySessionDirectory(LiveSessionDirectory):
    def __init__(self, registry: SessionRegistry, listeners: ListenerRegistry, instance: str) -> None:
        self._registry = registry
        self._listeners = listeners
        self._instance = instance

    def listeners(self) -> dict[str, int]:
        # listening() names users with at least one listener; streams_of counts their open streams
        return {email: max(self._listeners.streams_of(email), 1) for email in sorted(self._listeners.listening())}

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
