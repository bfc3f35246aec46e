"""LOG_LEVEL governs the real server's whole output; JSON lines; one line per tool call; request ids."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

from tests.integration.conftest import storage_env
from tests.integration.harness import ADMIN_KEY, ServerProcess
from tests.integration.test_transport import ACCEPT, open_session, rpc

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def lines(server: ServerProcess) -> list[dict[str, Any]]:
    """Every line of the log, each of which must be one JSON object."""
    return [json.loads(line) for line in server.log().splitlines() if line.strip()]


def exercise(server: ServerProcess, request_id: str = "call-42") -> None:
    session = open_session(server, ADMIN_KEY)
    call = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": "list-users", "arguments": {"nameContains": "s3cr3t-arg"}},
    }
    assert rpc(server, session, call, **{"x-request-id": request_id}).status_code == 200
    httpx.get(f"{server.url}/api/v1/me", headers={"x-apikey": ADMIN_KEY})
    httpx.get(f"{server.url}/nowhere")


@pytest.fixture(params=["memory", pytest.param("mongo", marks=pytest.mark.mongo)])
def storage(request: pytest.FixtureRequest) -> dict[str, str]:
    return storage_env(request, request.param, "logs")


def test_error_level_prints_no_info_line(storage: dict[str, str]) -> None:
    server = ServerProcess({**storage, "LOG_LEVEL": "error"}).start()
    try:
        exercise(server)
    finally:
        server.stop()
    assert {line["level"] for line in lines(server)} <= {"error", "critical"}


def test_debug_level_prints_debug_lines_of_the_libraries_and_ours(storage: dict[str, str]) -> None:
    server = ServerProcess({**storage, "LOG_LEVEL": "debug"}).start()
    try:
        exercise(server)
    finally:
        server.stop()
    debug = {line["logger"].split(".")[0] for line in lines(server) if line["level"] == "debug"}
    assert "mcp" in debug
    http = [line for line in lines(server) if line["level"] == "http"]
    assert any(line["message"] == "GET /api/v1/me 200" for line in http)
    assert any(line["message"] == "GET unmatched 404" for line in http)


def test_one_info_line_per_tool_call_with_context_and_no_arguments(storage: dict[str, str]) -> None:
    server = ServerProcess({**storage, "LOG_LEVEL": "info", "MCP_ADMIN_EMAIL": "ops@example.com"}).start()
    try:
        exercise(server, request_id="call-42")
    finally:
        server.stop()
    calls = [line for line in lines(server) if line["message"].startswith("tool call")]
    assert len(calls) == 1, calls
    (call,) = calls
    assert call["level"] == "info"
    assert call["request_id"] == "call-42"
    assert call["user"] == "ops@example.com"
    assert call["tool"] == "user-management:list-users"
    assert call["outcome"] == "ok"
    assert call["session"] and len(call["session"]) == 8
    assert "s3cr3t-arg" not in server.log()


def test_every_response_carries_a_request_id() -> None:
    server = ServerProcess({"LOG_LEVEL": "error"}).start()
    try:
        given = httpx.get(f"{server.url}/health", headers={"x-request-id": "from-client.1"})
        assert given.headers["x-request-id"] == "from-client.1"
        hostile = httpx.get(f"{server.url}/health", headers={"x-request-id": "x" * 500})
        assert len(hostile.headers["x-request-id"]) == 32
        responses = [
            httpx.get(f"{server.url}/nowhere"),
            httpx.get(f"{server.url}/api/v1/me"),
            httpx.get(f"{server.url}/api/v1/me", headers={"x-apikey": ADMIN_KEY}),
            httpx.post(f"{server.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=ACCEPT),
            httpx.delete(f"{server.url}/mcp", headers={"mcp-session-id": "unknown"}),
        ]
        ids = [r.headers.get("x-request-id") for r in responses]
        assert [r.status_code for r in responses] == [404, 401, 200, 401, 401]  # /mcp asks for the key first
        assert all(ids) and len(set(ids)) == len(ids)
    finally:
        server.stop()


def test_an_unknown_log_level_stops_the_server_at_start() -> None:
    env = ServerProcess({"LOG_LEVEL": "verbose"}).env
    done = subprocess.run(
        [sys.executable, "-m", "dynamic_mcp.cli", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "LOG_LEVEL must be one of" in done.stderr
