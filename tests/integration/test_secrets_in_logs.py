"""A full scenario at debug level, in both storage modes: no issued API key and no session id may
appear whole anywhere in the server's log (JSON lines, libraries' lines included)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests.integration.conftest import storage_env
from tests.integration.harness import ADMIN_KEY, ServerProcess, connect
from tests.integration.test_transport import ACCEPT, INIT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def raw_session(server: ServerProcess, key: str, via: str) -> str:
    headers = {**ACCEPT}
    url = f"{server.url}/mcp"
    if via == "header":
        headers["x-apikey"] = key
    elif via == "bearer":
        headers["authorization"] = f"Bearer {key}"
    else:
        url += f"?apiKey={key}"
    response = httpx.post(url, json=INIT, headers=headers)
    assert response.status_code == 200, response.text
    session = response.headers["mcp-session-id"]
    session_headers = {**headers, "mcp-session-id": session}
    httpx.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=session_headers)
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "user-info", "arguments": {}}}
    assert httpx.post(url, json=call, headers=session_headers).status_code == 200
    httpx.post(url, json={"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, headers=session_headers)
    return session


@pytest.mark.parametrize("mode", ["memory", pytest.param("mongo", marks=pytest.mark.mongo)])
async def test_no_key_or_session_id_appears_whole_in_a_debug_log(request: pytest.FixtureRequest, mode: str) -> None:
    env = {**storage_env(request, mode, "secrets"), "LOG_LEVEL": "debug", "AUDIT_ARGUMENTS": "full"}
    server = ServerProcess(env).start(timeout=120)
    keys = [ADMIN_KEY]
    sessions: list[str] = []
    try:
        async with connect(server.url, ADMIN_KEY) as admin:
            for n in range(2):
                created = await admin.ok("add-user", {"email": f"s{n}@example.com", "roles": ["power-user"]})
                keys.append(created["result"]["apiKey"])
            reset = await admin.ok("reset-api-key", {"email": "s0@example.com", "userConfirmed": True})
            keys.append(reset["result"]["apiKey"])
            # A key passed as an argument value must not reach the log either (nor the audit).
            await admin.call("list-users", {"nameContains": keys[-1]})
        rest = httpx.post(
            f"{server.url}/api/v1/users", headers={"x-apikey": ADMIN_KEY}, json={"email": "r@example.com"}
        )
        keys.append(rest.json()["apiKey"])
        reset_rest = httpx.post(
            f"{server.url}/api/v1/users/r@example.com/api-key/reset",
            headers={"x-apikey": ADMIN_KEY},
            json={"confirm": True},
        )
        keys.append(reset_rest.json()["apiKey"])
        live = [keys[2], keys[3], keys[5]]
        for key, via in zip(live, ["header", "bearer", "query"], strict=True):
            sessions.append(raw_session(server, key, via))
        async with connect(server.url, keys[3], via="apiKey") as user:
            await user.ok("user-info")
            await user.error("no-such-tool")
        httpx.get(f"{server.url}/api/v1/me?apiKey={keys[5]}")
        httpx.get(f"{server.url}/api/v1/audit", headers={"x-apikey": ADMIN_KEY})
        httpx.post(f"{server.url}/mcp?apiKey={keys[1]}", json=INIT, headers=ACCEPT)  # a replaced key: refused
        httpx.delete(f"{server.url}/mcp", headers={"mcp-session-id": sessions[0], "x-apikey": keys[2]})
        cli = subprocess.run(
            [sys.executable, "-m", "dynamic_mcp.cli", "users", "list", "--url", server.url],
            env={**server.env, "DYNAMIC_MCP_API_KEY": ADMIN_KEY},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert cli.returncode == 0, cli.stderr
    finally:
        server.stop()
    log = server.log()
    assert '"level": "debug"' in log  # the libraries' debug output is really there
    assert "tool call" in log
    leaked = [secret for secret in [*keys, *sessions] if secret in log]
    assert not leaked, f"{len(leaked)} secrets found whole in the log"
