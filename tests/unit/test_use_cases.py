"""The built-in tools of docs/access.md through CallService.call_tool, and their change events (docs/protocol.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dynamic_mcp.container import Container
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.events import UserSessionsRevoked

from .support import ADMIN, CUSTOM, POWER, POWER2, USER, USER2, Caller, EventRecorder, echo_definition, echo_package

EVERYONE_WITH_BUILTIN_ROLES = frozenset({ADMIN, POWER, POWER2, USER, USER2})


async def add_named_users(admin: Caller, names: dict[str, str]) -> None:
    for email, name in names.items():
        await admin.ok("add-user", email=email, name=name, roles=["user"])


# -- list-users ---------------------------------------------------------------------------------


async def test_list_users_pages_by_email_and_total_is_the_page_size(admin: Caller, keys: dict[str, str]) -> None:
    everyone = (await admin.ok("list-users", limit=100))["result"]
    assert [u["email"] for u in everyone["users"]] == sorted([ADMIN, *keys])
    page = (await admin.ok("list-users", skip=1, limit=2))["result"]
    assert page["users"] == everyone["users"][1:3]
    assert page["total"] == 2
    assert (await admin.ok("list-users", skip=50))["result"] == {"users": [], "total": 0}


async def test_list_users_returns_twenty_by_default(admin: Caller) -> None:
    await add_named_users(admin, {f"user{i:02}@x.io": f"User {i}" for i in range(24)})
    assert (await admin.ok("list-users"))["result"]["total"] == 20


async def test_list_users_filters_by_case_insensitive_substring_not_regex(admin: Caller, user: Caller) -> None:
    await add_named_users(
        admin, {"al@x.io": "Alice Smith", "ac@x.io": "alicia", "ab@x.io": "a.b", "ax@x.io": "axb", "n@x.io": ""}
    )
    found = (await user.ok("list-users", nameContains="ALI"))["result"]
    assert sorted(u["name"] for u in found["users"]) == ["Alice Smith", "alicia"]
    dotted = (await user.ok("list-users", nameContains="a.b"))["result"]["users"]
    assert dotted == [{"email": "ab@x.io", "name": "a.b"}]
    assert (await user.ok("list-users", nameContains="(["))["result"]["users"] == []


# -- add-user -----------------------------------------------------------------------------------


async def test_add_user_returns_the_key_once_and_it_authenticates(container: Container, admin: Caller) -> None:
    envelope = await admin.ok("add-user", email="new@x.io", name="New", roles=["power-user"])
    result = envelope["result"]
    assert set(result) == {"email", "name", "roles", "apiKey"}
    assert result["roles"] == ["power-user"]
    principal = await container.authenticator().authenticate(result["apiKey"])
    assert principal is not None and principal.email == "new@x.io"
    info = await admin.call("user-info", email="new@x.io")
    assert result["apiKey"] not in info.text
    assert "already exists" in await admin.fails("add-user", email="new@x.io")


async def test_add_user_requires_an_email(admin: Caller) -> None:
    assert await admin.fails("add-user", email="  ") == "Email is required"
    assert "email" in await admin.fails("add-user", name="nobody")


# -- update-user --------------------------------------------------------------------------------


async def test_update_user_sets_only_the_given_fields_and_returns_no_key(
    container: Container, admin: Caller, keys: dict[str, str]
) -> None:
    outcome = await admin.call("update-user", email=USER, roles=["user", "power-user"])
    assert not outcome.is_error
    result = json.loads(outcome.text)["result"]
    assert result["roles"] == ["user", "power-user"]
    assert result["name"] == "U"
    assert "apiKey" not in result
    assert keys[USER] not in outcome.text
    assert result["apiKeyPrefix"] == keys[USER][:8]


@pytest.mark.parametrize("field", ["apiKey", "apiKeyHash", "hiddenTools", "email2", "applicationAuthentication"])
async def test_update_user_rejects_unknown_fields(
    container: Container, admin: Caller, keys: dict[str, str], field: str
) -> None:
    message = await admin.fails("update-user", email=USER, **{field: "x"})
    assert message.startswith(f"Cannot update field(s): {field}")
    assert (await container.authenticator().authenticate(keys[USER])).email == USER


async def test_update_user_of_a_missing_user_is_not_found(admin: Caller) -> None:
    assert await admin.fails("update-user", email="ghost@x.io", name="x") == "User 'ghost@x.io' not found"


# -- delete-user / remove-user ------------------------------------------------------------------


@pytest.mark.parametrize("tool", ["delete-user", "remove-user"])
async def test_delete_user_removes_the_user_and_their_key(
    container: Container, admin: Caller, keys: dict[str, str], events: EventRecorder, tool: str
) -> None:
    envelope = await admin.ok(tool, email=USER)
    assert envelope["result"] == {"success": True, "email": USER}
    assert await container.users().get(USER) is None
    assert await container.authenticator().authenticate(keys[USER]) is None
    assert UserSessionsRevoked(USER) in events.events
    assert await admin.fails(tool, email=USER) == f"User '{USER}' not found"


# -- share-tool / unshare-tool ------------------------------------------------------------------


async def test_share_tool_stores_the_namespaced_id_shared_by_the_caller(
    container: Container, power: Caller, user: Caller
) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    assert "not found" in await user.fails("gadget")
    result = (await power.ok("share-tool", email=USER, toolId="gadget", accessLevel="read"))["result"]
    assert [(s["toolId"], s["sharedBy"], s["accessLevel"]) for s in result] == [(f"{POWER}:gadget", POWER, "read")]
    assert (await user.ok("gadget"))["result"]["tool"] == f"{POWER}:gadget"


async def test_sharing_again_replaces_the_share(container: Container, power: Caller) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    await power.ok("share-tool", email=USER, toolId="gadget", accessLevel="read")
    result = (await power.ok("share-tool", email=USER, toolId=f"{POWER}:gadget", accessLevel="write"))["result"]
    assert [(s["toolId"], s["accessLevel"]) for s in result] == [(f"{POWER}:gadget", "write")]


async def test_share_tool_errors(container: Container, power: Caller) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    assert await power.fails("share-tool", email="ghost@x.io", toolId="gadget", accessLevel="read") == (
        "User 'ghost@x.io' not found"
    )
    assert await power.fails("share-tool", email=USER, toolId="nope", accessLevel="read") == "Tool 'nope' not found"
    assert "accessLevel" in await power.fails("share-tool", email=USER, toolId="gadget")
    assert "accessLevel" in await power.fails("share-tool", email=USER, toolId="gadget", accessLevel="admin")
    caller = await container.catalog().current_user(POWER)
    with pytest.raises(Invalid, match="email, toolId, and accessLevel are required"):
        await container.sharing_service().share_tool(caller, USER, "gadget", None)


async def test_shared_tool_disappears_after_unshare(container: Container, power: Caller, user: Caller) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    await power.ok("share-tool", email=USER, toolId="gadget", accessLevel="read")
    assert (await power.ok("unshare-tool", email=USER, toolId="gadget"))["result"] == []
    assert await user.fails("gadget") == "Tool gadget not found or not authorized for user."
    assert await power.fails("unshare-tool", email="ghost@x.io", toolId="gadget") == "User 'ghost@x.io' not found"


async def test_admin_unshare_removes_every_sharers_share(container: Container, admin: Caller, power: Caller) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    await power.ok("share-tool", email=USER, toolId="gadget", accessLevel="read")
    await admin.ok("share-tool", email=USER, toolId=f"{POWER}:gadget", accessLevel="write")
    assert (await admin.ok("unshare-tool", email=USER, toolId=f"{POWER}:gadget"))["result"] == []


# -- user-info ----------------------------------------------------------------------------------


async def test_user_info_of_self_is_the_full_record_without_the_key(user: Caller, keys: dict[str, str]) -> None:
    outcome = await user.call("user-info")
    assert not outcome.is_error
    result = json.loads(outcome.text)["result"]
    assert result["email"] == USER
    assert result["roles"] == ["user"]
    assert result["apiKeyPrefix"] == keys[USER][:8]
    assert {"sharedTools", "hiddenTools"} <= set(result)
    assert "apiKey" not in result and "apiKeyHash" not in result
    assert keys[USER] not in outcome.text
    assert (await user.ok("user-info", email=USER))["result"]["email"] == USER


async def test_user_info_of_another_user_is_limited_for_non_admins(user: Caller, keys: dict[str, str]) -> None:
    result = (await user.ok("user-info", email=USER2))["result"]
    assert result == {"exists": True, "name": "U2", "email": USER2}


async def test_user_info_of_another_user_is_full_for_admins(admin: Caller, keys: dict[str, str]) -> None:
    outcome = await admin.call("user-info", email=USER2)
    result = json.loads(outcome.text)["result"]
    assert result["roles"] == ["user"]
    assert result["apiKeyPrefix"] == keys[USER2][:8]
    assert keys[USER2] not in outcome.text


@pytest.mark.parametrize("who", ["admin", "user"])
async def test_user_info_of_a_missing_user_is_null_with_a_message(
    request: pytest.FixtureRequest, keys: dict[str, str], who: str
) -> None:
    caller: Caller = request.getfixturevalue(who)
    envelope = await caller.ok("user-info", email="ghost@x.io")
    assert envelope["result"] is None
    assert envelope["message"] == "User 'ghost@x.io' not found"


# -- hide-tool / unhide-tool --------------------------------------------------------------------


async def test_hide_tool_resolves_plain_names_and_deduplicates(container: Container, user: Caller) -> None:
    result = (await user.ok("hide-tool", toolId=["list-users", "user-management:list-users", "list-users"]))["result"]
    assert result == {"success": True, "hiddenTools": ["user-management:list-users"]}
    again = (await user.ok("hide-tool", toolId=["user-management:list-users", "user-info"]))["result"]
    assert again["hiddenTools"] == ["user-management:list-users", "user-management:user-info"]


async def test_hidden_tool_leaves_tools_list_but_stays_callable(container: Container, user: Caller) -> None:
    await user.ok("hide-tool", toolId=["list-users"])
    listed = {t.name for t in await container.call_service().list_tools(USER)}
    assert "list-users" not in listed
    assert "user-info" in listed
    await user.ok("list-users")
    await user.ok("user-management:list-users")


async def test_always_visible_tools_cannot_be_hidden(container: Container, user: Caller) -> None:
    message = await user.fails("hide-tool", toolId=["list-users", "list-tools"])
    assert message.startswith("Always-visible tools cannot be hidden")
    assert "tool-management:list-tools" in message
    assert (await container.catalog().current_user(USER)).hidden_tools == ()


async def test_unhide_tool_removes_the_resolved_ids(container: Container, user: Caller) -> None:
    await user.ok("hide-tool", toolId=["list-users", "user-info"])
    result = (await user.ok("unhide-tool", toolId=["list-users"]))["result"]
    assert result == {"success": True, "hiddenTools": ["user-management:user-info"]}
    assert "list-users" in {t.name for t in await container.call_service().list_tools(USER)}


async def test_hide_tool_rejects_what_is_not_an_array_of_strings(container: Container, user: Caller) -> None:
    assert "toolId" in await user.fails("hide-tool", toolId="list-users")
    assert "toolId" in await user.fails("hide-tool")
    caller = await container.catalog().current_user(USER)
    with pytest.raises(Invalid, match="toolId must be an array of strings"):
        await container.sharing_service().hide_tools(caller, "list-users")
    with pytest.raises(Invalid, match="toolId must be an array of strings"):
        await container.sharing_service().unhide_tools(caller, [1])


@pytest.mark.parametrize("tool", ["hide-tool", "unhide-tool"])
async def test_an_empty_tool_id_array_changes_nothing(user: Caller, tool: str) -> None:
    await user.ok("hide-tool", toolId=["list-users"])
    result = (await user.ok(tool, toolId=[]))["result"]
    assert result == {"success": True, "hiddenTools": ["user-management:list-users"]}


async def test_hiding_an_inaccessible_tool_is_not_found(user: Caller) -> None:
    assert await user.fails("hide-tool", toolId=["add-user"]) == "Tool 'add-user' not found"


# -- reset-api-key ------------------------------------------------------------------------------


async def test_reset_api_key_asks_for_confirmation_first(
    container: Container, user: Caller, keys: dict[str, str]
) -> None:
    envelope = await user.ok("reset-api-key")
    assert envelope["result"] is None
    assert "confirm" in envelope["message"]
    assert envelope["nextSteps"]
    envelope = await user.ok("reset-api-key", userConfirmed=False)
    assert envelope["result"] is None
    assert (await container.authenticator().authenticate(keys[USER])).email == USER


async def test_confirmed_reset_issues_a_new_key_and_the_old_one_stops_working(
    container: Container, user: Caller, keys: dict[str, str], events: EventRecorder
) -> None:
    result = (await user.ok("reset-api-key", userConfirmed=True))["result"]
    assert result["email"] == USER
    authenticate = container.authenticator().authenticate
    assert await authenticate(keys[USER]) is None
    assert (await authenticate(result["apiKey"])).email == USER
    assert UserSessionsRevoked(USER) in events.events


async def test_admin_resets_another_users_key(container: Container, admin: Caller, keys: dict[str, str]) -> None:
    result = (await admin.ok("reset-api-key", email=USER2, userConfirmed=True))["result"]
    assert result["email"] == USER2
    assert await container.authenticator().authenticate(keys[USER2]) is None
    assert (await container.authenticator().authenticate(result["apiKey"])).email == USER2
    assert (await container.authenticator().authenticate(keys[USER])).email == USER  # nobody else's key moved
    assert await admin.fails("reset-api-key", email="ghost@x.io", userConfirmed=True) == "User 'ghost@x.io' not found"


# -- list-tools ---------------------------------------------------------------------------------


async def test_list_tools_counts_hidden_tools_and_names_them(container: Container, user: Caller) -> None:
    before = (await user.ok("list-tools"))["result"]
    await user.ok("hide-tool", toolId=["list-users"])
    envelope = await user.ok("list-tools")
    result = envelope["result"]
    assert result["total"] == before["total"]
    assert result["hiddenTools"] == ["list-users"]
    assert "list-users" not in {t["name"] for t in result["visibleTools"]}
    assert len(result["visibleTools"]) == result["total"] - 1
    assert "list-users" in envelope["message"]
    assert result["filtered"] is False
    assert "duplicateBaseNames" not in result


async def test_list_tools_is_over_the_accessible_set(container: Container, user: Caller, admin: Caller) -> None:
    names = {t["name"] for t in (await user.ok("list-tools"))["result"]["visibleTools"]}
    granted = {t.name for t in await container.tools().list_all() if "user" in (t.roles_permitted or ())}
    assert names == granted
    assert {"list-users", "user-info", "hide-tool", "unhide-tool", "reset-api-key", "list-tools"} <= names
    assert not names & {"add-user", "update-user", "delete-user", "remove-user", "add-tool", "share-tool"}
    admin_result = (await admin.ok("list-tools"))["result"]
    assert admin_result["total"] == len(await container.tools().list_all())


async def test_list_tools_filters_by_substring(user: Caller) -> None:
    result = (await user.ok("list-tools", nameContains="-TOOL"))["result"]
    assert result["filtered"] is True
    assert {t["name"] for t in result["visibleTools"]} == {"hide-tool", "unhide-tool", "list-tools"}
    assert (await user.ok("list-tools", nameContains="nothing-matches"))["result"]["total"] == 0


async def test_list_tools_warns_about_duplicate_base_names(power: Caller, power2: Caller, user: Caller) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("dup", rolesPermitted=["user"]))
    await power2.ok("add-tool", toolDefinition=echo_definition("dup", rolesPermitted=["user"]))
    envelope = await user.ok("list-tools", nameContains="dup")
    duplicates = envelope["result"]["duplicateBaseNames"]
    assert len(duplicates) == 1
    assert duplicates[0]["baseName"] == "dup"
    assert sorted(duplicates[0]["namespacedNames"]) == [f"{POWER2}:dup", f"{POWER}:dup"]
    assert "WARNING" in envelope["message"]
    assert "oldest" in envelope["message"]


# -- add-tool -----------------------------------------------------------------------------------


async def test_add_tool_creates_a_tool_owned_by_the_caller(container: Container, power: Caller) -> None:
    definition = echo_definition("gadget", creator=ADMIN, rolesPermitted=["user"])
    assert (await power.ok("add-tool", toolDefinition=definition))["result"] == {"success": True, "name": "gadget"}
    stored = await container.tools().get(POWER, "gadget")
    assert stored is not None
    assert stored.roles_permitted == ("user",)
    assert await container.tools().get(ADMIN, "gadget") is None


async def test_add_tool_replaces_the_callers_tool_of_that_name(container: Container, power: Caller) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    first = await container.tools().get(POWER, "gadget")
    await power.ok("add-tool", toolDefinition=echo_definition("gadget", description="v2"))
    second = await container.tools().get(POWER, "gadget")
    assert second.description == "v2"
    assert second.created_at == first.created_at
    assert [t for t in await container.tools().list_all() if t.name == "gadget"] == [second]


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"name": "a:b"}, "Tool names cannot contain ':' character"),
        ({"name": ""}, "A valid toolDefinition object with a name is required"),
        ({"handler": None}, "A tool definition requires a handler"),
        ({"inputSchema": None}, "A tool definition requires an inputSchema"),
        ({"handler": {"type": "nope", "config": {}}}, "Unknown handler type: nope"),
        ({"handler": {"config": {}}}, "handler must be an object with a 'type'"),
        ({"inputSchema": {"type": "string"}}, "inputSchema must be a JSON Schema object whose type is 'object'"),
        ({"inputSchema": {"properties": {}}}, "inputSchema must be a JSON Schema object whose type is 'object'"),
        ({"inputSchema": {"type": "object", "properties": 5}}, "inputSchema is not a valid JSON Schema"),
        ({"rolesPermitted": "user"}, "rolesPermitted must be an array of strings"),
        ({"alwaysVisible": "yes"}, "alwaysVisible must be a boolean"),
        ({"lastUsed": "today"}, "Unknown toolDefinition field(s): lastUsed"),
    ],
)
async def test_add_tool_rejects_invalid_definitions(
    container: Container, power: Caller, definition: dict[str, Any], message: str
) -> None:
    full = echo_definition("gadget")
    for key, value in definition.items():
        if value is None:
            full.pop(key)
        else:
            full[key] = value
    assert (await power.fails("add-tool", toolDefinition=full)).startswith(message)
    assert not [t for t in await container.tools().list_all() if t.creator == POWER]


async def test_add_tool_requires_a_tool_definition_object(power: Caller) -> None:
    assert "toolDefinition" in await power.fails("add-tool")
    assert "toolDefinition" in await power.fails("add-tool", toolDefinition="gadget")


# -- update-tool --------------------------------------------------------------------------------


async def test_update_tool_applies_the_allowed_fields(container: Container, power: Caller) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    updates = {
        "description": "better",
        "rolesPermitted": ["user"],
        "alwaysVisible": True,
        "annotations": {"title": "Gadget", "readOnlyHint": True},
        "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}},
        "handler": {"type": "echo", "config": {"message": "hi"}},
    }
    result = (await power.ok("update-tool", name="gadget", updates=updates))["result"]
    assert result["success"] is True and result["name"] == "gadget"
    assert result["updated"]["description"] == "better"
    stored = await container.tools().get(POWER, "gadget")
    assert stored.roles_permitted == ("user",)
    assert stored.always_visible is True
    assert stored.handler.type == "echo"
    management = {"type": "tool-management", "config": {"action": "list"}}
    assert "Only admins may" in await power.fails("update-tool", name="gadget", updates={"handler": management})


@pytest.mark.parametrize("field", ["name", "creator", "lastUsed", "createdAt", "colour"])
async def test_update_tool_rejects_other_fields(container: Container, power: Caller, field: str) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    message = await power.fails("update-tool", name="gadget", updates={field: "x", "description": "y"})
    assert message.startswith("Cannot update field(s)")
    assert field in message
    assert (await container.tools().get(POWER, "gadget")).description == "the gadget tool"


async def test_update_tool_errors(container: Container, power: Caller) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    assert await power.fails("update-tool", name="nope", updates={"description": "x"}) == (
        "Tool with name 'nope' not found"
    )
    assert await power.fails("update-tool", name="gadget", updates={}) == "A valid updates object is required"
    assert "updates" in await power.fails("update-tool", name="gadget")
    assert await power.fails("update-tool", name="", updates={"description": "x"}) == (
        "A valid tool name is required for update"
    )
    message = await power.fails("update-tool", name="gadget", updates={"handler": {"type": "nope"}})
    assert message == "Unknown handler type: nope"


# -- delete-tool --------------------------------------------------------------------------------


async def test_delete_tool_removes_it_from_every_users_hidden_tools(
    container: Container, admin: Caller, power: Caller, user: Caller, user2: Caller
) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget", rolesPermitted=["user"]))
    for caller in (admin, power, user, user2):
        await caller.ok("hide-tool", toolId=[f"{POWER}:gadget", "list-users"])
    assert (await power.ok("delete-tool", name="gadget"))["result"] == {"success": True, "name": "gadget"}
    assert await container.tools().get(POWER, "gadget") is None
    for email in (ADMIN, POWER, USER, USER2):
        assert (await container.catalog().current_user(email)).hidden_tools == ("user-management:list-users",)


async def test_delete_tool_errors(power: Caller) -> None:
    assert await power.fails("delete-tool", name="nope") == "Tool with name 'nope' not found"
    assert await power.fails("delete-tool") == "Tool name is required for deletion"


async def test_admin_deletes_any_users_tool(container: Container, admin: Caller, power: Caller) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    await admin.ok("delete-tool", name=f"{POWER}:gadget")
    assert await container.tools().get(POWER, "gadget") is None


# -- the call pipeline (docs/access.md) -------------------------------------------------------------


async def test_unknown_tool_is_not_found_or_not_authorized(user: Caller) -> None:
    assert await user.fails("nope") == "Tool nope not found or not authorized for user."
    assert await user.fails("add-user", email="x@y.z") == "Tool add-user not found or not authorized for user."
    assert await user.fails("user-management:add-user") == (
        "Tool user-management:add-user not found or not authorized for user."
    )


@pytest.mark.parametrize(
    ("tool", "args", "field"),
    [
        ("add-user", {"email": 42}, "email"),
        ("add-user", {"email": "a@b.c", "roles": ["root"]}, "roles"),
        ("list-users", {"skip": "ten"}, "skip"),
        ("update-tool", {"name": "x"}, "updates"),
        ("reset-api-key", {"userConfirmed": "yes"}, "userConfirmed"),
    ],
)
async def test_arguments_are_validated_against_the_input_schema(
    admin: Caller, tool: str, args: dict[str, Any], field: str
) -> None:
    message = await admin.fails(tool, **args)
    assert message.startswith(f"Invalid arguments for tool {tool}")
    assert field in message


async def test_a_plain_name_picks_own_then_other_users_then_package_then_oldest(
    container: Container, admin: Caller, power: Caller, power2: Caller, user: Caller
) -> None:
    shelf = echo_definition("dup", package="shelf", rolesPermitted=["user", "power-user"])
    await container.registrar().register(echo_package(shelf, name="shelf"))
    assert (await user.ok("dup"))["result"]["tool"] == "shelf:dup"
    await power2.ok("add-tool", toolDefinition=echo_definition("dup", rolesPermitted=["user", "power-user"]))
    await power.ok("add-tool", toolDefinition=echo_definition("dup", rolesPermitted=["user", "power-user"]))
    assert (await user.ok("dup"))["result"]["tool"] == f"{POWER2}:dup"  # oldest other user's beats the package
    assert (await power.ok("dup"))["result"]["tool"] == f"{POWER}:dup"  # own first
    assert (await power2.ok("dup"))["result"]["tool"] == f"{POWER2}:dup"
    assert (await user.ok("shelf:dup"))["result"]["tool"] == "shelf:dup"  # a namespaced id selects
    assert (await user.ok(f"{POWER}:dup", x=1))["result"] == {"tool": f"{POWER}:dup", "caller": USER, "args": {"x": 1}}


async def test_admins_can_call_every_tool_they_list(container: Container, admin: Caller, power: Caller) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("private"))
    listed = await container.call_service().list_tools(ADMIN)
    assert f"{POWER}:private" not in {t.name for t in listed}  # tools/list shows names only (docs/compatibility.md)
    for tool in await container.tools().list_all():
        outcome = await admin.call(tool.namespaced_id)
        assert "not found or not authorized" not in outcome.text


# -- change events (docs/protocol.md) -----------------------------------------------------------------------


async def test_share_and_unshare_notify_only_the_recipient(
    container: Container, power: Caller, events: EventRecorder
) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget"))
    events.clear()
    await power.ok("share-tool", email=USER, toolId="gadget", accessLevel="read")
    assert events.tool_audiences() == [frozenset({USER})]
    events.clear()
    await power.ok("unshare-tool", email=USER, toolId="gadget")
    assert events.tool_audiences() == [frozenset({USER})]


async def test_hide_and_unhide_notify_only_the_caller(user: Caller, events: EventRecorder) -> None:
    await user.ok("hide-tool", toolId=["list-users"])
    assert events.tool_audiences() == [frozenset({USER})]
    events.clear()
    await user.ok("unhide-tool", toolId=["list-users"])
    assert events.tool_audiences() == [frozenset({USER})]


@pytest.mark.parametrize(
    ("roles_permitted", "audience"),
    [
        (["user"], {ADMIN, POWER, POWER2, USER, USER2}),  # a power user counts as a user (ADR 0015)
        (["custom"], {ADMIN, POWER, CUSTOM}),
        (None, {ADMIN, POWER}),
        ([], {ADMIN, POWER}),
    ],
)
async def test_add_tool_notifies_exactly_the_users_who_can_access_it(
    power: Caller, custom: Caller, events: EventRecorder, roles_permitted: list[str] | None, audience: set[str]
) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget", rolesPermitted=roles_permitted))
    assert events.tool_audiences() == [frozenset(audience)]


async def test_update_tool_notifies_who_could_access_it_before_or_after(
    power: Caller, custom: Caller, events: EventRecorder
) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget", rolesPermitted=["user"]))
    events.clear()
    await power.ok("update-tool", name="gadget", updates={"rolesPermitted": ["custom"]})
    assert events.tool_audiences() == [frozenset({ADMIN, POWER, POWER2, USER, USER2, CUSTOM})]


async def test_delete_tool_notifies_who_could_access_it(power: Caller, custom: Caller, events: EventRecorder) -> None:
    await power.ok("add-tool", toolDefinition=echo_definition("gadget", rolesPermitted=["custom"]))
    events.clear()
    await power.ok("delete-tool", name="gadget")
    assert events.tool_audiences() == [frozenset({ADMIN, POWER, CUSTOM})]


async def test_update_user_role_change_notifies_the_target(
    admin: Caller, events: EventRecorder, keys: dict[str, str]
) -> None:
    await admin.ok("update-user", email=USER, roles=["power-user"])
    assert events.tool_audiences() == [frozenset({USER})]
    events.clear()
    await admin.ok("update-user", email=USER, name="Renamed")
    assert events.tool_audiences() == []


def test_listed_tools_carry_no_handler_or_creator() -> None:
    from dynamic_mcp.application.calls import ListedTool

    assert [f.name for f in ListedTool.__attrs_attrs__] == [
        "name",
        "description",
        "input_schema",
        "annotations",
        "output_schema",
        "title",
        "icons",
    ]


async def test_a_tool_change_is_told_to_live_users_only_and_never_reads_every_user(
    container: Container, power: Caller, user2: Caller, events: EventRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(*args: Any, **kwargs: Any) -> list[Any]:
        raise AssertionError("an audience must never list every user")

    monkeypatch.setattr(container.users(), "list_users", refuse)
    container.live_audience().leave(USER2)  # their last session here ended
    await power.ok("add-tool", toolDefinition=echo_definition("gadget", rolesPermitted=["user"]))
    assert events.tool_audiences() == [frozenset({ADMIN, POWER, POWER2, USER})]
