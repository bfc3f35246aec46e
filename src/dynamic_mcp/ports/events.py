"""The change bus (SPEC §8): use cases publish, the MCP session registry (and caches) subscribe."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from dynamic_mcp.domain.events import ChangeEvent

EventListener = Callable[[ChangeEvent], Awaitable[None]]


class EventPublisher(Protocol):
    async def publish(self, event: ChangeEvent) -> None:
        """Deliver to every listener; a failing listener is logged, never raised (§8.5)."""
        ...


class EventSubscriber(Protocol):
    def subscribe(self, listener: EventListener) -> None: ...
