"""This instance's heartbeat in the shared directory, so the Health page of any instance lists
every live one (its id, version, start time and last heartbeat)."""

from __future__ import annotations

import asyncio
import logging

from dynamic_mcp.application.background import cancel_and_wait
from dynamic_mcp.domain.instances import InstanceRecord, lease
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.instances import InstanceDirectory

log = logging.getLogger(__name__)


class InstancePresence:
    def __init__(
        self, directory: InstanceDirectory, clock: Clock, *, instance: str, version: str, interval_seconds: float
    ) -> None:
        self._directory = directory
        self._clock = clock
        self.instance = instance
        self._version = version
        self._interval = interval_seconds
        self._started_at = clock.now()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is not None:
            return
        self._started_at = self._clock.now()
        await self._beat_once()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="instance-heartbeat")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)
        try:
            await self._directory.leave(self.instance)
        except Exception:
            log.warning("instance record not removed at shutdown (its lease will run out)", exc_info=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self._beat_once()

    async def _beat_once(self) -> None:
        now = self._clock.now()
        record = InstanceRecord(self.instance, self._version, self._started_at, now, lease(now, self._interval))
        try:
            await self._directory.beat(record)
        except Exception:
            # A store outage must not stop the server; the next beat tries again.
            log.warning("instance heartbeat not written", exc_info=True)
