"""The Metrics port on ``prometheus-client`` (ADR 0017), exposed at ``GET /metrics``.

Each instance has a registry of its own (tests build many apps in one process). With
``PROMETHEUS_MULTIPROC_DIR`` set before start, prometheus-client keeps the values in files in
that directory and a scrape of any worker adds up every worker's (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from dynamic_mcp.application.labels import OTHER, ToolLabelBudget
from dynamic_mcp.ports.metrics import OUTCOMES, CallOutcomeKind, Metrics

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
CALL_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STORE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class _CacheRatio(Collector):
    """``dynamic_mcp_cache_hit_ratio{cache}`` computed from the lookup counters at scrape time."""

    def __init__(self, lookups: Callable[[], dict[str, tuple[float, float]]]) -> None:
        self._lookups = lookups

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "dynamic_mcp_cache_hit_ratio", "Share of cache lookups answered from memory", labels=["cache"]
        )
        for cache, (hits, total) in sorted(self._lookups().items()):
            family.add_metric([cache], hits / total if total else 0.0)
        yield family


class PrometheusMetrics(Metrics):
    def __init__(self, tool_labels: int = 200) -> None:
        self._multiprocess = multiprocess_dir()
        # In multiprocess mode the values live in files; the metric objects join no registry and
        # each scrape reads every process's files.
        own = None if self._multiprocess else CollectorRegistry(auto_describe=True)
        self.registry = own
        self._budget = ToolLabelBudget(tool_labels)
        self._calls = Counter(
            "dynamic_mcp_tool_calls_total", "tools/call requests by tool and outcome", ["tool", "outcome"], registry=own
        )
        self._durations = Histogram(
            "dynamic_mcp_tool_call_duration_seconds",
            "tools/call handling time by tool",
            ["tool"],
            buckets=CALL_BUCKETS,
            registry=own,
        )
        self._http = Counter(
            "dynamic_mcp_http_requests_total",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=own,
        )
        self._live_sessions = Gauge(
            "dynamic_mcp_live_sessions", "Open MCP sessions", registry=own, multiprocess_mode="livesum"
        )
        self._listeners = Gauge(
            "dynamic_mcp_listeners",
            "MCP sessions holding a GET stream open for notifications",
            registry=own,
            multiprocess_mode="livesum",
        )
        self._notifications = Counter(
            "dynamic_mcp_notifications_sent_total", "Notifications sent to sessions by kind", ["kind"], registry=own
        )
        self._store = Histogram(
            "dynamic_mcp_store_operation_duration_seconds",
            "Time spent in the user, tool and prompt stores by operation",
            ["operation"],
            buckets=STORE_BUCKETS,
            registry=own,
        )
        self._cache = Counter(
            "dynamic_mcp_cache_lookups_total", "Cache lookups by cache and result", ["cache", "result"], registry=own
        )
        self._audit_dropped = Counter(
            "dynamic_mcp_audit_dropped_total", "Audit entries dropped because the write buffer was full", registry=own
        )
        self._rate_limited = Counter(
            "dynamic_mcp_rate_limited_total", "Requests refused by a rate limit, by bucket", ["bucket"], registry=own
        )
        self._lag = Gauge(
            "dynamic_mcp_change_stream_lag_seconds",
            "Delay of the last change received through the MongoDB change stream",
            registry=own,
            multiprocess_mode="max",
        )
        self._hits: dict[str, list[float]] = {}
        if own is not None:
            own.register(_CacheRatio(lambda: {k: (v[0], v[1]) for k, v in self._hits.items()}))

    # -- the port ------------------------------------------------------------------------------
    def tool_call(self, tool: str, package_tool: bool, outcome: CallOutcomeKind, seconds: float) -> None:
        label = tool if package_tool or tool == OTHER else self._budget.label(tool)
        if self._budget.evicted:
            self._forget(self._budget.evicted)
        self._calls.labels(label, outcome).inc()
        self._durations.labels(label).observe(seconds)

    def http_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self._http.labels(route, method, str(status)).inc()

    def notification_sent(self, kind: str) -> None:
        self._notifications.labels(kind).inc()

    def store_operation(self, operation: str, seconds: float) -> None:
        self._store.labels(operation).observe(seconds)

    def cache_lookup(self, cache: str, hit: bool) -> None:
        self._cache.labels(cache, "hit" if hit else "miss").inc()
        counts = self._hits.setdefault(cache, [0.0, 0.0])
        counts[0] += hit
        counts[1] += 1

    def audit_dropped(self, count: int = 1) -> None:
        self._audit_dropped.inc(count)

    def rate_limited(self, bucket: str) -> None:
        self._rate_limited.labels(bucket).inc()

    def change_stream_lag(self, seconds: float) -> None:
        self._lag.set(seconds)

    def live_sessions(self, count: int) -> None:
        self._live_sessions.set(count)

    def listeners(self, count: int) -> None:
        self._listeners.set(count)

    # -- exposition ----------------------------------------------------------------------------
    def scrape(self) -> bytes:
        if self.registry is not None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self._multiprocess)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def _forget(self, labels: list[str]) -> None:
        """A tool that lost its label counts as ``other`` from now on; its old series go."""
        for label in labels:
            for outcome in OUTCOMES:
                with contextlib.suppress(KeyError):
                    self._calls.remove(label, outcome)
            with contextlib.suppress(KeyError):
                self._durations.remove(label)
        labels.clear()
