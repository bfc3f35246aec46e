"""Every built-in tool of docs/access.md through a real MCP client, with its errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.integration.conftest import Users
from tests.integration.harness import ADMIN_EMAIL, ADMIN_KEY, ServerProcess, connect


def email() -> str:
    return f"u-{uuid.uuid4().hex[:8]}@example.com"


async def test_user_management_tools(server: ServerProcess, users: Users) -> None:
    async with connect(server.url, ADMIN_KEY) as admin:
        # add-user
        new = email()
        added = await admin.ok("add-user", {"email": new, "name": "Zed Zebra", "roles": ["power-user"]})
        assert added["result"]["email"] == new and added["result"]["roles"] == ["power-user"]
        users.keys.append(added["result"]["apiKey"])
        assert "Email is required" in await admin.error("add-user", {"email": ""})
        assert "already exists" in await admin.error("add-user", {"email": new})
        assert "roles" in await admin.error("add-user", {"email": email(), "roles": ["superuser"]})
        # list-users
        listed = await admin.ok("list-users", {"nameContains": "zebra"})
        assert listed["result"] == {"users": [{"email": new, "name": "Zed Zebra"}], "total": 1}
        assert (await admin.ok("list-users", {"limit": 1}))["result"]["total"] == 1
        assert (await admin.ok("list-users", {"nameContains": ".*"}))["result"]["total"] == 0
        # update-user
        updated = await admin.ok("update-user", {"email": new, "name": "Zed", "roles": ["user"]})
        assert updated["result"]["name"] == "Zed" and updated["result"]["roles"] == ["user"]
        assert "apiKey" not in updated["result"]
        assert "not found" in await admin.error("update-user", {"email": email(), "name": "x"})
        assert "apiKey" in await admin.error("update-user", {"email": new, "apiKey": "stolen"})
        # user-info
        info = await admin.ok("user-info", {"email": new})
        assert info["result"]["email"] == new and "apiKey" not in info["result"]
        assert info["result"]["apiKeyPrefix"] == added["result"]["apiKey"][:8]
        missing = await admin.ok("user-info", {"email": "ghost@example.com"})
        assert missing["result"] is None and missing["message"] == "User 'ghost@example.com' not found"
        # delete-user / remove-user
        assert (await admin.ok("remove-user", {"email": new}))["result"] == {"success": True, "email": new}
        assert "email" in (await admin.error("delete-user", {})).lower()  # schema or use case: both name it
        assert "Email is required" in await admin.error("delete-user", {"email": " "})


async def test_user_info_for_non_admins(server: ServerProcess, users: Users) -> None:
    me, key = await users.add("user", name="Me Myself")
    async with connect(server.url, key) as client:
        mine = (await client.ok("user-info"))["result"]
        assert mine["email"] == me and mine["roles"] == ["user"] and "apiKey" not in mine
        other = (await client.ok("user-info", {"email": ADMIN_EMAIL}))["result"]
        assert other == {"exists": True, "name": "Admin User", "email": ADMIN_EMAIL}
        # update-user is admin-only (rolesPermitted ["admin"]), as in the original
        assert "update-user" not in await client.tool_names()


@pytest.fixture(scope="module")
def unvalidated_server() -> Iterator[ServerProcess]:
    """VALIDATE_TOOL_INPUT=false: the use cases' own messages (docs/access.md) are what callers see."""
    process = ServerProcess({"VALIDATE_TOOL_INPUT": "false"}).start()
    yield process
    process.stop()


async def test_missing_arguments_are_named_by_the_schema_check(server: ServerProcess) -> None:
    async with connect(server.url, ADMIN_KEY) as admin:
        error = await admin.error("share-tool", {"email": ADMIN_EMAIL})
        assert error == "Error: Invalid arguments for tool share-tool: 'toolId' is a required property"


async def test_use_case_messages_without_schema_validation(unvalidated_server: ServerProcess) -> None:
    async with connect(unvalidated_server.url, ADMIN_KEY) as client:
        assert "email, toolId, and accessLevel are required" in await client.error("share-tool", {"email": "a@b"})
        missing = await client.error("share-tool", {"email": "ghost@example.com", "toolId": "x", "accessLevel": "read"})
        assert "User 'ghost@example.com' not found" in missing
        assert "email and toolId are required" in await client.error("unshare-tool", {"email": "a@b"})
        assert "not found" in await client.error("unshare-tool", {"email": "ghost@example.com", "toolId": "x"})
        assert "Email is required" in await client.error("add-user", {})
        assert "Email is required" in await client.error("update-user", {})
        assert "Email is required" in await client.error("delete-user", {})
        assert "toolId must be an array of strings" in await client.error("hide-tool", {"toolId": "list-users"})
        assert "toolId must be an array of strings" in await client.error("unhide-tool", {})
        assert "A valid toolDefinition object with a name is required" in await client.error("add-tool", {})
        assert "A valid tool name is required for update" in await client.error("update-tool", {})
        assert "A valid updates object is required" in await client.error("update-tool", {"name": "list-users"})
        assert "Tool name is required for deletion" in await client.error("delete-tool", {})
        assert "limit must be an integer" in await client.error("list-users", {"limit": "ten"})


async def test_hide_and_unhide_errors(server: ServerProcess, users: Users) -> None:
    _, key = await users.add("user")
    async with connect(server.url, key) as client:
        assert "toolId" in await client.error("hide-tool", {"toolId": "list-users"})
        assert "not found" in await client.error("hide-tool", {"toolId": ["no-such-tool"]})


async def test_tool_management_tools(server: ServerProcess, users: Users) -> None:
    owner, key = await users.add("power-user")
    name = f"t-{uuid.uuid4().hex[:6]}"
    definition = {
        "name": name,
        "description": "v1",
        "inputSchema": {"type": "object", "properties": {"nameContains": {"type": "string"}}, "required": []},
        "handler": {"type": "echo", "config": {}},
        "annotations": {"title": "Mine", "readOnlyHint": True},
    }
    async with connect(server.url, key) as client:
        assert (await client.ok("add-tool", {"toolDefinition": definition}))["result"] == {
            "success": True,
            "name": name,
        }
        listed = (await client.session.list_tools()).tools
        mine = next(t for t in listed if t.name == name)
        assert mine.description == "v1" and mine.annotations and mine.annotations.title == "Mine"
        assert set(mine.model_dump(exclude_none=True)) <= {"name", "description", "input_schema", "annotations"}
        # add-tool validation
        assert "valid toolDefinition" in await client.error("add-tool", {"toolDefinition": {}})
        assert "':'" in await client.error("add-tool", {"toolDefinition": {**definition, "name": "a:b"}})
        no_handler = {k: v for k, v in definition.items() if k != "handler"}
        assert "handler" in await client.error("add-tool", {"toolDefinition": no_handler})
        no_schema = {k: v for k, v in definition.items() if k != "inputSchema"}
        assert "inputSchema" in await client.error("add-tool", {"toolDefinition": no_schema})
        unknown = {**definition, "handler": {"type": "nope", "config": {}}}
        assert "Unknown handler type: nope" in await client.error("add-tool", {"toolDefinition": unknown})
        # update-tool
        body = await client.ok("update-tool", {"name": name, "updates": {"description": "v2"}})
        assert body["result"]["success"] is True and body["result"]["updated"]["description"] == "v2"
        assert "A valid updates object is required" in await client.error("update-tool", {"name": name, "updates": {}})
        assert "Cannot update" in await client.error("update-tool", {"name": name, "updates": {"creator": "x"}})
        assert "not found" in await client.error("update-tool", {"name": "ghost", "updates": {"description": "x"}})
        # arguments are validated against the tool's inputSchema (docs/compatibility.md)
        assert "nameContains" in await client.error(name, {"nameContains": 42})
        # list-tools
        listing = await client.ok("list-tools", {"nameContains": name})
        assert listing["result"]["visibleTools"][0]["name"] == name and listing["result"]["filtered"] is True
        assert (await client.ok(name, {"nameContains": "abc"}))["result"] == {"nameContains": "abc"}
        # delete-tool
        await client.ok("hide-tool", {"toolId": [name]})
        assert (await client.ok("delete-tool", {"name": f"{owner}:{name}"}))["result"] == {
            "success": True,
            "name": name,
        }
        assert "Tool name is required for deletion" in await client.error("delete-tool", {})
        assert f"Tool with name '{name}' not found" in await client.error("delete-tool", {"name": name})
        assert (await client.ok("user-info"))["result"]["hiddenTools"] == []


async def test_plain_users_cannot_manage_tools(server: ServerProcess, users: Users) -> None:
    _, key = await users.add("user")
    async with connect(server.url, key) as client:
        tools = await client.tool_names()
        assert not {"add-tool", "update-tool", "delete-tool", "share-tool"} & tools
        assert "not authorized" in (await client.error("add-tool", {"toolDefinition": {"name": "x"}})).lower()


async def test_wrong_argument_types_and_unknown_tools_are_tool_errors(server: ServerProcess) -> None:
    async with connect(server.url, ADMIN_KEY) as admin:
        assert "limit" in await admin.error("list-users", {"limit": "ten"})
        assert "email" in await admin.error("add-user", {})
        assert await admin.error("no-such-tool") == "Error: Tool no-such-tool not found or not authorized for user."
        assert "list-users" in await admin.tool_names()  # still serving
