"""Tools, prompts and resources are reached by one rule (docs/access.md): properties over every kind."""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st

from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.prompts import Prompt, can_see_prompt
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.sharing import Share
from dynamic_mcp.domain.tools import HandlerRef, Tool
from dynamic_mcp.domain.users import User

from .strategies import EPOCH, creators, property_settings, roles_permitted, tool_names, users

HANDLER = HandlerRef("echo", {})


def as_tool(creator: str, name: str, roles: tuple[str, ...] | None, always: bool) -> Tool:
    return Tool(
        name=name,
        creator=creator,
        input_schema={"type": "object"},
        handler=HANDLER,
        roles_permitted=roles,
        always_visible=always,
    )


def as_resource(creator: str, name: str, roles: tuple[str, ...] | None, always: bool) -> Resource:
    return Resource(
        uri=f"test://{name}", name=name, creator=creator, text="x", roles_permitted=roles, always_visible=always
    )


def as_prompt(creator: str, name: str, roles: tuple[str, ...] | None, always: bool) -> Prompt:
    return Prompt(name=name, handler=HANDLER, created_by=creator, roles_permitted=roles, always_visible=always)


def shares_naming(user: User, tool: Tool, resource: Resource) -> tuple[Share, ...]:
    """The user's shares of ``tool``, re-aimed at ``resource`` (same sharer, same level)."""
    renamed = []
    for share in user.shared_tools:
        if share.tool_id == tool.namespaced_id or share.tool_id == tool.name:
            renamed.append(attrs.evolve(share, tool_id=resource.resource_id))
    return tuple(renamed)


@property_settings
@given(user=users(), creator=creators, name=tool_names, roles=roles_permitted, always=st.booleans())
def test_a_resource_is_reached_exactly_when_the_same_tool_is(
    user: User, creator: str, name: str, roles: tuple[str, ...] | None, always: bool
) -> None:
    tool = as_tool(creator, name, roles, always)
    resource = as_resource(creator, name, roles, always)
    by_tool = visibility.can_access(user, tool, frozenset())
    assert visibility.can_reach(user, resource, shares_naming(user, tool, resource)) == by_tool


@property_settings
@given(user=users(shared=st.just(())), creator=creators, name=tool_names, roles=roles_permitted, always=st.booleans())
def test_a_prompt_is_reached_by_the_same_rule(
    user: User, creator: str, name: str, roles: tuple[str, ...] | None, always: bool
) -> None:
    prompt = as_prompt(creator, name, roles, always)
    seen = can_see_prompt(user, prompt)
    if prompt.open_to_all:  # the prompts' own openness: no roles, or alwaysVisible (docs/access.md)
        assert seen
    else:
        assert seen == visibility.can_access(user, as_tool(creator, name, roles, always), frozenset())


@property_settings
@given(user=users(), creator=creators, name=tool_names, roles=roles_permitted)
def test_unshared_resource_grants_nothing_through_tool_shares(
    user: User, creator: str, name: str, roles: tuple[str, ...] | None
) -> None:
    """A tool share never reaches a resource: shares name one kind of thing."""
    resource = as_resource(creator, name, roles, False)
    assert visibility.can_reach(user, resource, ()) == visibility.can_reach(
        user, resource, tuple(s for s in user.shared_tools if ":" in s.tool_id)
    )


def test_epoch_is_shared_with_strategies() -> None:
    assert EPOCH.tzinfo is not None
