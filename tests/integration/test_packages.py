"""Handler packages through the public API (docs/access.md, docs/tools.md, docs/protocol.md), served for real over
HTTP by DynamicMcpServer inside the test's event loop and driven by the SDK client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from examples.echo_server import GREETINGS
from mcp.shared.exceptions import MCPError

from dynamic_mcp import DynamicMcpServer, HandlerPackage
from dynamic_mcp.config import Settings
from tests.integration.harness import ADMIN_KEY, TOOLS_CHANGED, connect
from tests.support.loopback import json_api

PROMPTS_CHANGED = "notifications/prompts/list_changed"


def settings(**overrides: Any) -> Settings:
    return Settings(admin_email="admin@example.com", admin_api_key=ADMIN_KEY, port=0, **overrides)


@pytest.fixture
async def server() -> AsyncIterator[DynamicMcpServer]:
    instance = DynamicMcpServer("packages-test", "1.0.0", settings=settings(template_env_allowlist=("DMCP_ALLOWED",)))
    await instance.register_handler(GREETINGS)
    await instance.start()
    yield instance
    await instance.stop()


def url(server: DynamicMcpServer) -> str:
    return f"http://127.0.0.1:{server.port}"


async def add_user(server: DynamicMcpServer, role: str, email: str) -> str:
    async with connect(url(server), ADMIN_KEY) as admin:
        body = await admin.ok("add-user", {"email": email, "roles": [role]})
    return str(body["result"]["apiKey"])


async def test_package_registered_before_start_serves_tools_prompts_and_routes(server: DynamicMcpServer) -> None:
    key = await add_user(server, "user", "u@example.com")
    async with connect(url(server), key) as client:
        assert "echo" in await client.tool_names()
        body = await client.ok("echo", {"text": "hi"})
        assert body["result"] == {"echo": {"text": "hi"}, "prefix": "", "user": "u@example.com"}
        prompt = await client.session.get_prompt("greeting", {"name": "Ada"})
        assert prompt.messages[0].content.text == "Say hello to Ada."
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{url(server)}/echo/ping")).json() == {"pong": "echo"}


async def test_package_registered_after_start_notifies_connected_clients(server: DynamicMcpServer) -> None:
    async def late_handler(args: dict[str, Any], context: Any, config: Any, progress: Any) -> dict[str, Any]:
        return {"result": "late"}

    late = HandlerPackage(
        name="late",
        tools=[
            {
                "name": "late-tool",
                "inputSchema": {"type": "object"},
                "handler": {"type": "late", "config": {}},
                "rolesPermitted": ["user"],
            }
        ],
        handler=late_handler,
    )
    key = await add_user(server, "user", "late@example.com")
    async with connect(url(server), key) as client:
        assert "late-tool" not in await client.tool_names()
        await server.register_handler(late)
        assert await client.wait_for(TOOLS_CHANGED)
        assert "late-tool" in await client.tool_names()
        assert (await client.ok("late-tool"))["result"] == "late"


async def test_user_tool_reusing_a_package_handler_receives_mapped_arguments(
    server: DynamicMcpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DMCP_ALLOWED", "visible")
    monkeypatch.setenv("DMCP_SECRET", "hidden")
    key = await add_user(server, "power-user", "mapper@example.com")
    tool = {
        "name": "mapped-echo",
        "inputSchema": {"type": "object", "properties": {"count": {"type": "integer"}, "who": {"type": "string"}}},
        "handler": {
            "type": "greetings",
            "config": {
                "prefix": ">",
                "argMappings": {
                    "n": "{{count}}",
                    "greeting": "hello {{ who }} from {{userEmail}}",
                    "nested": [{"allowed": "{{DMCP_ALLOWED}}", "secret": "{{DMCP_SECRET}}"}],
                    "who": "overridden",
                },
            },
        },
    }
    async with connect(url(server), key) as client:
        await client.ok("add-tool", {"toolDefinition": tool})
        body = await client.ok("mapped-echo", {"count": 3, "who": "bob"})
    echoed = body["result"]["echo"]
    assert echoed["n"] == 3  # a whole-string placeholder keeps its type
    assert echoed["greeting"] == "hello bob from mapper@example.com"
    assert echoed["nested"] == [{"allowed": "visible", "secret": ""}]  # env only when allowlisted
    assert echoed["who"] == "overridden"  # mapped keys win over caller keys
    assert body["result"]["prefix"] == ">"


async def test_progress_reaches_the_calling_session_only(server: DynamicMcpServer) -> None:
    key = await add_user(server, "user", "progress@example.com")
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    async with connect(url(server), key) as caller, connect(url(server), key) as other:
        result = await caller.session.call_tool("echo", {"text": "x"}, progress_callback=on_progress)
        assert not result.is_error
        assert seen == [1]
        assert other.count("notifications/progress") == 0


async def test_prompts_follow_roles_and_management_rules(server: DynamicMcpServer) -> None:
    power_key = await add_user(server, "power-user", "pp@example.com")
    user_key = await add_user(server, "user", "pu@example.com")
    async with connect(url(server), power_key) as power, connect(url(server), user_key) as user:
        restricted = {
            "name": "power-only",
            "description": "For power users",
            "handler": {"type": "greetings", "config": {}},
            "rolesPermitted": ["power-user"],
            "arguments": [{"name": "name", "required": True}],
        }
        added = await power.ok("add-prompt", restricted)
        assert added["result"]["success"] is True
        assert await user.wait_for(PROMPTS_CHANGED)
        assert "power-only" in {p.name for p in (await power.session.list_prompts()).prompts}
        assert "power-only" not in {p.name for p in (await user.session.list_prompts()).prompts}
        with pytest.raises(MCPError, match="not found"):
            await user.session.get_prompt("power-only", {"name": "x"})
        with pytest.raises(MCPError, match="Missing required argument"):
            await power.session.get_prompt("power-only", {})
        listed = (await user.ok("list-prompts"))["result"]["prompts"]
        assert {p["name"] for p in listed} == {"greeting"}
        assert "config" not in listed[0]["handler"]  # config only for admins and the creator
        assert "already exists" in await power.error("add-prompt", restricted)
        assert "Prompt description is required" in await power.error(
            "add-prompt", {"name": "x", "description": "", "handler": {"type": "greetings", "config": {}}}
        )
        assert "Unknown handler type" in await power.error(
            "add-prompt", {"name": "x", "description": "d", "handler": {"type": "nope", "config": {}}}
        )
        updated = await power.ok("update-prompt", {"name": "power-only", "updates": {"rolesPermitted": ["user"]}})
        assert updated["result"]["prompt"]["rolesPermitted"] == ["user"]
        assert "power-only" in {p.name for p in (await user.session.list_prompts()).prompts}
        assert "permission" in await power.error("delete-prompt", {"name": "greeting"})  # a package prompt
        deleted = await power.ok("delete-prompt", {"name": "power-only"})
        assert deleted["result"]["deletedPrompt"]["name"] == "power-only"


@pytest.fixture
def local_api() -> Iterator[int]:
    with json_api(lambda request: {"path": request.path, "auth": request.headers.get("authorization")}) as port:
        yield port


def http_tool(port: int) -> dict[str, Any]:
    return {
        "name": "local-api",
        "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
        "handler": {
            "type": "http",
            "config": {
                "method": "GET",
                "url": f"http://127.0.0.1:{port}/search",
                "query": {"q": "{{q}}", "who": "{{userEmail}}"},
                "headers": {"authorization": "Bearer {{q}}"},
                "timeoutSeconds": 5,
            },
        },
    }


async def test_http_tool_calls_an_explicitly_allowed_loopback_api(local_api: int) -> None:
    instance = DynamicMcpServer("http-test", settings=settings(http_tool_allowed_hosts=(f"127.0.0.1:{local_api}",)))
    await instance.start()
    try:
        async with connect(url(instance), ADMIN_KEY) as admin:
            await admin.ok("add-tool", {"toolDefinition": http_tool(local_api)})
            body = await admin.ok("local-api", {"q": "cats"})
        assert body["result"] == {"path": "/search?q=cats&who=admin%40example.com", "auth": "Bearer cats"}
    finally:
        await instance.stop()


async def test_http_tool_refuses_private_addresses_by_default(server: DynamicMcpServer, local_api: int) -> None:
    async with connect(url(server), ADMIN_KEY) as admin:
        await admin.ok("add-tool", {"toolDefinition": http_tool(local_api)})
        error = await admin.error("local-api", {"q": "cats"})
        assert "non-public address" in error
        other = http_tool(local_api)
        other["name"] = "metadata"
        other["handler"]["config"]["url"] = "http://169.254.169.254/latest/meta-data"
        await admin.ok("add-tool", {"toolDefinition": other})
        assert "non-public address" in await admin.error("metadata", {"q": "x"})


async def test_prompts_capability_is_advertised(server: DynamicMcpServer) -> None:
    async with connect(url(server), ADMIN_KEY) as admin:
        init = await admin.session.initialize()
    assert init.capabilities.prompts and init.capabilities.prompts.list_changed is True
