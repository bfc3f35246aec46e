"""OpenTelemetry traces in process, in both storage modes and both protocol eras (ADR 0018): one span
per HTTP request, per MCP request and per tool call, the store calls as their children, and the
caller's trace context taken from the ``traceparent`` header or from ``_meta``. Spans are read back
from the SDK's in-memory exporter."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.adapters.system.otel import OpenTelemetryTracing
from dynamic_mcp.config import Settings
from dynamic_mcp.container import build_container

from .conftest import ADMIN, ADMIN_KEY, API, LOCAL, NO_RATE_LIMITS

MODERN = "2026-07-28"
HANDSHAKE = "2025-06-18"
BASE = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
ENVELOPE = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
TOOL = "user-management:list-users"


def new_parent() -> tuple[str, str, str]:
    """(trace id, span id, traceparent) of a caller's span."""
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return trace_id, span_id, f"00-{trace_id}-{span_id}-01"


class Traced:
    def __init__(self, client: TestClient[Any], exporter: InMemorySpanExporter) -> None:
        self.client = client
        self.exporter = exporter
        init = {
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": {"protocolVersion": HANDSHAKE, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
        }
        opened = client.post("/mcp", json=init, headers={**BASE, "x-apikey": ADMIN_KEY})
        assert opened.status_code == 200, opened.text
        self.session = {
            **BASE,
            "x-apikey": ADMIN_KEY,
            "mcp-session-id": opened.headers["mcp-session-id"],
            "mcp-protocol-version": HANDSHAKE,
        }
        client.post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=self.session)
        # A notification is answered at once and handled after: wait for its span, so it cannot
        # land among the spans of the first call.
        deadline = time.monotonic() + 30
        while not any(s.name == "notifications/initialized" for s in spans(exporter)):
            assert time.monotonic() < deadline, "notifications/initialized was never handled"
            time.sleep(0.01)

    def call(self, era: str, meta: dict[str, Any] | None = None, **headers: str) -> list[ReadableSpan]:
        """One tools/call of list-users; the spans it produced."""
        self.exporter.clear()
        params: dict[str, Any] = {"name": "list-users", "arguments": {"limit": 2}}
        if era == "modern":
            params["_meta"] = {**ENVELOPE, **(meta or {})}
            sent = {**BASE, "x-apikey": ADMIN_KEY, "mcp-protocol-version": MODERN, "mcp-method": "tools/call"}
            sent["mcp-name"] = "list-users"
        else:
            if meta is not None:
                params["_meta"] = meta
            sent = dict(self.session)
        body = {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": params}
        response = self.client.post("/mcp", content=json.dumps(body), headers={**sent, **headers})
        assert response.status_code == 200, response.text
        assert '"isError":false' in response.text.replace(" ", ""), response.text
        return spans(self.exporter)


def spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return list(exporter.get_finished_spans())


def one(found: list[ReadableSpan], name: str) -> ReadableSpan:
    named = [s for s in found if s.name == name]
    assert len(named) == 1, [s.name for s in found]
    return named[0]


def parent_of(span: ReadableSpan) -> tuple[str, str] | None:
    if span.parent is None:
        return None
    return f"{span.parent.trace_id:032x}", f"{span.parent.span_id:016x}"


def ids(span: ReadableSpan) -> tuple[str, str]:
    assert span.context is not None
    return f"{span.context.trace_id:032x}", f"{span.context.span_id:016x}"


def assert_call_below(found: list[ReadableSpan], mcp_span: ReadableSpan) -> None:
    """The tool call is a child of the MCP request, and every store call of the call its child."""
    call = one(found, f"tool call {TOOL}")
    assert parent_of(call) == ids(mcp_span)
    assert call.attributes is not None and call.attributes["dynamic_mcp.outcome"] == "ok"
    stores = [s for s in found if s.attributes and "dynamic_mcp.store" in s.attributes]
    assert stores, [s.name for s in found]
    below = [s for s in stores if parent_of(s) == ids(call)]
    assert below and all(s.kind is SpanKind.CLIENT for s in below), [(s.name, parent_of(s)) for s in stores]


@pytest.fixture(scope="module", params=["memory", pytest.param("mongo", marks=pytest.mark.mongo)])
def traced(request: pytest.FixtureRequest) -> Iterator[Traced]:
    storage: dict[str, Any] = {}
    if request.param == "mongo":
        storage = {
            "mongodb_uri": request.getfixturevalue("mongo_uri"),
            "mongodb_db": request.getfixturevalue("fresh_database_name")("tracing"),
        }
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    settings = Settings(admin_email=ADMIN, admin_api_key=ADMIN_KEY, port=0, **NO_RATE_LIMITS, **storage)
    container = build_container(settings, tracing=OpenTelemetryTracing(provider))
    with TestClient(create_app(container), base_url=LOCAL) as client:
        yield Traced(client, exporter)


def test_handshake_era_call_continues_the_traceparent_header(traced: Traced) -> None:
    trace_id, span_id, traceparent = new_parent()
    found = traced.call("session", traceparent=traceparent)
    http = one(found, "POST /mcp")
    assert http.kind is SpanKind.SERVER
    assert parent_of(http) == (trace_id, span_id)
    assert http.parent is not None and http.parent.is_remote
    assert http.attributes is not None and http.attributes["http.response.status_code"] == 200
    mcp = one(found, "tools/call")
    assert parent_of(mcp) == ids(http)  # across the session's own task
    assert_call_below(found, mcp)
    assert {ids(s)[0] for s in found} == {trace_id}


def test_handshake_era_call_takes_the_trace_context_from_meta(traced: Traced) -> None:
    trace_id, span_id, traceparent = new_parent()
    found = traced.call("session", meta={"traceparent": traceparent})
    mcp = one(found, "tools/call")
    assert parent_of(mcp) == (trace_id, span_id)
    assert_call_below(found, mcp)
    assert ids(one(found, "POST /mcp"))[0] != trace_id  # the HTTP request started a trace of its own


def test_modern_era_call_takes_the_trace_context_from_meta(traced: Traced) -> None:
    trace_id, span_id, traceparent = new_parent()
    found = traced.call("modern", meta={"traceparent": traceparent, "tracestate": "vendor=1"})
    mcp = one(found, "tools/call")
    assert parent_of(mcp) == (trace_id, span_id)
    assert mcp.attributes is not None and mcp.attributes["mcp.protocol.version"] == MODERN
    assert mcp.context is not None and mcp.context.trace_state.get("vendor") == "1"
    assert_call_below(found, mcp)


def test_modern_era_call_without_meta_continues_the_header(traced: Traced) -> None:
    trace_id, span_id, traceparent = new_parent()
    found = traced.call("modern", traceparent=traceparent)
    http = one(found, "POST /mcp")
    assert parent_of(http) == (trace_id, span_id)
    mcp = one(found, "tools/call")
    assert parent_of(mcp) == ids(http)
    assert_call_below(found, mcp)
    assert {ids(s)[0] for s in found} == {trace_id}


@pytest.mark.parametrize(
    "meta",
    [{"traceparent": 7}, {"traceparent": "00-" + "0" * 32 + "-" + "0" * 16 + "-01"}, {"traceparent": "x" * 10_000}],
    ids=["not-text", "all-zero", "huge"],
)
def test_a_malformed_trace_context_starts_a_new_trace(traced: Traced, meta: dict[str, Any]) -> None:
    found = traced.call("modern", meta=meta, traceparent="00-not-a-trace")
    http, mcp = one(found, "POST /mcp"), one(found, "tools/call")
    assert http.parent is None
    assert parent_of(mcp) == ids(http)


def test_rest_requests_are_spans_with_their_store_calls_below(traced: Traced) -> None:
    trace_id, span_id, traceparent = new_parent()
    traced.exporter.clear()
    email = f"traced-{secrets.token_hex(4)}@example.com"
    created = traced.client.post(
        f"{API}/users",
        json={"email": email, "roles": ["user"]},
        headers={"x-apikey": ADMIN_KEY, "traceparent": traceparent},
    )
    assert created.status_code == 201, created.text
    found = spans(traced.exporter)
    http = one(found, "POST /api/v1/users")
    assert parent_of(http) == (trace_id, span_id)
    below = [s.name for s in found if parent_of(s) == ids(http)]
    assert any(name.startswith("users.") for name in below), below
    key = created.json()["apiKey"]
    for span in found:  # no secret lands in a span
        assert key not in json.dumps(dict(span.attributes or {})) and email not in span.name
