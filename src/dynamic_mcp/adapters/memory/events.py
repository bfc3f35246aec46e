"""In-process change bus."""

from __future__ import annotations

import logging

from dynamic_mcp.domain.events import ChangeEvent
from dynamic_mcp.ports.events import EventListener, EventPublisher, EventSubscriber

log = logging.getLogger(__name__)


class InMemoryEventBus(EventPublisher, EventSubscriber):
    def __init__(self) -> None:
        self._listeners: list[EventListener] = []

    def subscribe(self, listener: EventListener) -> None:
        self._listeners.append(listener)

    async def publish(self, event: ChangeEvent) -> None:
        for listener in list(self._listeners):
            try:
                await listener(event)
            except Exception:
                # a failed delivery never fails the change that triggered it.
                log.exception("change listener failed", extra={"event": type(event).__name__})
