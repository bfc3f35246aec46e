from __future__ import annotations

from tests.integration.conftest import Users
from tests.integration.harness import ADMIN_KEY, ServerProcess, connect


async def test_admin_sees_built_in_tools(server: ServerProcess) -> None:
    async with connect(server.url, ADMIN_KEY) as admin:
        names = await admin.tool_names()
    assert {"list-users", "add-user", "share-tool", "list-tools", "add-tool", "delete-tool"} <= names


async def test_plain_user_sees_only_user_tools(server: ServerProcess, users: Users) -> None:
    email, key = await users.add("user")
    async with connect(server.url, key) as client:
        names = await client.tool_names()
    assert "list-users" in names and "user-info" in names
    assert "add-user" not in names and "add-tool" not in names
