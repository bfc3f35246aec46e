"""Store latency by operation: a transparent proxy in front of a store that times every coroutine
method it is asked for (``users.get``, ``tools.list_all``, ...) and, when tracing is on, makes it a
child span of the request or call it serves. It sits below the caches, so it sees only the calls
that really reach the store."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any

from dynamic_mcp.ports.metrics import Metrics
from dynamic_mcp.ports.tracing import NoTracing, Tracing


class TimedStore:
    def __init__(self, inner: Any, name: str, metrics: Metrics, tracing: Tracing | None = None) -> None:
        self._inner = inner
        self._name = name
        self._metrics = metrics
        self._tracing = tracing or NoTracing()
        self._wrapped: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, attribute: str) -> Any:
        wrapped = self._wrapped.get(attribute)
        if wrapped is not None:
            return wrapped
        target = getattr(self._inner, attribute)
        if not inspect.iscoroutinefunction(target):
            return target
        operation = f"{self._name}.{attribute}"
        metrics = self._metrics
        tracing = self._tracing

        @functools.wraps(target)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await target(*args, **kwargs)
            finally:
                metrics.store_operation(operation, time.perf_counter() - started)

        if tracing.enabled:
            untraced = timed
            attributes = {"db.operation.name": attribute, "dynamic_mcp.store": self._name}

            @functools.wraps(target)
            async def timed(*args: Any, **kwargs: Any) -> Any:
                with tracing.child(operation, kind="client", attributes=attributes):
                    return await untraced(*args, **kwargs)

        self._wrapped[attribute] = timed
        return timed
