"""The admin REST API on the real server process, in both storage modes: one rule, two doors.

A share made over REST reaches the recipient's live MCP session as tools/list_changed, exactly as
the share-tool MCP tool does (docs/protocol.md, docs/access.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.integration.harness import ADMIN_KEY, TOOLS_CHANGED, ServerProcess, connect

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["memory", pytest.param("mongo", marks=pytest.mark.mongo)])
def rest_server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    env: dict[str, str] = {}
    if request.param == "mongo":
        uri: str = request.getfixturevalue("mongo_uri")
        new_name: Callable[[str], str] = request.getfixturevalue("fresh_database_name")
        env = {"MONGODB_URI": uri, "MONGODB_DB": new_name("rest")}
    process = ServerProcess(env).start()
    yield process
    process.stop()


def api(server: ServerProcess, key: str) -> httpx.Client:
    return httpx.Client(base_url=f"{server.url}/api/v1", headers={"x-apikey": key}, timeout=30.0)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_share_over_rest_notifies_the_recipients_mcp_session(rest_server: ServerProcess) -> None:
    suffix = uuid.uuid4().hex[:8]
    owner, recipient, tool = f"owner-{suffix}@example.com", f"recipient-{suffix}@example.com", f"rest-{suffix}"
    with api(rest_server, ADMIN_KEY) as admin:
        owner_key = ok(admin.post("/users", json={"email": owner, "roles": ["power-user"]}), 201)["apiKey"]
        recipient_key = ok(admin.post("/users", json={"email": recipient, "roles": ["user"]}), 201)["apiKey"]
    definition = {"name": tool, "inputSchema": {"type": "object"}, "handler": {"type": "echo", "config": {}}}
    with api(rest_server, owner_key) as rest:
        ok(rest.post("/tools", json=definition), 201)
        async with connect(rest_server.url, recipient_key) as session:
            assert tool not in await session.tool_names()
            shared = ok(rest.post("/shares", json={"email": recipient, "toolId": tool, "accessLevel": "read"}), 201)
            assert shared["sharedTools"][0]["toolId"] == f"{owner}:{tool}"
            assert await session.wait_for(TOOLS_CHANGED)
            assert tool in await session.tool_names()
            assert (await session.ok(tool, {"hello": "rest"}))["result"] == {"hello": "rest"}
            ok(rest.delete("/shares", params={"email": recipient, "toolId": tool}))
            assert await session.wait_for(TOOLS_CHANGED, at_least=2)
            assert tool not in await session.tool_names()


def test_rest_errors_are_problem_details_on_the_real_server(rest_server: ServerProcess) -> None:
    with api(rest_server, "not-a-key") as stranger:
        response = stranger.get("/users")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"].startswith("Invalid apiKey")
    with api(rest_server, ADMIN_KEY) as admin:
        missing = admin.get("/users/nobody-at-all@example.com")
        assert missing.status_code == 404 and missing.json()["status"] == 404
        assert httpx.get(f"{rest_server.url}/schema/openapi.json", timeout=10).json()["paths"]
