"""Argument mapping in the call pipeline (docs/tools.md): environment values reach a non-package
tool only when allowlisted; package tools see the environment."""

from __future__ import annotations

import json
from typing import Any

from dependency_injector import providers
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.config import Settings
from dynamic_mcp.container import build_container
from dynamic_mcp.domain.tools import HandlerRef, Tool

ENV_NAMES = ["ALLOWED_ONE", "SECRET_ONE", "SECRET_TWO"]


class FakeEnvironment:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def get(self, name: str) -> str | None:
        return self.values.get(name)


async def echo(args: dict[str, Any], context: Any, config: Any, progress: Any) -> dict[str, Any]:
    return {"result": args}


async def call_with_env(env: dict[str, str], *, creator: str) -> dict[str, Any]:
    container = build_container(Settings(admin_email="admin@x", template_env_allowlist=("ALLOWED_ONE",)))
    container.environment.override(providers.Object(FakeEnvironment(env)))
    package = HandlerPackage(name="mapper", tools=(), handler=echo)
    await container.lifecycle().start([package])
    mapping = {name: "{{" + name + "}}" for name in ENV_NAMES}
    tool = Tool(
        name="t",
        creator=creator,
        input_schema={"type": "object"},
        handler=HandlerRef("mapper", {"argMappings": mapping}),
        roles_permitted=("admin",),
    )
    await container.tools().upsert(tool)
    outcome = await container.call_service().call_tool("admin@x", f"{creator}:t", {})
    assert not outcome.is_error, outcome.text
    return dict(json.loads(outcome.text)["result"])


@settings(max_examples=25)
@given(st.dictionaries(st.sampled_from(ENV_NAMES), st.text(min_size=1, max_size=6), min_size=1))
async def test_environment_reaches_a_user_tool_only_through_the_allowlist(env: dict[str, str]) -> None:
    result = await call_with_env(env, creator="someone@x")
    assert result["ALLOWED_ONE"] == env.get("ALLOWED_ONE", "")
    assert result["SECRET_ONE"] == "" and result["SECRET_TWO"] == ""


async def test_package_tools_see_the_environment() -> None:
    env = {"ALLOWED_ONE": "a", "SECRET_ONE": "s1", "SECRET_TWO": "s2"}
    result = await call_with_env(env, creator="mapper")
    assert result == {"ALLOWED_ONE": "a", "SECRET_ONE": "s1", "SECRET_TWO": "s2"}
