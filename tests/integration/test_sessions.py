"""key reset and deletion end sessions; one-session mode; idle expiry."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import Users
from tests.integration.harness import ADMIN_KEY, ServerProcess, connect
from tests.integration.test_transport import ACCEPT, INIT, open_session, rpc, session_headers

LIST = {"jsonrpc": "2.0", "id": 9, "method": "tools/list"}


def wait_until_gone(server: ServerProcess, session_id: str, timeout: float = 30.0, key: str | None = None) -> int:
    """404 once the session is closed; ``key`` replaces the one it was opened with (after a reset)."""
    deadline = time.monotonic() + timeout
    status = 0
    while time.monotonic() < deadline:
        status = rpc(server, session_id, LIST, **({"x-apikey": key} if key else {})).status_code
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
    assert rpc(server, other_session, LIST).status_code == 401  # its old key no longer works
    assert wait_until_gone(server, other_session, key=new_key) == 404
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
    assert wait_until_gone(server, session, key=body["result"]["apiKey"]) == 404


async def test_deleting_a_user_closes_their_sessions_and_their_calls_fail(server: ServerProcess, users: Users) -> None:
    email, key = await users.add("user")
    session = open_session(server, key)
    async with connect(server.url, ADMIN_KEY) as admin:
        body = await admin.ok("delete-user", {"email": email})
        assert body["result"] == {"success": True, "email": email}
        assert "themselves" in await admin.error("delete-user", {"email": "admin@example.com"})
        assert "not found" in await admin.error("remove-user", {"email": email})
    assert rpc(server, session, LIST).status_code == 401  # the user and so their key are gone
    assert httpx.post(f"{server.url}/mcp", json=INIT, headers={**ACCEPT, "x-apikey": key}).status_code == 401


@pytest.fixture(scope="module")
def strict_server() -> Iterator[ServerProcess]:
    """Single-session mode with the default idle timeout: a loaded machine must not expire the winner."""
    process = ServerProcess({"SINGLE_SESSION_PER_USER": "true"}).start()
    yield process
    process.stop()


IDLE_SECONDS = 2


@pytest.fixture(scope="module")
def idle_server() -> Iterator[ServerProcess]:
    # Its own server: a 2 s idle timeout on a shared one would expire other tests' sessions
    # whenever a loaded machine stalls them for two seconds.
    process = ServerProcess({"SESSION_IDLE_TIMEOUT_SECONDS": str(IDLE_SECONDS)}).start()
    yield process
    process.stop()


def test_single_session_mode_closes_the_earlier_session(strict_server: ServerProcess) -> None:
    first = open_session(strict_server, ADMIN_KEY)
    second = open_session(strict_server, ADMIN_KEY)
    assert wait_until_gone(strict_server, first) == 404
    assert rpc(strict_server, second, LIST).status_code == 200


def test_idle_sessions_expire(idle_server: ServerProcess) -> None:
    session = open_session(idle_server, ADMIN_KEY)
    assert rpc(idle_server, session, LIST).status_code == 200
    # Every probe is a use that restarts the idle clock, so each one comes after a full idle
    # period; a few tries let a stalled server's expiry task run.
    status = 200
    for _ in range(5):
        time.sleep(IDLE_SECONDS + 1.5)
        status = rpc(idle_server, session, LIST).status_code
        if status == 404:
            break
    assert status == 404


async def test_several_sessions_per_user_by_default(server: ServerProcess, users: Users) -> None:
    _, key = await users.add("user")
    sessions = [open_session(server, key) for _ in range(3)]
    assert all(rpc(server, s, LIST).status_code == 200 for s in sessions)
    # sessions are independent: ending one leaves the others
    httpx.delete(f"{server.url}/mcp", headers=session_headers(sessions[0]))
    assert rpc(server, sessions[0], LIST).status_code == 404
    assert rpc(server, sessions[1], LIST).status_code == 200


def _answer(response: httpx.Response) -> dict[str, object]:
    """The JSON-RPC message of a response, from a JSON body or the SSE stream's data line."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return dict(response.json())
    data = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
    assert data, f"no complete message in {response.status_code} {response.text!r}"
    return dict(json.loads(data[-1]))


async def test_concurrent_initializes_in_single_session_mode_all_get_whole_answers(
    strict_server: ServerProcess,
) -> None:
    headers = {**ACCEPT, "x-apikey": ADMIN_KEY}
    async with httpx.AsyncClient(base_url=strict_server.url, timeout=30) as client:

        async def initialize_and_list() -> tuple[str, int]:
            opened = await client.post("/mcp", json=INIT, headers=headers)
            assert opened.status_code == 200 and "result" in _answer(opened)
            session = opened.headers["mcp-session-id"]
            with_session = {**headers, "mcp-session-id": session}
            await client.post(
                "/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=with_session
            )
            listed = await client.post("/mcp", json=LIST, headers=with_session)
            assert listed.status_code in (200, 404), listed.text
            body = _answer(listed)  # raises when the stream was cut short
            assert ("result" in body) == (listed.status_code == 200)
            return session, listed.status_code

        outcomes = await asyncio.gather(*(initialize_and_list() for _ in range(10)))
    survivors = [s for s, _ in outcomes if rpc(strict_server, s, LIST, **{"x-apikey": ADMIN_KEY}).status_code == 200]
    assert len(survivors) == 1
