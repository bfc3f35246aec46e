"""What the core marks for tracing (docs/operations.md): a span around each request, tool call and
store call. The application opens spans through this port and never imports a tracing library;
without one configured, ``NoTracing`` costs one call that returns a shared object."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

AttributeValue = str | int | float | bool
SpanKind = Literal["internal", "server", "client"]
Carrier = Mapping[str, Any]
"""W3C trace context fields (``traceparent``, ``tracestate``): an HTTP request's headers or an MCP
request's ``_meta``. Anything else in it is ignored, and a malformed value counts as absent."""


class Span(Protocol):
    def set_attribute(self, key: str, value: AttributeValue) -> None: ...

    def rename(self, name: str) -> None: ...

    def fail(self, description: str) -> None:
        """Mark the span as an error; ``description`` is shown to whoever reads the trace."""
        ...


class Tracing(Protocol):
    @property
    def enabled(self) -> bool:
        """False when nothing is recorded: callers may skip preparing attributes."""
        ...

    def span(
        self,
        name: str,
        *,
        kind: SpanKind = "internal",
        parents: Sequence[Carrier | None] = (),
        attributes: Mapping[str, AttributeValue] | None = None,
    ) -> AbstractContextManager[Span]:
        """A span, current inside the block. Its parent is the first of ``parents`` that carries a
        valid trace context, else the current span (else it starts a trace)."""
        ...

    def child(
        self, name: str, *, kind: SpanKind = "internal", attributes: Mapping[str, AttributeValue] | None = None
    ) -> AbstractContextManager[Span]:
        """A span only inside another one; outside any span, a block that records nothing (so
        background work does not start traces of its own)."""
        ...

    def carrier(self) -> dict[str, str]:
        """The current span's context as W3C fields, to hand it where context variables do not
        reach (a session's handlers run in a task of their own)."""
        ...

    def shutdown(self) -> None:
        """Send what is still buffered; called once at server stop."""
        ...


class _NullSpan:
    def set_attribute(self, key: str, value: AttributeValue) -> None:
        return None

    def rename(self, name: str) -> None:
        return None

    def fail(self, description: str) -> None:
        return None


class _NullBlock:
    __slots__ = ()

    def __enter__(self) -> Span:
        return NULL_SPAN

    def __exit__(self, *exc: object) -> None:
        return None


NULL_SPAN: Span = _NullSpan()
NULL_BLOCK = _NullBlock()


class NoTracing:
    """Records nothing: the default, and what runs when the ``otel`` extra is not installed."""

    enabled = False

    def span(
        self,
        name: str,
        *,
        kind: SpanKind = "internal",
        parents: Sequence[Carrier | None] = (),
        attributes: Mapping[str, AttributeValue] | None = None,
    ) -> AbstractContextManager[Span]:
        return NULL_BLOCK

    def child(
        self, name: str, *, kind: SpanKind = "internal", attributes: Mapping[str, AttributeValue] | None = None
    ) -> AbstractContextManager[Span]:
        return NULL_BLOCK

    def carrier(self) -> dict[str, str]:
        return {}

    def shutdown(self) -> None:
        return None
