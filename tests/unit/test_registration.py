"""Handler package registration and start-up reset (docs/tools.md, docs/configuration.md OMIT_HANDLERS)."""

from __future__ import annotations

from typing import Any

import pytest

from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.tools import HandlerRef, Tool

ADMIN = "admin@example.com"


async def handler(args: dict[str, Any], context: Any, config: Any, progress: Any) -> dict[str, Any]:
    return {"result": "ok"}


def tool(name: str, package: str = "pkg") -> dict[str, Any]:
    return {"name": name, "inputSchema": {"type": "object"}, "handler": {"type": package, "config": {}}}


def container(**settings: Any) -> Container:
    return build_container(Settings(admin_email=ADMIN, **settings))


async def names(c: Container, creator: str) -> set[str]:
    return {t.name for t in await c.tools().list_all() if t.creator == creator}


async def test_init_runs_once_after_the_tools_are_stored() -> None:
    c = container()
    seen: list[set[str]] = []

    async def init() -> None:
        seen.append(await names(c, "pkg"))

    await c.lifecycle().start([HandlerPackage("pkg", [tool("a")], handler, init=init)])
    assert seen == [{"a"}]


async def test_re_registration_upserts_and_prunes_undeclared_tools() -> None:
    c = container()
    await c.lifecycle().start([HandlerPackage("pkg", [tool("a"), tool("b")], handler)])
    first = await c.tools().get("pkg", "a")
    registrar = c.registrar()
    c.registry()._packages.pop("pkg")  # a new process: the same package, one tool fewer
    await registrar.register(HandlerPackage("pkg", [tool("a")], handler))
    assert await names(c, "pkg") == {"a"}
    again = await c.tools().get("pkg", "a")
    assert first is not None and again is not None and again.created_at == first.created_at


async def test_system_tools_and_prompts_are_reset_at_start() -> None:
    c = container()
    legacy = Tool("old", "system", {"type": "object"}, HandlerRef("user-management", {"action": "list"}))
    await c.tools().upsert(legacy)
    await c.lifecycle().start()
    assert await names(c, "system") == set()


async def test_omit_handlers_native_skips_every_built_in_and_deletes_their_tools() -> None:
    c = container(omit_handlers=("native",))
    stale = Tool("list-users", "user-management", {"type": "object"}, HandlerRef("user-management"))
    await c.tools().upsert(stale)
    await c.lifecycle().start([HandlerPackage("pkg", [tool("a")], handler)])
    assert {t.creator for t in await c.tools().list_all()} == {"pkg"}
    assert c.registry().names() == frozenset({"pkg"})


async def test_omitting_one_package_by_name() -> None:
    c = container(omit_handlers=("prompt-management",))
    await c.lifecycle().start()
    assert "prompt-management" not in c.registry().names()
    assert "user-management" in c.registry().names()
    assert await names(c, "prompt-management") == set()


async def test_an_invalid_definition_stores_nothing() -> None:
    c = container()
    await c.lifecycle().start()
    bad = HandlerPackage("pkg", [tool("fine"), {**tool("bad"), "name": "no:colons"}], handler)
    with pytest.raises(Invalid):
        await c.registrar().register(bad)
    assert await names(c, "pkg") == set()
    assert "pkg" not in c.registry().names()


async def test_definitions_are_plain_camel_case_dicts() -> None:
    c = container()
    definition = {
        **tool("camel"),
        "description": "d",
        "annotations": {"title": "T", "readOnlyHint": True, "custom": 1},
        "rolesPermitted": ["user"],
        "alwaysVisible": True,
    }
    await c.lifecycle().start([HandlerPackage("pkg", [definition], handler)])
    stored = await c.tools().get("pkg", "camel")
    assert stored is not None
    assert stored.roles_permitted == ("user",) and stored.always_visible is True
    assert stored.annotations == {"title": "T", "readOnlyHint": True, "custom": 1}
