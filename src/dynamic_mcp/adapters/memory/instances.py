"""Instances and listen streams in process memory (memory mode: one instance)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime

import attrs

from dynamic_mcp.domain.instances import InstanceRecord, ListenerRecord
from dynamic_mcp.ports.instances import InstanceDirectory

MAX_LISTENERS = 100_000


class InMemoryInstanceDirectory(InstanceDirectory):
    def __init__(self) -> None:
        self._instances: dict[str, InstanceRecord] = {}
        self._listeners: dict[str, ListenerRecord] = {}
        self._watchers: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)
        self._requested: set[str] = set()

    async def beat(self, instance: InstanceRecord) -> None:
        self._instances[instance.id] = instance
        for key, listener in list(self._listeners.items()):
            if listener.instance == instance.id:
                self._listeners[key] = attrs.evolve(listener, expires_at=instance.expires_at)

    async def instances(self, now: datetime) -> list[InstanceRecord]:
        return sorted((i for i in self._instances.values() if i.live(now)), key=lambda i: (i.started_at, i.id))

    async def leave(self, instance_id: str) -> None:
        self._instances.pop(instance_id, None)
        for key in [k for k, r in self._listeners.items() if r.instance == instance_id]:
            await self.remove_listener(key)

    async def add_listener(self, listener: ListenerRecord) -> None:
        if len(self._listeners) < MAX_LISTENERS:
            self._listeners[listener.key] = listener

    async def remove_listener(self, key: str) -> None:
        self._listeners.pop(key, None)
        self._requested.discard(key)

    async def listeners(self, now: datetime) -> list[ListenerRecord]:
        live = {i.id for i in await self.instances(now)}
        found = (r for r in self._listeners.values() if r.live(now) and r.instance in live)
        return sorted(found, key=lambda r: (r.email, r.opened_at, r.key))

    async def request_close(self, key: str, now: datetime) -> bool:
        listener = self._listeners.get(key)
        if listener is None or not listener.live(now):
            return False
        self._requested.add(key)
        for queue in self._watchers.get(listener.instance, ()):
            queue.put_nowait(key)
        return True

    async def close_requests(self, instance_id: str) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._watchers[instance_id].add(queue)
        try:
            for key in [k for k in self._requested if self._listeners[k].instance == instance_id]:
                yield key
            while True:
                yield await queue.get()
        finally:
            self._watchers[instance_id].discard(queue)
