"""/shares, /me/shares and /me/hidden-tools over REST (docs/access.md)."""

from __future__ import annotations

from tests.api.conftest import ADMIN, POWER, POWER2, TARGET, USER, EventLog, World, assert_problem

P1 = f"{POWER}:p1-tool"


def test_share_reaches_the_recipient_who_is_notified(world: World, events: EventLog) -> None:
    body = world.as_(POWER).ok("POST", "/shares", 201, json={"email": USER, "toolId": "p1-tool", "accessLevel": "read"})
    assert body["email"] == USER
    assert [(s["toolId"], s["sharedBy"], s["accessLevel"]) for s in body["sharedTools"]] == [(P1, POWER, "read")]
    assert events.tools_changed_for(USER)
    assert P1 in {t["id"] for t in world.as_(USER).ok("GET", "/tools", params={"limit": 500})["tools"]}
    received = world.as_(USER).ok("GET", "/me/shares")
    assert received["total"] == 1 and received["shares"][0]["toolId"] == P1
    given = world.as_(POWER).ok("GET", "/me/shares/given")
    assert given["total"] == 1 and given["shares"][0]["email"] == USER and given["shares"][0]["toolId"] == P1
    assert world.as_(POWER2).ok("GET", "/me/shares/given")["total"] == 0


def test_sharing_again_replaces_the_access_level(world: World) -> None:
    power = world.as_(POWER)
    power.ok("POST", "/shares", 201, json={"email": USER, "toolId": P1, "accessLevel": "read"})
    body = power.ok("POST", "/shares", 201, json={"email": USER, "toolId": P1, "accessLevel": "write"})
    assert [s["accessLevel"] for s in body["sharedTools"]] == ["write"]


def test_received_and_given_shares_paginate(world: World) -> None:
    admin = world.as_(ADMIN)
    for tool in ("p1-tool", "p2-tool"):
        creator = POWER if tool == "p1-tool" else POWER2
        admin.ok("POST", "/shares", 201, json={"email": TARGET, "toolId": f"{creator}:{tool}", "accessLevel": "read"})
    page = world.as_(TARGET).ok("GET", "/me/shares", params={"skip": 1, "limit": 1})
    assert page["total"] == 2 and len(page["shares"]) == 1 and page["skip"] == 1
    assert admin.ok("GET", "/me/shares/given", params={"limit": 1})["total"] == 2


def test_unshare_removes_access_and_notifies(world: World, events: EventLog) -> None:
    world.as_(POWER).ok("POST", "/shares", 201, json={"email": USER, "toolId": "p1-tool", "accessLevel": "read"})
    body = world.as_(POWER).ok("DELETE", "/shares", params={"email": USER, "toolId": "p1-tool"})
    assert body == {"email": USER, "sharedTools": []}
    assert events.tools_changed_for(USER)
    assert_problem(world.as_(USER).get(f"/tools/{P1}"), 404)


def test_admin_removes_anyones_share_but_a_power_user_only_their_own(world: World) -> None:
    world.as_(POWER).ok("POST", "/shares", 201, json={"email": USER, "toolId": "p1-tool", "accessLevel": "read"})
    world.as_(POWER2).ok("DELETE", "/shares", params={"email": USER, "toolId": P1})
    assert world.as_(USER).ok("GET", "/me/shares")["total"] == 1
    world.as_(ADMIN).ok("DELETE", "/shares", params={"email": USER, "toolId": P1})
    assert world.as_(USER).ok("GET", "/me/shares")["total"] == 0


def test_share_errors(world: World) -> None:
    power = world.as_(POWER)
    assert_problem(
        power.post("/shares", json={"email": "ghost@example.com", "toolId": "p1-tool", "accessLevel": "read"}), 404
    )
    assert_problem(power.post("/shares", json={"email": USER, "toolId": "missing", "accessLevel": "read"}), 404)
    assert_problem(power.post("/shares", json={"email": USER, "toolId": "p1-tool", "accessLevel": "admin"}), 400)
    assert_problem(power.post("/shares", json={"email": "", "toolId": "p1-tool", "accessLevel": "read"}), 422)
    assert_problem(power.delete("/shares", params={"email": "ghost@example.com", "toolId": "p1-tool"}), 404)
    assert_problem(power.delete("/shares", params={"email": USER}), 400)


def test_hide_and_unhide(world: World, events: EventLog) -> None:
    user = world.as_(USER)
    hidden = user.ok("POST", "/me/hidden-tools", json={"toolId": ["list-users"]})
    assert hidden["hiddenTools"] == ["user-management:list-users"]
    hidden = user.ok("POST", "/me/hidden-tools", json={"toolIds": ["user-info"]})  # the alias
    assert hidden == {"success": True, "hiddenTools": ["user-management:list-users", "user-management:user-info"]}
    assert events.tools_changed_for(USER)
    assert user.ok("GET", "/me/hidden-tools")["hiddenTools"] == hidden["hiddenTools"]
    after = user.ok("DELETE", "/me/hidden-tools", params={"toolId": ["list-users", "user-management:user-info"]})
    assert after["hiddenTools"] == []


def test_hide_errors(world: World) -> None:
    user = world.as_(USER)
    assert_problem(user.post("/me/hidden-tools", json={"toolIds": ["unhide-tool"]}), 422, "Always-visible")
    assert_problem(user.post("/me/hidden-tools", json={"toolIds": ["no-such-tool"]}), 404)
    assert user.ok("POST", "/me/hidden-tools", json={"toolIds": []})["hiddenTools"] == []
    assert_problem(user.post("/me/hidden-tools", json={"toolIds": "list-users"}), 400)
    assert_problem(user.post("/me/hidden-tools", json={}), 422, "toolId")
    both = {"toolId": ["list-users"], "toolIds": ["user-info"]}
    assert_problem(user.post("/me/hidden-tools", json=both), 422, "not both")
    assert_problem(user.delete("/me/hidden-tools"), 400)
