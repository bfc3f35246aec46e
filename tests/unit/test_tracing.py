"""Tracing's switch and export (ADR 0018): off unless an OTLP endpoint is configured, harmless
without the ``otel`` extra, and spans really sent over OTLP/HTTP to a collector when it is on."""

from __future__ import annotations

import http.server
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.adapters.system.otel import OpenTelemetryTracing
from dynamic_mcp.config import Settings, SettingsError
from dynamic_mcp.container import build_container
from dynamic_mcp.ports.tracing import NoTracing

ROOT = Path(__file__).resolve().parents[2]
KEY = "tracing-admin-key-for-unit-tests"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


def test_the_otlp_endpoint_comes_from_opentelemetrys_own_variables(tmp_path: Path) -> None:
    def endpoint(**env: str) -> str:
        return Settings.from_env(env, dotenv_path=tmp_path / "none.env").otlp_traces_endpoint

    assert endpoint() == ""
    assert endpoint(OTEL_EXPORTER_OTLP_ENDPOINT="http://collector:4318/") == "http://collector:4318/v1/traces"
    assert endpoint(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="https://c/x", OTEL_EXPORTER_OTLP_ENDPOINT="http://o") == (
        "https://c/x"
    )
    with pytest.raises(SettingsError, match="OTEL_EXPORTER_OTLP_ENDPOINT"):
        endpoint(OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318")


def test_without_an_endpoint_nothing_is_traced() -> None:
    container = build_container(Settings(admin_api_key=KEY))
    assert isinstance(container.tracing(), NoTracing)


SCRIPT = """
    import sys

    from litestar.testing import TestClient

    from dynamic_mcp.adapters.http.app import create_app
    from dynamic_mcp.config import Settings
    from dynamic_mcp.container import build_container
    from dynamic_mcp.ports.tracing import NoTracing


    def serve_one_request(endpoint):
        container = build_container(Settings(admin_api_key="k" * 24, otlp_traces_endpoint=endpoint))
        assert isinstance(container.tracing(), NoTracing), container.tracing()
        with TestClient(create_app(container), base_url="http://127.0.0.1:4001") as client:
            me = client.get("/api/v1/me", headers={"x-apikey": "k" * 24, "traceparent": TRACEPARENT})
            assert me.status_code == 200, me.text
        loaded = [m for m in sys.modules if m.startswith(("opentelemetry.sdk", "opentelemetry.exporter"))]
        assert not loaded, loaded


    serve_one_request("")
    print("untraced: served without the SDK")


    class WithoutTheExtra:  # as if the server had been installed without [otel]
        def find_spec(self, name, path=None, target=None):
            if name.startswith(("opentelemetry.sdk", "opentelemetry.exporter")):
                raise ModuleNotFoundError(f"No module named {name!r}")
            return None


    sys.meta_path.insert(0, WithoutTheExtra())
    serve_one_request("http://127.0.0.1:9/v1/traces")
    print("without the extra: served")
"""


@pytest.mark.slow  # a fresh interpreter imports the whole server: 4 s idle, over 10 s on a loaded machine
def test_untraced_or_without_the_extra_the_server_runs_and_never_loads_the_sdk() -> None:
    # A fresh interpreter: this one has the SDK loaded already.
    done = subprocess.run(
        [sys.executable, "-c", f"TRACEPARENT = {TRACEPARENT!r}\n" + textwrap.dedent(SCRIPT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["untraced: served without the SDK", "without the extra: served"]
    assert done.stderr.count("the OpenTelemetry SDK is not installed") == 1, done.stderr


class Collector(http.server.ThreadingHTTPServer):
    """An OTLP/HTTP receiver keeping every export request it is sent."""

    def __init__(self) -> None:
        self.exports: list[ExportTraceServiceRequest] = []
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                if self.path == "/v1/traces":
                    collector.exports.append(ExportTraceServiceRequest.FromString(body))
                self.send_response(200 if self.path == "/v1/traces" else 404)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return None

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_spans_are_exported_over_otlp_when_an_endpoint_is_set(collector: Collector, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{collector.server_address[1]}"
    settings = Settings.from_env(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": base, "OTEL_SERVICE_NAME": "ops-test", "MCP_ADMIN_API_KEY": KEY},
        dotenv_path=tmp_path / "none.env",
    )
    container = build_container(settings)
    assert isinstance(container.tracing(), OpenTelemetryTracing)
    with TestClient(create_app(container), base_url="http://127.0.0.1:4001") as client:
        response = client.get("/api/v1/me", headers={"x-apikey": KEY, "traceparent": TRACEPARENT})
        assert response.status_code == 200
    # Stopping the server sends what the batch still holds.
    exported = [
        (resource.resource, span)
        for request in collector.exports
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    ours = {s.name: (r, s) for r, s in exported if s.trace_id.hex() == TRACE_ID}
    assert set(ours) == {"GET /api/v1/me", "users.get_by_key_hash"}, [s.name for _, s in exported]
    resource, span = ours["GET /api/v1/me"]
    assert span.parent_span_id.hex() == "00f067aa0ba902b7"
    assert ours["users.get_by_key_hash"][1].parent_span_id == span.span_id
    names = {a.key: a.value.string_value for a in resource.attributes}
    assert names["service.name"] == "ops-test"
