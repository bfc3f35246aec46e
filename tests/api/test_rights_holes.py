"""The rights holes of a red-team run, through the REST door (ADR 0016)."""

from __future__ import annotations

import pytest

from tests.api.conftest import ADMIN, POWER, POWER2, USER, World, assert_problem, runtime_tool


@pytest.mark.parametrize("package", ["user-management", "tool-management", "prompt-management"])
def test_a_power_user_cannot_create_a_prompt_on_a_management_handler(world: World, package: str) -> None:
    body = {"name": "rename", "description": "d", "handler": {"type": package, "config": {"action": "update"}}}
    assert_problem(world.as_(POWER).post("/prompts", json=body), 403, "Only admins")
    assert_problem(world.as_(POWER).patch("/prompts/p1-prompt", json={"handler": body["handler"]}), 403, "Only admins")
    assert world.as_(ADMIN).get("/prompts/rename").status_code == 404


def test_the_only_admin_cannot_demote_themself(world: World) -> None:
    assert_problem(world.as_(ADMIN).patch(f"/users/{ADMIN}", json={"roles": ["user"]}), 409, "last admin")
    assert world.as_(ADMIN).ok("GET", "/me")["roles"] == ["admin"]
    world.as_(ADMIN).ok("PATCH", f"/users/{POWER}", json={"roles": ["admin"]})
    assert world.as_(ADMIN).ok("PATCH", f"/users/{ADMIN}", json={"roles": ["user"]})["roles"] == ["user"]


@pytest.mark.parametrize("body", [{"apiKey": "new-key"}, {"email": "other@example.com"}, {"name": "x", "bogus": 1}])
def test_patch_user_refuses_unknown_and_fixed_fields(world: World, body: dict[str, object]) -> None:
    before = world.as_(USER).ok("GET", "/me")
    assert_problem(world.as_(USER).patch(f"/users/{USER}", json=body), 422, "Cannot update field")
    assert_problem(world.as_(ADMIN).patch(f"/users/{USER}", json=body), 422, "Cannot update field")
    assert world.as_(USER).ok("GET", "/me") == before


def test_patch_tool_and_prompt_refuse_unknown_fields(world: World) -> None:
    assert_problem(world.as_(POWER).patch("/tools/p1-tool", json={"name": "renamed"}), 422, "Cannot update field")
    assert_problem(world.as_(POWER).patch("/prompts/p1-prompt", json={"createdBy": ADMIN}), 422, "Cannot update")
    assert_problem(world.as_(POWER).post("/tools", json={**runtime_tool("t"), "creator2": "x"}), 422, "Unknown")


@pytest.mark.parametrize("roles", [["god"], ["user", "superuser"]])
def test_unknown_roles_are_a_422(world: World, roles: list[str]) -> None:
    admin = world.as_(ADMIN)
    assert_problem(admin.post("/users", json={"email": "new@example.com", "roles": roles}), 422, "Unknown role")
    assert_problem(admin.patch(f"/users/{USER}", json={"roles": roles}), 422, "Unknown role")
    assert admin.ok("GET", f"/users/{USER}")["roles"] == ["user"]


def test_a_write_share_cannot_open_the_tool_to_others(world: World) -> None:
    world.as_(POWER2).ok("POST", "/shares", 201, json={"email": POWER, "toolId": "p2-tool", "accessLevel": "write"})
    writer = world.as_(POWER)
    for body in ({"rolesPermitted": ["user"]}, {"alwaysVisible": True}):
        assert_problem(writer.patch(f"/tools/{POWER2}:p2-tool", json=body), 403, "who reaches it")
    writer.ok("PATCH", f"/tools/{POWER2}:p2-tool", json={"description": "edited"})
    assert world.as_(USER).get(f"/tools/{POWER2}:p2-tool").status_code == 404


@pytest.mark.parametrize("name", ["reset-api-key", "add-user"])
def test_a_builtin_name_cannot_be_taken(world: World, name: str) -> None:
    for who in (POWER, ADMIN):
        assert_problem(world.as_(who).post("/tools", json=runtime_tool(name)), 409, "built-in tool")


def test_deleting_a_user_deletes_their_tools_and_prompts(world: World) -> None:
    admin = world.as_(ADMIN)
    world.as_(POWER).ok("POST", "/shares", 201, json={"email": USER, "toolId": "p1-tool", "accessLevel": "read"})
    admin.ok("DELETE", f"/users/{POWER}")
    admin.ok("POST", "/users", 201, json={"email": POWER, "roles": ["power-user"]})
    assert admin.get(f"/tools/{POWER}:p1-tool").status_code == 404
    assert admin.get("/prompts/p1-prompt").status_code == 404
    assert world.as_(USER).ok("GET", "/me")["sharedTools"] == []


def test_a_power_user_reaches_tools_open_to_role_user(world: World) -> None:
    world.as_(POWER2).ok("POST", "/tools", 201, json=runtime_tool("for-users", rolesPermitted=["user"]))
    ids = {t["id"] for t in world.as_(POWER).ok("GET", "/tools")["tools"]}
    assert f"{POWER2}:for-users" in ids
