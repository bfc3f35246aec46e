"""Live MCP sessions as the transport knows them, for the admin's Sessions page."""

from __future__ import annotations

from typing import Protocol

from dynamic_mcp.domain.live_sessions import LiveSessionView


class LiveSessionDirectory(Protocol):
    def live_sessions(self) -> list[LiveSessionView]: ...

    def listeners(self) -> dict[str, int]:
        """Open 2026-era listen streams on this instance, by user email."""
        ...

    async def close(self, handle: str) -> bool:
        """End the session named by ``handle``; False when there is none."""
        ...


class StorageProbe(Protocol):
    async def check(self) -> None:
        """Return when the store answers in time; raise StorageUnavailable otherwise."""
        ...
