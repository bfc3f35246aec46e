"""/tools over REST (docs/access.md): the same rules and notifications as the MCP tools."""

from __future__ import annotations

from tests.api.conftest import ADMIN, POWER, POWER2, USER, EventLog, World, assert_problem, runtime_tool


def test_list_shows_the_accessible_set_with_hidden_flags_and_pages(world: World) -> None:
    power = world.as_(POWER)
    power.ok("POST", "/me/hidden-tools", json={"toolIds": ["list-users"]})
    listing = power.ok("GET", "/tools", params={"limit": 500})
    by_id = {t["id"]: t for t in listing["tools"]}
    assert f"{POWER}:p1-tool" in by_id and f"{POWER2}:p2-tool" not in by_id
    assert by_id["user-management:list-users"]["hidden"] is True
    assert by_id[f"{POWER}:p1-tool"] == {
        "id": f"{POWER}:p1-tool",
        "name": "p1-tool",
        "creator": POWER,
        "description": "p1-tool for tests",
        "hidden": False,
        "alwaysVisible": False,
    }
    assert listing["total"] == len(listing["tools"])
    page = power.ok("GET", "/tools", params={"skip": 1, "limit": 2})
    assert page["tools"] == listing["tools"][1:3] and page["total"] == listing["total"]
    assert [t["name"] for t in power.ok("GET", "/tools", params={"nameContains": "P1-"})["tools"]] == ["p1-tool"]


def test_admin_lists_every_tool(world: World) -> None:
    ids = {t["id"] for t in world.as_(ADMIN).ok("GET", "/tools", params={"limit": 500})["tools"]}
    assert {f"{POWER}:p1-tool", f"{POWER2}:p2-tool", "user-management:add-user"} <= ids


def test_create_notifies_and_replaces_own_tool(world: World, events: EventLog) -> None:
    power = world.as_(POWER)
    assert power.ok("POST", "/tools", 201, json=runtime_tool("fresh")) == {"success": True, "name": "fresh"}
    assert events.tools_changed_for(POWER) and events.tools_changed_for(ADMIN)
    power.ok("POST", "/tools", 201, json=runtime_tool("fresh", description="second"))
    assert power.ok("GET", "/tools/fresh")["description"] == "second"


def test_create_tool_errors(world: World) -> None:
    power = world.as_(POWER)
    assert_problem(power.post("/tools", json=runtime_tool("a:b")), 422, "cannot contain ':'")
    assert_problem(power.post("/tools", json=runtime_tool("x", handler={"type": "nope"})), 422, "Unknown handler")
    assert_problem(power.post("/tools", json=runtime_tool("x", inputSchema={"type": "string"})), 422)
    assert_problem(power.post("/tools", json={"name": "x"}), 422, "inputSchema")
    assert_problem(power.post("/tools", json=runtime_tool("x", alwaysVisible="yes")), 400)


def test_create_takes_a_definition_or_the_add_tool_wrapper(world: World) -> None:
    power = world.as_(POWER)
    saved = power.ok("POST", "/tools", 201, json={"toolDefinition": runtime_tool("wrapped")})
    assert saved == {"success": True, "name": "wrapped"}
    assert power.ok("GET", "/tools/wrapped")["description"] == "wrapped for tests"
    mixed = {"toolDefinition": runtime_tool("both"), "name": "both"}
    assert_problem(power.post("/tools", json=mixed), 422, "not both")
    assert_problem(power.post("/tools", json={"toolDefinition": {"name": "inner-only"}}), 400)


def test_get_resolves_plain_names_and_namespaced_ids(world: World) -> None:
    power = world.as_(POWER)
    by_name = power.ok("GET", "/tools/p1-tool")
    by_id = power.ok("GET", f"/tools/{POWER}:p1-tool")
    assert by_name == by_id
    assert by_name["handler"] == {"type": "echo", "config": {}} and by_name["inputSchema"]["type"] == "object"
    assert_problem(power.get("/tools/missing"), 404)


def test_handler_config_is_shown_only_to_those_who_may_change_the_tool(world: World) -> None:
    world.as_(POWER).ok("POST", "/tools", 201, json=runtime_tool("cfg", handler={"type": "echo", "config": {"k": 1}}))
    world.as_(POWER).ok("POST", "/shares", 201, json={"email": USER, "toolId": "cfg", "accessLevel": "read"})
    assert world.as_(USER).ok("GET", f"/tools/{POWER}:cfg")["handler"] == {"type": "echo"}
    assert world.as_(ADMIN).ok("GET", f"/tools/{POWER}:cfg")["handler"]["config"] == {"k": 1}
    world.as_(POWER).ok("POST", "/shares", 201, json={"email": POWER2, "toolId": "cfg", "accessLevel": "write"})
    assert world.as_(POWER2).ok("GET", f"/tools/{POWER}:cfg")["handler"]["config"] == {"k": 1}


def test_update_own_and_write_shared_tools(world: World, events: EventLog) -> None:
    updated = world.as_(POWER).ok("PATCH", "/tools/p1-tool", json={"description": "new", "alwaysVisible": True})
    assert updated["updated"]["description"] == "new" and updated["updated"]["alwaysVisible"] is True
    assert events.tools_changed_for(POWER)
    world.as_(POWER).ok("POST", "/shares", 201, json={"email": POWER2, "toolId": "p1-tool", "accessLevel": "write"})
    assert world.as_(POWER2).ok("PATCH", f"/tools/{POWER}:p1-tool", json={"description": "by 2"})["success"]
    assert_problem(world.as_(POWER2).delete(f"/tools/{POWER}:p1-tool"), 403)


def test_read_share_does_not_allow_updates(world: World) -> None:
    world.as_(POWER).ok("POST", "/shares", 201, json={"email": POWER2, "toolId": "p1-tool", "accessLevel": "read"})
    assert_problem(world.as_(POWER2).patch(f"/tools/{POWER}:p1-tool", json={"description": "x"}), 403)


def test_update_tool_errors(world: World) -> None:
    power = world.as_(POWER)
    assert_problem(power.patch("/tools/p1-tool", json={}), 422, "updates")
    assert_problem(power.patch("/tools/p1-tool", json={"handler": {"type": "nope"}}), 422)
    assert_problem(power.patch("/tools/p1-tool", json={"inputSchema": {"type": "array"}}), 422)
    assert_problem(power.patch("/tools/missing", json={"description": "x"}), 404)


def test_delete_removes_the_tool_and_hidden_entries(world: World, events: EventLog) -> None:
    world.as_(POWER).ok("POST", "/shares", 201, json={"email": USER, "toolId": "p1-tool", "accessLevel": "read"})
    world.as_(USER).ok("POST", "/me/hidden-tools", json={"toolIds": [f"{POWER}:p1-tool"]})
    assert world.as_(POWER).ok("DELETE", "/tools/p1-tool") == {"success": True, "name": "p1-tool"}
    assert events.tools_changed_for(USER)
    assert world.as_(USER).ok("GET", "/me/hidden-tools")["hiddenTools"] == []
    assert_problem(world.as_(POWER).delete("/tools/p1-tool"), 404)


def test_output_schema_title_and_icons_through_rest(world: World) -> None:
    power = world.as_(POWER)
    output = {"type": "object", "properties": {"n": {"type": "integer"}}}
    icons = [{"src": "https://example.com/i.png", "sizes": ["32x32"]}]
    power.ok("POST", "/tools", 201, json=runtime_tool("shaped", outputSchema=output, title="Shaped", icons=icons))
    shown = power.ok("GET", "/tools/shaped")
    assert (shown["outputSchema"], shown["title"], shown["icons"]) == (output, "Shaped", icons)
    updated = power.ok("PATCH", "/tools/shaped", json={"title": "Reshaped", "icons": None})
    assert updated["updated"]["title"] == "Reshaped" and updated["updated"]["icons"] is None
    assert_problem(power.post("/tools", json=runtime_tool("x", outputSchema={"type": "string"})), 422, "outputSchema")
    assert_problem(power.post("/tools", json=runtime_tool("x", icons=[{"sizes": []}])), 422, "src")
