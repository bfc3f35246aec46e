"""key sources, exact error bodies, session binding, bad input."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.integration.conftest import Users
from tests.integration.harness import ADMIN_KEY, ServerProcess, connect

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
}
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


SESSION_KEYS: dict[str, str] = {}
"""The key each raw session was opened with: sent on each of its requests, as real clients do."""


def session_headers(session_id: str, **headers: str) -> dict[str, str]:
    key = SESSION_KEYS.get(session_id)
    return {**ACCEPT, "mcp-session-id": session_id, **({"x-apikey": key} if key else {}), **headers}


def open_session(server: ServerProcess, key: str) -> str:
    response = httpx.post(f"{server.url}/mcp", json=INIT, headers={**ACCEPT, "x-apikey": key})
    assert response.status_code == 200
    session_id = response.headers["mcp-session-id"]
    SESSION_KEYS[session_id] = key
    httpx.post(
        f"{server.url}/mcp",
        json={"jsonrpc": "2.0", "method": "notifications/initialized"},
        headers=session_headers(session_id),
    )
    return session_id


def rpc(server: ServerProcess, session_id: str, body: object, **headers: str) -> httpx.Response:
    return httpx.post(f"{server.url}/mcp", json=body, headers=session_headers(session_id, **headers))


def test_initialize_without_key_gets_missing_apikey(server: ServerProcess) -> None:
    response = httpx.post(f"{server.url}/mcp", json=INIT, headers=ACCEPT)
    assert response.status_code == 401
    assert response.json() == {"error": "Missing apiKey"}


def test_initialize_with_unknown_key_gets_invalid_apikey(server: ServerProcess) -> None:
    response = httpx.post(f"{server.url}/mcp", json=INIT, headers={**ACCEPT, "x-apikey": "nope"})
    assert response.status_code == 401
    assert response.json() == {
        "error": "Invalid apiKey. Please contact the administrator to request access or a valid API key."
    }


def test_a_request_without_key_is_401_whatever_it_is(server: ServerProcess) -> None:
    response = httpx.post(f"{server.url}/mcp", json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, headers=ACCEPT)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('ApiKey realm="dynamic-mcp"')


def test_non_initialize_post_without_session_gets_400(server: ServerProcess) -> None:
    body = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    response = httpx.post(f"{server.url}/mcp", json=body, headers={**ACCEPT, "x-apikey": ADMIN_KEY})
    assert response.status_code == 400
    assert response.json() == {
        "jsonrpc": "2.0",
        "error": {"code": -32000, "message": "Bad Request: No valid session ID provided"},
        "id": None,
    }


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_get_or_delete_without_session_gets_400(server: ServerProcess, method: str) -> None:
    response = httpx.request(method, f"{server.url}/mcp", headers={**ACCEPT, "x-apikey": ADMIN_KEY})
    assert response.status_code == 400
    assert "Missing MCP-Session-ID header" in response.text


def test_unknown_session_id_gets_404(server: ServerProcess) -> None:
    response = rpc(server, "0" * 32, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, **{"x-apikey": ADMIN_KEY})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Session not found"


async def test_a_session_refuses_another_users_key(server: ServerProcess, users: Users) -> None:
    _, key = await users.add("user")
    session_id = open_session(server, ADMIN_KEY)
    response = rpc(server, session_id, {"jsonrpc": "2.0", "id": 4, "method": "tools/list"}, **{"x-apikey": key})
    assert response.status_code == 401
    # The session still works for its own user's key, and not without one.
    assert rpc(server, session_id, {"jsonrpc": "2.0", "id": 5, "method": "tools/list"}).status_code == 200
    bare = httpx.post(
        f"{server.url}/mcp",
        json={"jsonrpc": "2.0", "id": 5, "method": "tools/list"},
        headers={**ACCEPT, "mcp-session-id": session_id},
    )
    assert bare.status_code == 401


@pytest.mark.parametrize("via", ["header", "apikey-header", "bearer", "apiKey", "apikey"])
async def test_every_key_source_authenticates(server: ServerProcess, via: str) -> None:
    async with connect(server.url, ADMIN_KEY, via=via) as client:
        assert "list-users" in await client.tool_names()


def test_malformed_json_on_a_session_is_a_clear_error_and_the_server_keeps_serving(server: ServerProcess) -> None:
    session_id = open_session(server, ADMIN_KEY)
    response = httpx.post(f"{server.url}/mcp", content=b"{not json", headers=session_headers(session_id))
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.text
    ok = rpc(server, session_id, {"jsonrpc": "2.0", "id": 6, "method": "tools/list"})
    assert ok.status_code == 200 and "list-users" in ok.text


def test_invalid_jsonrpc_shape_is_rejected(server: ServerProcess) -> None:
    session_id = open_session(server, ADMIN_KEY)
    response = rpc(server, session_id, {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": 5}})
    assert "error" in response.text
    assert "Traceback" not in response.text
    assert server.alive


def test_oversize_body_gets_413_and_the_server_keeps_serving(server: ServerProcess) -> None:
    session_id = open_session(server, ADMIN_KEY)
    big = {
        "jsonrpc": "2.0",
        "id": 8,
        "method": "tools/call",
        "params": {"name": "x", "arguments": {"a": "x" * 2_000_000}},
    }
    response = httpx.post(f"{server.url}/mcp", content=json.dumps(big), headers=session_headers(session_id))
    assert response.status_code == 413
    new_session = httpx.post(f"{server.url}/mcp", content=json.dumps(big), headers={**ACCEPT, "x-apikey": ADMIN_KEY})
    assert new_session.status_code == 413
    unauthenticated = httpx.post(f"{server.url}/mcp", content=json.dumps(big), headers=ACCEPT)
    assert unauthenticated.status_code == 401  # refused before the body is read
    assert httpx.get(f"{server.url}/health").json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/health", "/status"])
def test_health_endpoints(server: ServerProcess, path: str) -> None:
    response = httpx.get(f"{server.url}{path}")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_capabilities_advertise_list_changed(server: ServerProcess) -> None:
    response = httpx.post(f"{server.url}/mcp", json=INIT, headers={**ACCEPT, "x-apikey": ADMIN_KEY})
    data = json.loads(next(line[5:] for line in response.text.splitlines() if line.startswith("data:")))
    assert data["result"]["capabilities"]["tools"]["listChanged"] is True


def test_origins_are_checked_when_configured() -> None:
    strict = ServerProcess({"ALLOWED_ORIGINS": "https://app.example.com,http://localhost:*"}).start()
    try:
        headers = {**ACCEPT, "x-apikey": ADMIN_KEY}
        evil = httpx.post(f"{strict.url}/mcp", json=INIT, headers={**headers, "origin": "https://evil.example"})
        assert evil.status_code == 403
        for origin in ("https://app.example.com", "http://localhost:6274", None):
            extra = {"origin": origin} if origin else {}
            assert httpx.post(f"{strict.url}/mcp", json=INIT, headers={**headers, **extra}).status_code == 200
    finally:
        strict.stop()
