"""The audit trail of a real server, in both storage modes: tool calls, REST and CLI actions,
authentication failures and key resets; read back through /api/v1/audit and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from tests.integration.conftest import storage_env
from tests.integration.harness import ADMIN_EMAIL, ADMIN_KEY, ServerProcess, connect
from tests.integration.test_transport import ACCEPT, INIT

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
