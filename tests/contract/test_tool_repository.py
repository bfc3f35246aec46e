"""ToolRepository contract (docs/tools.md): the same behaviour in every adapter."""

from __future__ import annotations

import pytest

from dynamic_mcp.domain.errors import NotFound
from dynamic_mcp.domain.tools import HandlerRef, Tool
from tests.contract.conftest import Repositories

SCHEMA = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {}}


def tool(name: str = "echo", creator: str = "ann@example.com", **fields: object) -> Tool:
    handler = HandlerRef("http", {"url": "https://example.com/{{id}}", "headers": {"$ref": "x"}})
    return Tool(name=name, creator=creator, input_schema=SCHEMA, handler=handler, **fields)  # type: ignore[arg-type]


def by_id(tools: list[Tool]) -> dict[str, Tool]:
    return {t.namespaced_id: t for t in tools}


async def test_upserted_tool_can_be_read_back(repos: Repositories) -> None:
    stored = await repos.tools.upsert(
        tool(
            description="d", annotations={"title": "Echo", "x-extra": 1}, roles_permitted=("user",), always_visible=True
        )
    )
    assert stored.created_at is not None and stored.updated_at is not None
    assert await repos.tools.get("ann@example.com", "echo") == stored
    assert await repos.tools.list_all() == [stored]


async def test_output_schema_title_and_icons_are_stored_and_updated(repos: Repositories) -> None:
    output = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    icons = ({"src": "https://example.com/i.png", "mimeType": "image/png", "sizes": ["48x48"]},)
    stored = await repos.tools.upsert(tool(output_schema=output, title="Counter", icons=icons))
    read = await repos.tools.get("ann@example.com", "echo")
    assert read == stored
    assert read is not None and (read.output_schema, read.title, read.icons) == (output, "Counter", icons)
    updated = await repos.tools.update("ann@example.com", "echo", {"title": "Count", "output_schema": None})
    assert (updated.title, updated.output_schema, updated.icons) == ("Count", None, icons)
    assert await repos.tools.get("ann@example.com", "echo") == updated


async def test_unknown_tool_reads_as_none(repos: Repositories) -> None:
    assert await repos.tools.get("ann@example.com", "missing") is None


async def test_same_name_may_repeat_across_creators(repos: Repositories) -> None:
    mine = await repos.tools.upsert(tool(creator="ann@example.com"))
    theirs = await repos.tools.upsert(tool(creator="bob@example.com"))
    assert by_id(await repos.tools.list_all()) == {"ann@example.com:echo": mine, "bob@example.com:echo": theirs}


async def test_upsert_replaces_but_keeps_the_original_created_at(repos: Repositories) -> None:
    first = await repos.tools.upsert(tool(description="one", roles_permitted=("user",)))
    second = await repos.tools.upsert(tool(description="two"))
    assert second.created_at == first.created_at
    assert second.updated_at != first.updated_at
    assert (second.description, second.roles_permitted) == ("two", None)
    assert await repos.tools.list_all() == [second]


async def test_upsert_keeps_times_the_caller_gave(repos: Repositories) -> None:
    created, updated = repos.clock.now(), repos.clock.now()
    stored = await repos.tools.upsert(tool(created_at=created, updated_at=updated))
    assert (stored.created_at, stored.updated_at) == (created, updated)


async def test_update_applies_changes_and_keeps_the_rest(repos: Repositories) -> None:
    before = await repos.tools.upsert(tool(description="old", roles_permitted=("user",)))
    used = repos.clock.now()
    after = await repos.tools.update(
        "ann@example.com",
        "echo",
        {"description": None, "handler": HandlerRef("http", {"url": "u"}), "last_used": used, "always_visible": True},
    )
    assert (after.description, after.handler, after.last_used, after.always_visible) == (
        None,
        HandlerRef("http", {"url": "u"}),
        used,
        True,
    )
    assert (after.roles_permitted, after.input_schema, after.created_at) == (("user",), SCHEMA, before.created_at)
    assert after.updated_at != before.updated_at
    assert await repos.tools.get("ann@example.com", "echo") == after


async def test_update_of_unknown_tool_is_not_found(repos: Repositories) -> None:
    await repos.tools.upsert(tool(creator="bob@example.com"))
    with pytest.raises(NotFound):
        await repos.tools.update("ann@example.com", "echo", {"description": "x"})


async def test_delete_removes_only_that_creators_tool(repos: Repositories) -> None:
    await repos.tools.upsert(tool(creator="ann@example.com"))
    theirs = await repos.tools.upsert(tool(creator="bob@example.com"))
    assert await repos.tools.delete("ann@example.com", "echo") is True
    assert await repos.tools.delete("ann@example.com", "echo") is False
    assert await repos.tools.list_all() == [theirs]


async def test_delete_by_creator_keeps_the_named_tools_and_other_creators(repos: Repositories) -> None:
    for name in ("a", "b", "c"):
        await repos.tools.upsert(tool(name, creator="pkg"))
    other = await repos.tools.upsert(tool("a", creator="system"))
    assert await repos.tools.delete_by_creator("pkg", keep_names=frozenset({"b"})) == 2
    assert sorted(by_id(await repos.tools.list_all())) == ["pkg:b", "system:a"]
    assert await repos.tools.delete_by_creator("pkg") == 1
    assert await repos.tools.list_all() == [other]
    assert await repos.tools.delete_by_creator("nobody") == 0
