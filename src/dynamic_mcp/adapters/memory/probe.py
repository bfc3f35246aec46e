"""Memory mode has no store to lose."""

from __future__ import annotations

from dynamic_mcp.ports.live_sessions import StorageProbe


class MemoryStorageProbe(StorageProbe):
    async def check(self) -> None:
        return None
