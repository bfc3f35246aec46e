"""docs/access.md, docs/configuration.md: API keys never reach the logs, except the one-time admin creation line."""

from __future__ import annotations

import re

import httpx

from tests.integration.harness import ADMIN_KEY, ServerProcess, connect
from tests.integration.test_transport import ACCEPT, INIT


async def test_no_api_key_appears_in_the_server_log() -> None:
    server = ServerProcess().start()
    issued = [ADMIN_KEY]
    try:
        async with connect(server.url, ADMIN_KEY, via="apiKey") as admin:
            for n in range(3):
                body = await admin.ok("add-user", {"email": f"log{n}@example.com", "roles": ["user"]})
                issued.append(body["result"]["apiKey"])
            reset = await admin.ok("reset-api-key", {"email": "log0@example.com", "userConfirmed": True})
            issued.append(reset["result"]["apiKey"])
        revoked = issued[1]  # log0's first key, replaced by the reset
        for key in [k for k in issued[1:] if k != revoked]:
            async with connect(server.url, key, via="apikey") as client:
                await client.ok("user-info")
                await client.call("list-users", {"limit": "bad"})
        httpx.post(f"{server.url}/mcp?apiKey=wrong-key-value", json=INIT, headers=ACCEPT)
        httpx.post(f"{server.url}/mcp?apiKey={revoked}", json=INIT, headers=ACCEPT)
    finally:
        server.stop()
    log = server.log()
    assert "session" in log.lower()  # the log is real and verbose (debug level)
    for key in [*issued, "wrong-key-value"]:
        assert key not in log


def test_a_generated_admin_key_is_logged_exactly_once() -> None:
    server = ServerProcess({"MCP_ADMIN_API_KEY": ""}).start()
    try:
        match = re.search(r"created with API key: ([0-9a-f-]{36})", server.log())
        assert match, server.log()
        key = match.group(1)
        response = httpx.post(f"{server.url}/mcp", json=INIT, headers={**ACCEPT, "x-apikey": key})
        assert response.status_code == 200
    finally:
        server.stop()
    assert server.log().count(key) == 1
