"""The audit trail: one entry per tools/call, management action, authentication failure and key
reset (docs/operations.md). Recording never waits for the store and never fails the action: an
entry goes into a bounded buffer that a background task writes in batches; when the buffer is
full the entry is dropped and counted."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from dynamic_mcp.application.background import cancel_and_wait
from dynamic_mcp.application.context import current
from dynamic_mcp.domain.audit import MAX_QUERY_LIMIT, AuditEntry, AuditPage, AuditQuery, recorded_arguments
from dynamic_mcp.domain.errors import Forbidden, Invalid
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.audit import AuditStore
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.metrics import Metrics, NoMetrics

log = logging.getLogger(__name__)

BATCH = 500
FLUSH_SECONDS = 0.5


class AuditRecorder:
    def __init__(
        self,
        store: AuditStore,
        clock: Clock,
        *,
        instance: str,
        arguments: str = "none",
        capacity: int = 10_000,
        metrics: Metrics | None = None,
        enabled: bool = True,
    ) -> None:
        self._store = store
        self._clock = clock
        self._instance = instance
        self._arguments = arguments
        self._capacity = capacity
        self._metrics: Metrics = metrics or NoMetrics()
        self.enabled = enabled
        self._buffer: deque[AuditEntry] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sequence = itertools.count()
        self._prefix = instance.encode().hex()[:8]

    # -- writing -------------------------------------------------------------------------------
    def record(
        self,
        action: str,
        outcome: str,
        seconds: float,
        *,
        user: str | None = None,
        door: str | None = None,
        arguments: Mapping[str, Any] | None = None,
    ) -> None:
        """Queue one entry; the request context supplies what is not given. Never blocks or raises."""
        if not self.enabled:
            return
        if len(self._buffer) >= self._capacity:
            self._metrics.audit_dropped()
            return
        context = current()
        now = self._clock.now()
        try:
            kept = recorded_arguments(arguments, self._arguments)
        except RecursionError:
            kept = "[too deeply nested to record]"
        self._buffer.append(
            AuditEntry(
                id=self._new_id(now),
                time=now,
                user=user or context.user_email,
                door=door or context.door or "mcp",
                action=action,
                outcome=outcome,
                duration_ms=round(seconds * 1000, 3),
                request_id=context.request_id,
                session=context.session,
                instance=self._instance,
                arguments=kept,
            )
        )
        if len(self._buffer) >= BATCH:
            self._wake.set()

    def _new_id(self, now: datetime) -> str:
        # Sorts by time first; the instance and a per-process sequence keep ids unique and ordered.
        return f"{int(now.timestamp() * 1000):013d}-{self._prefix}-{next(self._sequence):010d}"

    # -- the writer task -----------------------------------------------------------------------
    async def start(self) -> None:
        if not self.enabled or self._task is not None:
            return
        await self._store.prepare()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="audit-writer")

    async def stop(self) -> None:
        """Write what is buffered, then end the writer."""
        task, self._task = self._task, None
        await cancel_and_wait(task)
        await self.flush()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(FLUSH_SECONDS):
                    await self._wake.wait()
            self._wake.clear()
            await self.flush()

    async def flush(self) -> None:
        while self._buffer:
            batch = [self._buffer.popleft() for _ in range(min(BATCH, len(self._buffer)))]
            started = time.perf_counter()
            try:
                await self._store.append(batch)
            except Exception:
                # The store is down: these entries are lost, counted, and the calls go on.
                self._metrics.audit_dropped(len(batch))
                log.warning("audit entries not written: %d dropped", len(batch), exc_info=True)
                return
            finally:
                self._metrics.store_operation("audit.append", time.perf_counter() - started)

    @property
    def pending(self) -> int:
        return len(self._buffer)


class AuditQueries:
    """Reading the trail: admins read everyone's, every user their own."""

    def __init__(self, store: AuditStore, recorder: AuditRecorder) -> None:
        self._store = store
        self._recorder = recorder

    async def entries(self, caller: User, query: AuditQuery) -> AuditPage:
        if not caller.is_admin:
            raise Forbidden("Only admins can read the audit log of other users")
        return await self._read(query)

    async def my_entries(self, caller: User, query: AuditQuery) -> AuditPage:
        return await self._read(attrs.evolve(query, user=caller.email))

    async def _read(self, query: AuditQuery) -> AuditPage:
        if not 1 <= query.limit <= MAX_QUERY_LIMIT:
            raise Invalid(f"limit must be between 1 and {MAX_QUERY_LIMIT}")
        await self._recorder.flush()  # what this instance has buffered is readable at once
        return await self._store.query(query)
