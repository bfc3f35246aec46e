"""docs/access.md, docs/protocol.md through a real MCP client: who sees and calls what, and who is told."""

from __future__ import annotations

import uuid

from tests.integration.conftest import Users
from tests.integration.harness import ADMIN_KEY, TOOLS_CHANGED, ServerProcess, connect


def runtime_tool(name: str, **extra: object) -> dict[str, object]:
    """A user-created tool reusing a registered package handler (here: the built-in echo)."""
    return {
        "name": name,
        "description": f"{name} for tests",
        "inputSchema": {"type": "object", "properties": {"nameContains": {"type": "string"}}},
        "handler": {"type": "echo", "config": {"message": "ran " + name}},
        **extra,
    }


async def test_two_users_see_different_tools(server: ServerProcess, users: Users) -> None:
    alice, alice_key = await users.add("power-user")
    _, bob_key = await users.add("power-user")
    name = f"alice-{uuid.uuid4().hex[:6]}"
    async with connect(server.url, alice_key) as a, connect(server.url, bob_key) as b:
        await a.ok("add-tool", {"toolDefinition": runtime_tool(name)})
        assert name in await a.tool_names()
        assert name not in await b.tool_names()
        assert await b.error(name) == f"Error: Tool {name} not found or not authorized for user."


async def test_share_notifies_the_recipient_who_then_sees_and_calls_the_tool(
    server: ServerProcess, users: Users
) -> None:
    owner, owner_key = await users.add("power-user")
    recipient, recipient_key = await users.add("user")
    _, bystander_key = await users.add("user")
    name = f"shared-{uuid.uuid4().hex[:6]}"
    async with (
        connect(server.url, owner_key) as o,
        connect(server.url, recipient_key) as r,
        connect(server.url, bystander_key) as bystander,
    ):
        await o.ok("add-tool", {"toolDefinition": runtime_tool(name)})
        assert name not in await r.tool_names()
        body = await o.ok("share-tool", {"email": recipient, "toolId": name, "accessLevel": "read"})
        assert body["result"][0]["toolId"] == f"{owner}:{name}"
        assert await r.wait_for(TOOLS_CHANGED)
        assert name in await r.tool_names()
        assert (await r.ok(name, {"nameContains": "x"})) == {"result": {"nameContains": "x"}, "message": f"ran {name}"}
        await o.ok("unshare-tool", {"email": recipient, "toolId": name})
        assert await r.wait_for(TOOLS_CHANGED, at_least=2)
        assert name not in await r.tool_names()
        assert bystander.count(TOOLS_CHANGED) == 0


async def test_every_session_of_a_user_is_notified(server: ServerProcess, users: Users) -> None:
    owner, owner_key = await users.add("power-user")
    recipient, recipient_key = await users.add("user")
    async with (
        connect(server.url, owner_key) as o,
        connect(server.url, recipient_key, client_name="laptop") as laptop,
        connect(server.url, recipient_key, client_name="phone") as phone,
    ):
        name = f"multi-{uuid.uuid4().hex[:6]}"
        await o.ok("add-tool", {"toolDefinition": runtime_tool(name)})
        await o.ok("share-tool", {"email": recipient, "toolId": name, "accessLevel": "read"})
        assert await laptop.wait_for(TOOLS_CHANGED) and await phone.wait_for(TOOLS_CHANGED)


async def test_hidden_tool_leaves_the_list_but_stays_callable(server: ServerProcess, users: Users) -> None:
    _, key = await users.add("user")
    async with connect(server.url, key) as client:
        body = await client.ok("hide-tool", {"toolId": ["list-users"]})
        assert body["result"]["hiddenTools"] == ["user-management:list-users"]
        assert await client.wait_for(TOOLS_CHANGED)
        assert "list-users" not in await client.tool_names()
        assert "users" in (await client.ok("list-users"))["result"]
        listing = (await client.ok("list-tools"))["result"]
        assert listing["hiddenTools"] == ["list-users"]
        assert listing["total"] == len(listing["visibleTools"]) + 1
        assert "unhide-tool" in await client.tool_names()  # alwaysVisible
        assert "always" in (await client.error("hide-tool", {"toolId": ["list-tools"]})).lower()
        await client.ok("unhide-tool", {"toolId": ["list-users"]})
        assert "list-users" in await client.tool_names()


async def test_add_tool_notifies_every_user_who_can_reach_it_and_no_one_else(
    server: ServerProcess, users: Users
) -> None:
    _, creator_key = await users.add("power-user")
    _, role_holder_key = await users.add("user")
    _, other_power_key = await users.add("power-user")
    _, outsider_key = await users.add(None)
    async with (
        connect(server.url, creator_key) as creator,
        connect(server.url, role_holder_key) as role_holder,
        connect(server.url, other_power_key) as other_power,
        connect(server.url, outsider_key) as outsider,
        connect(server.url, ADMIN_KEY) as admin,
    ):
        name = f"roles-{uuid.uuid4().hex[:6]}"
        await creator.ok("add-tool", {"toolDefinition": runtime_tool(name, rolesPermitted=["user"])})
        assert await creator.wait_for(TOOLS_CHANGED)
        assert await role_holder.wait_for(TOOLS_CHANGED)
        assert await admin.wait_for(TOOLS_CHANGED)
        assert name in await role_holder.tool_names()
        # a power user also counts as a user (ADR 0015)
        assert await other_power.wait_for(TOOLS_CHANGED)
        assert name in await other_power.tool_names()
        assert not await outsider.wait_for(TOOLS_CHANGED, timeout=0.5)


async def test_namespaced_id_selects_among_same_named_tools(server: ServerProcess, users: Users) -> None:
    first, first_key = await users.add("power-user")
    second, second_key = await users.add("power-user")
    name = f"dup-{uuid.uuid4().hex[:6]}"
    async with connect(server.url, first_key) as a, connect(server.url, second_key) as b:
        await a.ok("add-tool", {"toolDefinition": runtime_tool(name)})
        await b.ok("add-tool", {"toolDefinition": runtime_tool(name)})
        await a.ok("share-tool", {"email": second, "toolId": name, "accessLevel": "read"})
        listing = (await b.ok("list-tools", {"nameContains": name}))["result"]
        duplicates = listing["duplicateBaseNames"]
        assert [d["baseName"] for d in duplicates] == [name]
        assert set(duplicates[0]["namespacedNames"]) == {f"{first}:{name}", f"{second}:{name}"}
        # a plain name picks the caller's own tool first (docs/access.md)
        assert "WARNING" in (await b.ok("list-tools", {"nameContains": name}))["message"]
        assert not (await b.call(f"{first}:{name}"))[0]
        assert (await a.call(f"{second}:{name}"))[0]  # not shared back: not authorized


async def test_power_user_escalations_fail_with_clear_errors(server: ServerProcess, users: Users) -> None:
    power, power_key = await users.add("power-user")
    victim, _ = await users.add("power-user")
    async with connect(server.url, power_key) as p, connect(server.url, ADMIN_KEY) as admin:
        # sharing an admin-only tool to oneself (docs/compatibility.md)
        error = await p.error("share-tool", {"email": power, "toolId": "add-user", "accessLevel": "write"})
        assert "not found" in error.lower() or "not permitted" in error.lower()
        error = await p.error(
            "share-tool", {"email": power, "toolId": "user-management:add-user", "accessLevel": "read"}
        )
        assert "not found" in error.lower() or "not permitted" in error.lower()
        # editing or deleting built-ins
        assert "Not authorized" in await p.error(
            "update-tool", {"name": "list-users", "updates": {"rolesPermitted": ["user", "power-user"]}}
        )
        assert "Not authorized" in await p.error("delete-tool", {"name": "list-tools"})
        # another user's tool
        name = f"victim-{uuid.uuid4().hex[:6]}"
        await admin.ok("add-tool", {"toolDefinition": runtime_tool(name, rolesPermitted=["power-user"])})
        assert "Not authorized" in await p.error("delete-tool", {"name": name})
        assert "Not authorized" in await p.error("update-tool", {"name": name, "updates": {"description": "x"}})
        # admin-only actions, even when reached through a share
        await admin.ok("share-tool", {"email": power, "toolId": "add-user", "accessLevel": "read"})
        assert "add-user" in await p.tool_names()
        assert "Only admins" in await p.error("add-user", {"email": f"x-{uuid.uuid4().hex[:6]}@example.com"})
        # update-user is admin-only: not even listed for a power user, and refused if called
        assert "not authorized" in (await p.error("update-user", {"email": victim, "roles": ["admin"]})).lower()
        assert "not authorized" in (await p.error("update-user", {"email": power, "roles": ["admin"]})).lower()
        assert "Not authorized" in await p.error("reset-api-key", {"email": victim, "userConfirmed": True})


async def test_only_admins_may_point_tools_at_management_handlers(server: ServerProcess, users: Users) -> None:
    _, key = await users.add("power-user")
    tool = runtime_tool(f"sneaky-{uuid.uuid4().hex[:6]}")
    tool["handler"] = {"type": "user-management", "config": {"action": "reset-api-key"}}
    async with connect(server.url, key) as power:
        assert "Only admins" in await power.error("add-tool", {"toolDefinition": tool})


async def test_an_admin_plain_name_call_is_not_caught_by_a_users_same_named_tool(
    server: ServerProcess, users: Users
) -> None:
    _, key = await users.add("power-user")
    async with connect(server.url, key) as power, connect(server.url, ADMIN_KEY) as admin:
        assert "built-in tool" in await power.error("add-tool", {"toolDefinition": runtime_tool("user-info")})
        body = await admin.ok("user-info")
        assert body["result"]["email"] == "admin@example.com"  # the built-in ran, not the echo


async def test_runtime_tool_pointing_at_an_admin_action_grants_nothing(server: ServerProcess, users: Users) -> None:
    _, key = await users.add("user")
    name = f"backdoor-{uuid.uuid4().hex[:6]}"
    async with connect(server.url, ADMIN_KEY) as admin, connect(server.url, key) as user:
        tool = {
            "name": name,
            "inputSchema": {"type": "object", "properties": {"email": {"type": "string"}}},
            "handler": {"type": "user-management", "config": {"action": "add"}},
            "rolesPermitted": ["user"],
        }
        await admin.ok("add-tool", {"toolDefinition": tool})
        assert name in await user.tool_names()
        assert "Only admins" in await user.error(name, {"email": f"y-{uuid.uuid4().hex[:6]}@example.com"})
