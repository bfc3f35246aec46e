"""Which writes this process made: the change feed tells them apart from other writers' (ADR 0010).

A command listener on the client records the ``operationTime`` of every acknowledged write to a
followed collection. For a single-document write that is exactly the ``clusterTime`` of its change
event, so the feed can skip this process's own writes without marking documents. A multi-document
write reports only its last entry's time; its earlier entries count as another writer's (an extra
notification, never a missed one).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any

from bson.timestamp import Timestamp
from pymongo import monitoring

WRITE_COMMANDS = frozenset({"insert", "update", "delete", "findAndModify", "findandmodify"})
MAX_ENTRIES = 50_000
KEEP_SECONDS = 120.0
SETTLE_SECONDS = 2.0


class WriteLedger(monitoring.CommandListener):
    def __init__(self, database: str, collections: frozenset[str]) -> None:
        self._database = database
        self._collections = collections
        self._times: OrderedDict[Timestamp, float] = OrderedDict()
        self._in_flight: set[tuple[int, int]] = set()

    def _followed(self, event: monitoring.CommandStartedEvent) -> bool:
        if event.command_name not in WRITE_COMMANDS or event.database_name != self._database:
            return False
        target: Any = event.command.get(event.command_name)
        return isinstance(target, str) and target in self._collections

    @staticmethod
    def _key(event: Any) -> tuple[int, int]:
        return (event.request_id, event.operation_id)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self._followed(event):
            self._in_flight.add(self._key(event))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        key = self._key(event)
        if key not in self._in_flight:
            return
        self._in_flight.discard(key)
        op_time = event.reply.get("operationTime")
        if isinstance(op_time, Timestamp):
            self._record(op_time)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        # A failed write may still have written (a timeout): its change counts as another
        # writer's, which only costs an extra notification.
        self._in_flight.discard(self._key(event))

    def _record(self, op_time: Timestamp) -> None:
        now = time.monotonic()
        self._times[op_time] = now
        while self._times and (len(self._times) > MAX_ENTRIES or next(iter(self._times.values())) < now - KEEP_SECONDS):
            self._times.popitem(last=False)

    async def is_own(self, cluster_time: Timestamp) -> bool:
        """Did this process write the change with this cluster time?

        The change can arrive before the reply to the write that made it; while writes of this
        process are in flight, wait (briefly) for their replies before answering.
        """
        if self._times.pop(cluster_time, None) is not None:
            return True
        waiting = set(self._in_flight)
        deadline = time.monotonic() + SETTLE_SECONDS
        while waiting & self._in_flight and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
            if cluster_time in self._times:
                break
        return self._times.pop(cluster_time, None) is not None

    def __len__(self) -> int:
        return len(self._times)
