"""SPEC §7.6: key reset and deletion end sessions; one-session mode; idle expiry."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.integration.conftest import Users
from tests.integration.harness import ADMIN_KEY, ServerProcess, connect
from tests.integration.test_transport import ACCEPT, INIT, open_session, rpc

LIST = {"jsonrpc": "2.0", "id": 9, "method": "tools/list"}


def wait_until_gone(server: ServerProcess, session_id: str, timeout: float = 5.0) -> int:
    deadline = time.monotonic() + timeout
    status = 0
    while time.monotonic() < deadline:
        status = rpc(server, session_id, LIST).status_code
        if status == 404:
            return status
        time.sleep(0.1)
    return status


async def test_reset_api_key_asks_first_then_replaces_the_key_and_closes_sessions(
    server: ServerProcess, users: Users
) -> None:
    email, old_key = await users.add("user")
    other_session = open_session(server, old_key)
    async with connect(server.url, old_key) as client:
        first = await client.ok("reset-api-key", {})
        assert first["result"] is None and first["nextSteps"]
        assert rpc(server, other_session, LIST).status_code == 200  # nothing changed yet
        body = await client.ok("reset-api-key", {"userConfirmed": True})
    new_key = body["result"]["apiKey"]
    users.keys.append(new_key)
    assert body["result"]["email"] == email and new_key != old_key
    assert wait_until_gone(server, other_session) == 404
    refused = httpx.post(f"{server.url}/mcp", json=INIT, headers={**ACCEPT, "x-apikey": old_key})
    assert refused.status_code == 401
    async with connect(server.url, new_key) as client:
        assert (await client.ok("user-info"))["result"]["email"] == email


async def test_admin_resets_another_users_key(server: ServerProcess, users: Users) -> None:
    email, old_key = await users.add("power-user")
    session = open_session(server, old_key)
    async with connect(server.url, ADMIN_KEY) as admin:
        body = await admin.ok("reset-api-key", {"email": email, "userConfirmed": True})
    users.keys.append(body["result"]["apiKey"])
    assert wait_until_gone(server, session) == 404


async def test_deleting_a_user_closes_their_sessions_and_their_calls_fail(server: ServerProcess, users: Users) -> None:
    email, key = await users.add("user")
    session = open_session(server, key)
    async with connect(server.url, ADMIN_KEY) as admin:
        body = await admin.ok("delete-user", {"email": email})
        assert body["result"] == {"success": True, "email": email}
        assert "themselves" in await admin.error("delete-user", {"email": "admin@example.com"})
        assert "not found" in await admin.error("remove-user", {"email": email})
    assert wait_until_gone(server, session) == 404
    assert httpx.post(f"{server.url}/mcp", json=INIT, headers={**ACCEPT, "x-apikey": key}).status_code == 401


@pytest.fixture(scope="module")
def strict_server() -> ServerProcess:
    process = ServerProcess({"SINGLE_SESSION_PER_USER": "true", "SESSION_IDLE_TIMEOUT_SECONDS": "2"}).start()
    yield process  # type: ignore[misc]
    process.stop()


def test_single_session_mode_closes_the_earlier_session(strict_server: ServerProcess) -> None:
    first = open_session(strict_server, ADMIN_KEY)
    second = open_session(strict_server, ADMIN_KEY)
    assert wait_until_gone(strict_server, first) == 404
    assert rpc(strict_server, second, LIST).status_code == 200


def test_idle_sessions_expire(strict_server: ServerProcess) -> None:
    session = open_session(strict_server, ADMIN_KEY)
    time.sleep(3.0)
    assert rpc(strict_server, session, LIST).status_code == 404


async def test_several_sessions_per_user_by_default(server: ServerProcess, users: Users) -> None:
    _, key = await users.add("user")
    sessions = [open_session(server, key) for _ in range(3)]
    assert all(rpc(server, s, LIST).status_code == 200 for s in sessions)
    # sessions are independent: ending one leaves the others
    httpx.delete(f"{server.url}/mcp", headers={"mcp-session-id": sessions[0]})
    assert rpc(server, sessions[0], LIST).status_code == 404
    assert rpc(server, sessions[1], LIST).status_code == 200
