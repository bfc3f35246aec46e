"""Which tracing the server runs (ADR 0018): OpenTelemetry when an OTLP endpoint is configured and
the ``otel`` extra is installed, else none. This module imports no tracing library itself, so a
server without the extra never loads one."""

from __future__ import annotations

import logging

from dynamic_mcp.ports.tracing import NoTracing, Tracing

log = logging.getLogger(__name__)

EXTRA_MISSING = (
    "OTEL_EXPORTER_OTLP_ENDPOINT is set but the OpenTelemetry SDK is not installed "
    '(pip install "dynamic-mcp-server[otel]"): tracing is off'
)


def configured_tracing(traces_url: str, service_name: str) -> Tracing:
    if not traces_url:
        return NoTracing()
    try:
        from dynamic_mcp.adapters.system.otel import otlp_tracing
    except ImportError:
        log.warning(EXTRA_MISSING)
        return NoTracing()
    log.info("tracing: spans go over OTLP/HTTP to %s", traces_url)
    return otlp_tracing(traces_url, service_name)
