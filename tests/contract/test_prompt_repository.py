"""PromptRepository contract (docs/access.md): the same behaviour in every adapter."""

from __future__ import annotations

import pytest

from dynamic_mcp.domain.errors import Conflict, NotFound
from dynamic_mcp.domain.prompts import Prompt, PromptArgument
from dynamic_mcp.domain.tools import HandlerRef
from tests.contract.conftest import Repositories


def prompt(name: str = "greet", created_by: str = "ann@example.com", **fields: object) -> Prompt:
    return Prompt(name=name, handler=HandlerRef("text", {"template": "Hi {{who}}"}), created_by=created_by, **fields)  # type: ignore[arg-type]


ARGS = (PromptArgument("who", "Whom to greet", required=True), PromptArgument("tone"))


async def test_added_prompt_can_be_read_back(repos: Repositories) -> None:
    stored = await repos.prompts.add(prompt(description="d", arguments=ARGS, roles_permitted=("user",)))
    assert stored.created_at is not None and stored.updated_at is not None
    assert await repos.prompts.get("greet") == stored
    assert await repos.prompts.list_all() == [stored]
    assert await repos.prompts.get("missing") is None


async def test_adding_an_existing_name_is_a_conflict_and_changes_nothing(repos: Repositories) -> None:
    first = await repos.prompts.add(prompt(created_by="ann@example.com"))
    with pytest.raises(Conflict, match="already exists"):
        await repos.prompts.add(prompt(created_by="bob@example.com"))
    assert await repos.prompts.get("greet") == first


async def test_upsert_replaces_but_keeps_the_original_created_at(repos: Repositories) -> None:
    first = await repos.prompts.upsert(prompt(description="one", arguments=ARGS))
    second = await repos.prompts.upsert(prompt(description="two"))
    assert second.created_at == first.created_at and second.updated_at != first.updated_at
    assert (second.description, second.arguments) == ("two", ())
    assert await repos.prompts.list_all() == [second]


async def test_update_applies_changes_and_keeps_the_rest(repos: Repositories) -> None:
    before = await repos.prompts.add(prompt(description="old", arguments=ARGS))
    after = await repos.prompts.update("greet", {"description": "new", "roles_permitted": ("admin",)})
    assert (after.description, after.roles_permitted, after.arguments) == ("new", ("admin",), ARGS)
    assert after.created_at == before.created_at and after.updated_at != before.updated_at
    assert await repos.prompts.get("greet") == after


async def test_update_of_unknown_prompt_is_not_found(repos: Repositories) -> None:
    with pytest.raises(NotFound):
        await repos.prompts.update("missing", {"description": "x"})


async def test_delete_removes_the_prompt(repos: Repositories) -> None:
    await repos.prompts.add(prompt())
    assert await repos.prompts.delete("greet") is True
    assert await repos.prompts.delete("greet") is False
    assert await repos.prompts.list_all() == []


async def test_delete_by_creator_keeps_the_named_prompts_and_other_creators(repos: Repositories) -> None:
    for name in ("a", "b", "c"):
        await repos.prompts.add(prompt(name, created_by="pkg"))
    other = await repos.prompts.add(prompt("d", created_by="ann@example.com"))
    assert await repos.prompts.delete_by_creator("pkg", keep_names=frozenset({"c"})) == 2
    assert sorted(p.name for p in await repos.prompts.list_all()) == ["c", "d"]
    assert await repos.prompts.delete_by_creator("pkg") == 1
    assert await repos.prompts.list_all() == [other]
