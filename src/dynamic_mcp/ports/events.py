"""The change bus (docs/protocol.md): use cases publish, the MCP session registry (and caches) subscribe."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from dynamic_mcp.domain.events import ChangeEvent

EventListener = Callable[[ChangeEvent], Awaitable[None]]


class EventPublisher(Protocol):
    async def publish(self, event: ChangeEvent) -> None:
        """Deliver to every listener; a failing listener is logged, never raised (docs/protocol.md)."""
        ...


class EventSubscriber(Protocol):
    def subscribe(self, listener: EventListener) -> None: ...


class Presence(Protocol):
    """Told when a user's live session or listen stream opens and ends on this instance: the
    only users a change can be announced to here."""

    def join(self, email: str) -> None: ...

    def leave(self, email: str) -> None: ...


class NoPresence(Presence):
    def join(self, email: str) -> None:
        return None

    def leave(self, email: str) -> None:
        return None
