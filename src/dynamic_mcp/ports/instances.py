"""Where running instances announce themselves and their listen streams (``domain/instances.py``),
so an admin on any instance sees all of them and can close a stream held by another."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from dynamic_mcp.domain.instances import InstanceRecord, ListenerRecord


class InstanceDirectory(Protocol):
    async def beat(self, instance: InstanceRecord) -> None:
        """Write this instance's heartbeat; its listeners' records live as long as it does."""
        ...

    async def instances(self, now: datetime) -> list[InstanceRecord]:
        """Instances whose heartbeat is current at ``now``, oldest first."""
        ...

    async def leave(self, instance_id: str) -> None:
        """The instance stops: it and its listeners are no longer listed."""
        ...

    async def add_listener(self, listener: ListenerRecord) -> None: ...

    async def remove_listener(self, key: str) -> None: ...

    async def listeners(self, now: datetime) -> list[ListenerRecord]:
        """Listen streams of the instances that are live at ``now``, by user then age."""
        ...

    async def request_close(self, key: str, now: datetime) -> bool:
        """Ask the instance holding listener ``key`` to end it; False when no such live stream."""
        ...

    def close_requests(self, instance_id: str) -> AsyncIterator[str]:
        """Keys of this instance's listeners whose close was requested (from any instance), for as
        long as the caller iterates; after an outage the requests made meanwhile are yielded too."""
        ...
