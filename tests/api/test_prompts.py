"""/prompts over REST (docs/access.md)."""

from __future__ import annotations

from dynamic_mcp.domain.events import PromptListChanged
from tests.api.conftest import ADMIN, POWER, USER, EventLog, World, assert_problem, runtime_prompt


def test_list_shows_visible_prompts_with_config_only_for_the_creator(world: World) -> None:
    user_view = {p["name"]: p for p in world.as_(USER).ok("GET", "/prompts")["prompts"]}
    assert "p1-prompt" in user_view and "p2-prompt" not in user_view
    assert user_view["p1-prompt"]["handler"] == {"type": "echo"}
    own = world.as_(POWER).ok("GET", "/prompts/p1-prompt")
    assert own["handler"]["config"] == {"secret": "only-for-the-creator"}
    assert own["arguments"] == [{"name": "topic", "description": None, "required": True}]
    admin_view = world.as_(ADMIN).ok("GET", "/prompts", params={"limit": 1})
    assert admin_view["total"] == 2 and len(admin_view["prompts"]) == 1
    assert world.as_(ADMIN).ok("GET", "/prompts", params={"nameContains": "P2"})["total"] == 1


def test_create_update_delete_notify_everyone(world: World, events: EventLog) -> None:
    power = world.as_(POWER)
    saved = power.ok("POST", "/prompts", 201, json=runtime_prompt("mine"))
    assert saved["success"] and saved["prompt"]["createdBy"] == POWER and saved["prompt"]["rolesPermitted"] == ["user"]
    updated = power.ok("PATCH", "/prompts/mine", json={"description": "better", "rolesPermitted": ["power-user"]})
    assert updated["prompt"]["description"] == "better"
    assert_problem(world.as_(USER).get("/prompts/mine"), 404)
    deleted = power.ok("DELETE", "/prompts/mine")
    assert deleted["deletedPrompt"] == {"name": "mine", "description": "better"}
    assert sum(isinstance(e, PromptListChanged) for e in events.events) == 3


def test_prompt_errors(world: World) -> None:
    power = world.as_(POWER)
    assert_problem(power.post("/prompts", json=runtime_prompt("p1-prompt")), 409, "already exists")
    assert_problem(world.as_(ADMIN).post("/prompts", json=runtime_prompt("p1-prompt")), 409)
    assert_problem(power.post("/prompts", json=runtime_prompt("x", handler={"type": "nope"})), 422, "Unknown handler")
    assert_problem(power.post("/prompts", json=runtime_prompt("x", description=" ")), 422)
    assert_problem(power.post("/prompts", json={"name": "x"}), 400)
    assert_problem(power.patch("/prompts/p1-prompt", json={}), 422)
    assert_problem(power.patch("/prompts/p1-prompt", json={"arguments": [{"description": "no name"}]}), 400)
    assert_problem(power.delete("/prompts/ghost"), 404)
