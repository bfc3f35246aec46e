"""/resources over REST (docs/resources.md): the use cases of the MCP tools behind a second door."""

from __future__ import annotations

from dynamic_mcp.domain.events import ResourceListChanged
from tests.api.conftest import ADMIN, POWER, USER, EventLog, World, assert_problem

URI = "test://rest/notes"


def definition(**extra: object) -> dict[str, object]:
    return {"uri": URI, "name": "notes", "text": "hello", "rolesPermitted": ["user"], **extra}


def test_create_read_update_delete_with_the_tools_rights(world: World) -> None:
    power, user = world.as_(POWER), world.as_(USER)
    saved = power.ok("POST", "/resources", 201, json={"resourceDefinition": definition()})
    assert saved["resource"]["uri"] == URI and saved["resource"]["creator"] == POWER
    listed = {r["uri"]: r for r in user.ok("GET", "/resources")["resources"]}
    assert URI in listed and "text" not in listed[URI]  # content is shown to those who may change it
    assert user.ok("GET", "/resources/item", params={"uri": URI})["name"] == "notes"
    assert power.ok("GET", "/resources/item", params={"uri": URI})["text"] == "hello"
    assert_problem(user.post("/resources", json=definition()), 403, "Only admins and power users")
    assert_problem(user.patch("/resources", params={"uri": URI}, json={"text": "x"}), 404)
    updated = world.as_(ADMIN).ok("PATCH", "/resources", params={"uri": URI}, json={"text": "by admin"})
    assert updated["resource"]["text"] == "by admin"
    assert power.ok("DELETE", "/resources", params={"uri": URI})["deleted"] == {"uri": URI, "creator": POWER}
    assert_problem(user.get("/resources/item", params={"uri": URI}), 404)


def test_invalid_resources_are_422_and_listed_in_the_schema(world: World) -> None:
    power = world.as_(POWER)
    assert_problem(power.post("/resources", json=definition(blob="aGk=")), 422, "exactly one of text")
    assert_problem(power.post("/resources", json=definition(extra=1)), 422, "Unknown resource field")
    assert_problem(power.patch("/resources", params={"uri": URI}, json={}), 422)
    schema = world.client.get("/schema/openapi.json").json()
    assert {"/api/v1/resources", "/api/v1/resources/item"} <= set(schema["paths"])


def test_share_unshare_hide_and_unhide_mirror_the_tool_routes(world: World, events: EventLog) -> None:
    power, user = world.as_(POWER), world.as_(USER)
    power.ok("POST", "/resources", 201, json=definition(rolesPermitted=None))  # only its creator reaches it
    assert URI not in {r["uri"] for r in user.ok("GET", "/resources")["resources"]}
    events.events.clear()
    body = power.ok("POST", "/resource-shares", 201, json={"email": USER, "uri": URI})
    assert body["email"] == USER and [s["toolId"] for s in body["sharedResources"]] == [f"{POWER}:{URI}"]
    assert [e.emails for e in events.events if isinstance(e, ResourceListChanged)] == [frozenset({USER})]
    assert user.ok("GET", "/resources/item", params={"uri": URI})["name"] == "notes"
    assert_problem(user.post("/resource-shares", json={"email": POWER, "uri": URI}), 403, "Only admins and power")
    hidden = user.ok("POST", "/me/hidden-resources", 200, json={"uri": URI})
    assert hidden["hiddenResources"] == [f"{POWER}:{URI}"]
    assert user.ok("GET", "/me/hidden-resources")["hiddenResources"] == [f"{POWER}:{URI}"]
    assert user.ok("DELETE", "/me/hidden-resources", params={"uri": URI})["hiddenResources"] == []
    assert power.ok("DELETE", "/resource-shares", params={"email": USER, "uri": URI})["sharedResources"] == []
    assert_problem(user.get("/resources/item", params={"uri": URI}), 404)
    pinned = {"uri": "test://rest/pinned", "name": "p", "text": "p", "rolesPermitted": ["user"], "alwaysVisible": True}
    power.ok("POST", "/resources", 201, json=pinned)
    assert_problem(user.post("/me/hidden-resources", json={"uri": "test://rest/pinned"}), 422, "cannot be hidden")
