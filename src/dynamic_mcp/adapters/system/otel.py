"""The tracing port on the OpenTelemetry SDK (ADR 0018). Imported only when the ``otel`` extra is
installed and tracing is asked for (``adapters/system/tracing.py``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import SpanKind as OtelKind
from opentelemetry.trace import Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from dynamic_mcp.metadata import DISTRIBUTION, package_version
from dynamic_mcp.ports.tracing import NULL_BLOCK, AttributeValue, Carrier, Span, SpanKind, Tracing

KINDS = {"internal": OtelKind.INTERNAL, "server": OtelKind.SERVER, "client": OtelKind.CLIENT}
# W3C caps: a traceparent is 55 characters, a tracestate at most 32 members of 256; anything longer
# (or not text) is a client's noise and is dropped before the propagator sees it.
_FIELDS = {"traceparent": 64, "tracestate": 8192}


def _clean(carrier: Carrier | None) -> dict[str, str] | None:
    if not carrier:
        return None
    fields = {
        name: value
        for name, limit in _FIELDS.items()
        if isinstance(value := carrier.get(name), str) and len(value) <= limit
    }
    return fields if "traceparent" in fields else None


class _OtelSpan(Span):
    __slots__ = ("_span",)

    def __init__(self, span: trace.Span) -> None:
        self._span = span

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        self._span.set_attribute(key, value)

    def rename(self, name: str) -> None:
        self._span.update_name(name)

    def fail(self, description: str) -> None:
        self._span.set_status(Status(StatusCode.ERROR, description))


class OpenTelemetryTracing(Tracing):
    """Spans from one tracer provider (the process-wide one is left alone, so tests and embedders
    can run several servers with providers of their own)."""

    enabled = True

    def __init__(self, provider: trace.TracerProvider, *, owned: TracerProvider | None = None) -> None:
        self._tracer = provider.get_tracer("dynamic_mcp", package_version())
        self._owned = owned
        self._propagator = TraceContextTextMapPropagator()

    def _parent(self, parents: Sequence[Carrier | None]) -> Context | None:
        for carrier in parents:
            fields = _clean(carrier)
            if fields is None:
                continue
            context = self._propagator.extract(fields)
            if trace.get_current_span(context).get_span_context().is_valid:
                return context
        return None

    @contextlib.contextmanager
    def span(
        self,
        name: str,
        *,
        kind: SpanKind = "internal",
        parents: Sequence[Carrier | None] = (),
        attributes: Mapping[str, AttributeValue] | None = None,
    ) -> Iterator[Span]:
        # Exceptions are marked by type only: their messages may quote what a caller sent.
        with self._tracer.start_as_current_span(
            name,
            context=self._parent(parents),
            kind=KINDS[kind],
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                yield _OtelSpan(span)
            except BaseException as exc:
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                raise

    def child(
        self, name: str, *, kind: SpanKind = "internal", attributes: Mapping[str, AttributeValue] | None = None
    ) -> contextlib.AbstractContextManager[Span]:
        if not trace.get_current_span().get_span_context().is_valid:
            return NULL_BLOCK
        return self.span(name, kind=kind, attributes=attributes)

    def carrier(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        self._propagator.inject(fields)
        return fields

    def shutdown(self) -> None:
        if self._owned is not None:
            self._owned.shutdown()


def otlp_tracing(traces_url: str, service_name: str, exporter: SpanExporter | None = None) -> OpenTelemetryTracing:
    """Spans batched and sent over OTLP/HTTP to ``traces_url`` (or to ``exporter``, for tests)."""
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=traces_url)
    resource = Resource.create(
        {"service.name": service_name, "service.version": package_version(), "service.namespace": DISTRIBUTION}
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return OpenTelemetryTracing(provider, owned=provider)
