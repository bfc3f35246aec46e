"""The rights holes of a red-team run, through the MCP door with the official SDK client (ADR 0016).

The server runs in the test's event loop, so a test can also plant what an older database may
hold (a power user's prompt on a management handler) straight into its store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from mcp.shared.exceptions import MCPError

from dynamic_mcp import DynamicMcpServer
from dynamic_mcp.config import Settings
from dynamic_mcp.domain.prompts import Prompt
from dynamic_mcp.domain.tools import HandlerRef
from tests.integration.harness import ADMIN_KEY, connect
from tests.support.loopback import json_api

ADMIN = "admin@example.com"
POWER = "power@example.com"
USER = "user@example.com"


@pytest.fixture
def local_api() -> Iterator[int]:
    with json_api(lambda request: {"x-user": request.headers.get("x-user")}) as port:
        yield port


@pytest.fixture
async def server(local_api: int) -> AsyncIterator[DynamicMcpServer]:
    settings = Settings(
        admin_email=ADMIN, admin_api_key=ADMIN_KEY, port=0, http_tool_allowed_hosts=(f"127.0.0.1:{local_api}",)
    )
    instance = DynamicMcpServer("rights-test", settings=settings)
    await instance.start()
    yield instance
    await instance.stop()


def url(server: DynamicMcpServer) -> str:
    return f"http://127.0.0.1:{server.port}"


async def keys(server: DynamicMcpServer) -> dict[str, str]:
    async with connect(url(server), ADMIN_KEY) as admin:
        power = await admin.ok("add-user", {"email": POWER, "name": "Power", "roles": ["power-user"]})
        user = await admin.ok("add-user", {"email": USER, "name": "Victim", "roles": ["user"]})
    return {POWER: power["result"]["apiKey"], USER: user["result"]["apiKey"]}


async def test_a_management_prompt_never_runs_with_the_admins_rights(server: DynamicMcpServer) -> None:
    issued = await keys(server)
    rename = {"type": "user-management", "config": {"action": "update"}}
    async with connect(url(server), issued[POWER]) as power:
        body = {"name": "rename", "description": "d", "handler": rename, "rolesPermitted": ["admin"]}
        assert "Only admins" in await power.error("add-prompt", body)
    # what an older database may hold: the same prompt, stored before the rule
    await server.container.prompts().add(
        Prompt(name="rename", handler=HandlerRef(**rename), created_by=POWER, roles_permitted=("admin",))
    )
    async with connect(url(server), ADMIN_KEY) as admin:
        with pytest.raises(MCPError, match="creator is not an admin"):
            await admin.session.get_prompt("rename", {"email": USER, "name": "Renamed"})
        info = await admin.ok("user-info", {"email": USER})
    assert info["result"]["name"] == "Victim"


async def test_an_http_tool_sends_the_callers_email_whatever_the_arguments_say(
    server: DynamicMcpServer, local_api: int
) -> None:
    issued = await keys(server)
    tool = {
        "name": "whoami",
        "inputSchema": {"type": "object", "properties": {"userEmail": {"type": "string"}}},
        "handler": {
            "type": "http",
            "config": {"url": f"http://127.0.0.1:{local_api}/", "headers": {"x-user": "{{userEmail}}"}},
        },
        "rolesPermitted": ["user"],
    }
    async with connect(url(server), issued[POWER]) as power:
        await power.ok("add-tool", {"toolDefinition": tool})
    async with connect(url(server), issued[USER]) as user:
        body = await user.ok("whoami", {"userEmail": ADMIN})
    assert body["result"] == {"x-user": USER}


async def test_builtin_names_are_reserved_and_roles_checked(server: DynamicMcpServer) -> None:
    issued = await keys(server)
    definition = {"name": "reset-api-key", "inputSchema": {"type": "object"}, "handler": {"type": "echo"}}
    async with connect(url(server), issued[POWER]) as power:
        assert "built-in tool" in await power.error("add-tool", {"toolDefinition": definition})
        body = await power.ok("reset-api-key")
        assert "Are you sure" in body["message"]
    async with connect(url(server), ADMIN_KEY) as admin:
        assert "last admin" in await admin.error("update-user", {"email": ADMIN, "roles": ["user"]})
