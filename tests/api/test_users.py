"""/users, /me and API key resets over REST (docs/access.md)."""

from __future__ import annotations

import logging

import pytest

from tests.api.conftest import ADMIN, POWER, TARGET, USER, EventLog, World, assert_problem


def test_list_users_paginates_and_filters_by_name(world: World) -> None:
    admin = world.as_(ADMIN)
    everyone = admin.ok("GET", "/users", params={"limit": 500})
    assert [u["email"] for u in everyone["users"]] == sorted(world.keys)
    assert everyone["hasMore"] is False
    first = admin.ok("GET", "/users", params={"limit": 2})
    second = admin.ok("GET", "/users", params={"skip": 2, "limit": 2})
    assert first["hasMore"] is True and len(first["users"]) == 2
    assert {u["email"] for u in first["users"]}.isdisjoint(u["email"] for u in second["users"])
    assert admin.ok("GET", "/users", params={"nameContains": "POWER"})["users"] == [
        {"email": "power2@example.com", "name": "power2"},
        {"email": POWER, "name": "power"},
    ]
    assert_problem(admin.get("/users", params={"limit": 0}), 400)
    assert_problem(admin.get("/users", params={"skip": "many"}), 400)


def test_created_user_gets_a_key_shown_once_that_works(world: World) -> None:
    created = world.as_(ADMIN).ok("POST", "/users", 201, json={"email": "new@example.com", "name": "New"})
    assert created["roles"] == [] and created["apiKey"]
    world.keys["new@example.com"] = created["apiKey"]
    me = world.as_("new@example.com").ok("GET", "/me")
    assert me["email"] == "new@example.com" and "apiKey" not in me
    assert me["apiKeyPrefix"] and created["apiKey"].startswith(me["apiKeyPrefix"])


def test_create_user_errors(world: World) -> None:
    admin = world.as_(ADMIN)
    assert_problem(admin.post("/users", json={"email": USER}), 409, "already exists")
    assert_problem(admin.post("/users", json={"email": "  "}), 422, "Email is required")
    assert_problem(admin.post("/users", json={"email": "x@example.com", "roles": [""]}), 422)
    problem = assert_problem(admin.post("/users", json={"name": "no email"}), 400)
    assert "`email`" in problem["errors"][0]["message"]
    assert_problem(admin.post("/users", content=b"not json", headers={"content-type": "application/json"}), 400)


def test_get_user(world: World, caplog: pytest.LogCaptureFixture) -> None:
    assert world.as_(USER).ok("GET", f"/users/{USER}")["roles"] == ["user"]
    assert world.as_(ADMIN).ok("GET", f"/users/{USER}")["email"] == USER
    with caplog.at_level(logging.DEBUG):
        assert_problem(world.as_(ADMIN).get("/users/ghost@example.com"), 404, "not found")
    # The caller's mistake is no server error: no error line, no traceback.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], caplog.text


def test_admin_updates_roles_and_the_user_is_told(world: World, events: EventLog) -> None:
    updated = world.as_(ADMIN).ok("PATCH", f"/users/{TARGET}", json={"roles": ["power-user"], "name": "T"})
    assert updated["roles"] == ["power-user"] and updated["name"] == "T"
    assert events.tools_changed_for(TARGET)
    assert world.as_(TARGET).post("/tools", json={"name": "now-allowed", **_echo()}).status_code == 201


def test_update_user_errors(world: World) -> None:
    admin = world.as_(ADMIN)
    assert_problem(admin.patch("/users/ghost@example.com", json={"name": "x"}), 404)
    assert_problem(admin.patch(f"/users/{USER}", json={"roles": "admin"}), 400)
    assert_problem(admin.patch(f"/users/{USER}", json={"sharedTools": [{"toolId": "x", "accessLevel": "all"}]}), 400)


def test_admin_sets_shared_tools_directly(world: World) -> None:
    shares = [{"toolId": f"{POWER}:p1-tool", "accessLevel": "write"}]
    updated = world.as_(ADMIN).ok("PATCH", f"/users/{USER}", json={"sharedTools": shares})
    assert [(s["toolId"], s["accessLevel"], s["sharedBy"]) for s in updated["sharedTools"]] == [
        (f"{POWER}:p1-tool", "write", ADMIN)
    ]


def test_delete_user_closes_the_door(world: World) -> None:
    assert world.as_(ADMIN).ok("DELETE", f"/users/{TARGET}") == {"success": True, "email": TARGET}
    assert_problem(world.as_(TARGET).get("/me"), 401)
    assert_problem(world.as_(ADMIN).delete(f"/users/{TARGET}"), 404)
    assert_problem(world.as_(ADMIN).delete(f"/users/{ADMIN}"), 403, "cannot delete themselves")


def test_key_reset_needs_explicit_confirmation(world: World) -> None:
    user = world.as_(USER)
    assert_problem(user.post(f"/users/{USER}/api-key/reset", json={"confirm": False}), 422, "confirm")
    assert_problem(user.post(f"/users/{USER}/api-key/reset", json={}), 400)
    assert user.ok("GET", "/me")["email"] == USER  # the old key still works


def test_own_key_reset_issues_a_new_key_and_retires_the_old(world: World, events: EventLog) -> None:
    old = world.keys[USER]
    issued = world.as_(USER).ok("POST", f"/users/{USER}/api-key/reset", json={"confirm": True})
    assert issued["email"] == USER and issued["apiKey"] != old
    assert_problem(world.as_(USER).get("/me"), 401, "Invalid apiKey")
    world.keys[USER] = issued["apiKey"]
    assert world.as_(USER).ok("GET", "/me")["email"] == USER


def test_admin_resets_anyone_and_missing_users_are_404(world: World) -> None:
    issued = world.as_(ADMIN).ok("POST", f"/users/{TARGET}/api-key/reset", json={"confirm": True})
    world.keys[TARGET] = issued["apiKey"]
    assert world.as_(TARGET).ok("GET", "/me")["email"] == TARGET
    assert_problem(world.as_(ADMIN).post("/users/ghost@example.com/api-key/reset", json={"confirm": True}), 404)


def test_me_returns_the_full_own_record(world: World) -> None:
    me = world.as_(POWER).ok("GET", "/me")
    assert me["roles"] == ["power-user"] and me["hiddenTools"] == [] and "applicationAuthentication" in me


def _echo() -> dict[str, object]:
    return {"inputSchema": {"type": "object"}, "handler": {"type": "echo"}}
