"""What the core reports for operators to count (docs/operations.md). The application records
outcomes through this port and never imports a metrics library."""

from __future__ import annotations

from typing import Literal, Protocol

CallOutcomeKind = Literal["ok", "error", "denied", "invalid", "rate_limited"]
OUTCOMES: tuple[CallOutcomeKind, ...] = ("ok", "error", "denied", "invalid", "rate_limited")


class Metrics(Protocol):
    def tool_call(self, tool: str, package_tool: bool, outcome: CallOutcomeKind, seconds: float) -> None:
        """One ``tools/call``: ``tool`` is the namespaced id; ``package_tool`` says it is declared by code."""
        ...

    def http_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """One HTTP request; ``route`` is the route template, never the raw path."""
        ...

    def notification_sent(self, kind: str) -> None: ...

    def store_operation(self, operation: str, seconds: float) -> None:
        """One call into a store (``users.get``, ``tools.list_all``, ...)."""
        ...

    def cache_lookup(self, cache: str, hit: bool) -> None: ...

    def audit_dropped(self, count: int = 1) -> None:
        """Audit entries dropped because the write buffer was full."""
        ...

    def rate_limited(self, bucket: str) -> None:
        """A request refused by a rate limit (``tool_calls``, ``api``, ``sessions``)."""
        ...

    def change_stream_lag(self, seconds: float) -> None:
        """Time from a change's commit to its arrival through the change stream (MongoDB mode)."""
        ...

    def live_sessions(self, count: int) -> None: ...

    def listeners(self, count: int) -> None:
        """Sessions holding a GET stream open (they receive notifications)."""
        ...


class NoMetrics:
    """Counts nothing: for embedding without metrics and for tests that do not look."""

    def tool_call(self, tool: str, package_tool: bool, outcome: CallOutcomeKind, seconds: float) -> None:
        return None

    def http_request(self, route: str, method: str, status: int, seconds: float) -> None:
        return None

    def notification_sent(self, kind: str) -> None:
        return None

    def store_operation(self, operation: str, seconds: float) -> None:
        return None

    def cache_lookup(self, cache: str, hit: bool) -> None:
        return None

    def audit_dropped(self, count: int = 1) -> None:
        return None

    def rate_limited(self, bucket: str) -> None:
        return None

    def change_stream_lag(self, seconds: float) -> None:
        return None

    def live_sessions(self, count: int) -> None:
        return None

    def listeners(self, count: int) -> None:
        return None
