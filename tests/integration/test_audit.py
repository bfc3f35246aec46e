"""The audit trail of a real server, in both storage modes: tool calls, REST and CLI actions,
authentication failures and key resets; read back through /api/v1/audit and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from tests.integration.conftest import storage_env
from tests.integration.harness import ADMIN_EMAIL, ADMIN_KEY, ServerProcess, connect
from tests.integration.test_transport import ACCEPT, INIT, open_session, rpc

pytestmark = pytest.mark.integration
ADMIN = {"x-apikey": ADMIN_KEY}


@pytest.fixture(scope="module", params=["memory", pytest.param("mongo", marks=pytest.mark.mongo)])
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    env = {**storage_env(request, request.param, "audit"), "AUDIT_ARGUMENTS": "full"}
    process = ServerProcess(env).start()
    yield process
    process.stop()


def entries(server: ServerProcess, path: str = "/api/v1/audit", key: str = ADMIN_KEY, **params: Any) -> list[Any]:
    response = httpx.get(f"{server.url}{path}", headers={"x-apikey": key}, params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["entries"])


async def test_tool_calls_are_recorded_with_context_and_redacted_arguments(server: ServerProcess) -> None:
    async with connect(server.url, ADMIN_KEY) as admin:
        await admin.ok("list-users", {"nameContains": "nobody-12345678-1234-1234-1234-123456789abc"})
        await admin.error("list-users", {"limit": "bad"})
    found = entries(server, tool="user-management:list-users", user=ADMIN_EMAIL)
    assert [e["outcome"] for e in found[:2]] == ["invalid", "ok"]
    ok = found[1]
    assert ok["door"] == "mcp"
    assert ok["durationMs"] >= 0
    assert ok["instance"]
    assert len(ok["session"]) == 8
    assert ok["requestId"]
    assert ok["arguments"] == {"nameContains": "[redacted]"}  # a UUID-shaped value looks like a key


async def test_rest_and_cli_actions_and_key_resets_are_recorded(server: ServerProcess) -> None:
    created = httpx.post(
        f"{server.url}/api/v1/users", headers=ADMIN, json={"email": "audited@example.com", "roles": ["user"]}
    )
    assert created.status_code == 201, created.text
    reset = httpx.post(
        f"{server.url}/api/v1/users/audited@example.com/api-key/reset", headers=ADMIN, json={"confirm": True}
    )
    assert reset.status_code == 200
    cli = subprocess.run(
        [sys.executable, "-m", "dynamic_mcp.cli", "users", "add", "cli-made@example.com", "--url", server.url],
        env={**server.env, "DYNAMIC_MCP_API_KEY": ADMIN_KEY},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    actions = {(e["door"], e["action"], e["outcome"]) for e in entries(server, user=ADMIN_EMAIL, limit=100)}
    assert ("rest", "POST /api/v1/users", "ok") in actions
    assert ("rest", "POST /api/v1/users/{email}/api-key/reset", "ok") in actions
    assert ("cli", "POST /api/v1/users", "ok") in actions


def test_authentication_failures_are_recorded_at_both_doors(server: ServerProcess) -> None:
    assert httpx.post(f"{server.url}/mcp", json=INIT, headers={**ACCEPT, "x-apikey": "wrong"}).status_code == 401
    assert httpx.get(f"{server.url}/api/v1/me", headers={"x-apikey": "wrong"}).status_code == 401
    failures = entries(server, tool="authenticate", outcome="denied")
    assert {e["door"] for e in failures} >= {"mcp", "rest"}
    assert all(e["user"] is None for e in failures)


async def test_users_read_only_their_own_entries_and_admins_everyone(server: ServerProcess) -> None:
    async with connect(server.url, ADMIN_KEY) as admin:
        key = (await admin.ok("add-user", {"email": "reader@example.com", "roles": ["user"]}))["result"]["apiKey"]
    async with connect(server.url, key) as reader:
        await reader.ok("user-info")
    with anyio.fail_after(10):
        while not (mine := entries(server, "/api/v1/me/audit", key)):
            await anyio.sleep(0.05)
    assert {e["user"] for e in mine} == {"reader@example.com"}
    assert mine[0]["action"] == "user-management:user-info"
    refused = httpx.get(f"{server.url}/api/v1/audit", headers={"x-apikey": key})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_pages_follow_the_cursor_newest_first_without_overlap(server: ServerProcess) -> None:
    for n in range(5):
        httpx.patch(f"{server.url}/api/v1/users/{ADMIN_EMAIL}", headers=ADMIN, json={"name": f"Admin {n}"})
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "tool": "PATCH /api/v1/users/{email}"}
        if cursor:
            params["cursor"] = cursor
        body = httpx.get(f"{server.url}/api/v1/audit", headers=ADMIN, params=params).json()
        seen += [e["id"] for e in body["entries"]]
        cursor = body["nextCursor"]
        if not cursor:
            break
    assert len(seen) == 5
    assert seen == sorted(seen, reverse=True)
    bad = httpx.get(f"{server.url}/api/v1/audit", headers=ADMIN, params={"limit": 0})
    assert bad.status_code == 400


def test_the_cli_reads_the_audit_log(server: ServerProcess) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dynamic_mcp.cli", "audit", "--json", "--limit", "3", "--url", server.url],
        env={**server.env, "DYNAMIC_MCP_API_KEY": ADMIN_KEY},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert 1 <= len(body["entries"]) <= 3


MODERN = "2026-07-28"
ENVELOPE = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}


def modern_call(server: ServerProcess, name: str, key: str, request_id: str) -> httpx.Response:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"_meta": ENVELOPE, "name": name}}
    headers = {**ACCEPT, "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": name}
    return httpx.post(f"{server.url}/mcp", json=body, headers={**headers, "x-apikey": key, "x-request-id": request_id})


def test_each_action_at_each_door_is_exactly_one_entry(server: ServerProcess) -> None:
    """Every audited request, told apart by its X-Request-Id, leaves one entry; reads leave none."""
    tag = uuid.uuid4().hex[:10]
    email = f"once-{tag}@example.com"

    def rest(name: str, method: str, path: str, key: str = ADMIN_KEY, **kwargs: Any) -> httpx.Response:
        headers = {"x-apikey": key, "x-request-id": f"{tag}-{name}"}
        return httpx.request(method, f"{server.url}/api/v1{path}", headers=headers, **kwargs)

    assert rest("add", "POST", "/users", json={"email": email, "roles": ["user"]}).status_code == 201
    user_key = rest("reset", "POST", f"/users/{email}/api-key/reset", json={"confirm": True}).json()["apiKey"]
    assert rest("update", "PATCH", f"/users/{email}", json={"rateLimits": {"api": 100}}).status_code == 200
    assert rest("invalid", "PATCH", f"/users/{email}", json={"rateLimits": {"api": -1}}).status_code == 422
    assert rest("denied", "POST", "/users", user_key, json={"email": f"x-{email}"}).status_code == 403
    assert rest("read", "GET", "/users").status_code == 200
    assert rest("bad-key", "GET", "/me", "not-a-key").status_code == 401
    mcp_bad = {**ACCEPT, "x-apikey": "not-a-key", "x-request-id": f"{tag}-mcp-bad-key"}
    assert httpx.post(f"{server.url}/mcp", json=INIT, headers=mcp_bad).status_code == 401
    mcp_missing = {**ACCEPT, "x-request-id": f"{tag}-mcp-no-key"}
    assert httpx.post(f"{server.url}/mcp", json=INIT, headers=mcp_missing).status_code == 401
    assert modern_call(server, "user-info", "not-a-key", f"{tag}-modern-bad-key").status_code == 401
    assert modern_call(server, "user-info", user_key, f"{tag}-modern-call").status_code == 200
    session = open_session(server, ADMIN_KEY)
    reset_call = {
        "jsonrpc": "2.0",
        "id": 9,
        "method": "tools/call",
        "params": {"name": "reset-api-key", "arguments": {"email": email, "userConfirmed": True}},
    }
    answer = rpc(server, session, reset_call, **{"x-request-id": f"{tag}-mcp-reset"})
    assert answer.status_code == 200 and '"isError":false' in answer.text.replace(" ", ""), answer.text
    assert rest("delete", "DELETE", f"/users/{email}").status_code == 200

    mine = [e for e in entries(server, limit=500) if (e["requestId"] or "").startswith(f"{tag}-")]
    seen = {e["requestId"].removeprefix(f"{tag}-"): (e["door"], e["action"], e["outcome"]) for e in mine}
    assert len(mine) == len(seen), [e["requestId"] for e in mine]  # never two entries for one request
    assert seen == {
        "add": ("rest", "POST /api/v1/users", "ok"),
        "reset": ("rest", "POST /api/v1/users/{email}/api-key/reset", "ok"),
        "update": ("rest", "PATCH /api/v1/users/{email}", "ok"),
        "invalid": ("rest", "PATCH /api/v1/users/{email}", "invalid"),
        "denied": ("rest", "POST /api/v1/users", "denied"),
        "bad-key": ("rest", "authenticate", "denied"),
        "mcp-bad-key": ("mcp", "authenticate", "denied"),
        "mcp-no-key": ("mcp", "authenticate", "denied"),
        "modern-bad-key": ("mcp", "authenticate", "denied"),
        "modern-call": ("mcp", "user-management:user-info", "ok"),
        "mcp-reset": ("mcp", "user-management:reset-api-key", "ok"),
        "delete": ("rest", "DELETE /api/v1/users/{email}", "ok"),
    }
