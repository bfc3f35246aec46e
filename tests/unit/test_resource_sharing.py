"""Sharing and hiding resources (docs/resources.md): the tools' rules, checked in the use case."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynamic_mcp.application.resources import ResourceNotFound
from dynamic_mcp.container import Container
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import Forbidden
from dynamic_mcp.domain.events import ResourceListChanged
from dynamic_mcp.domain.users import User

from .strategies import creators, property_settings, roles_permitted, tool_names, users
from .support import POWER, USER, USER2, Caller, EventRecorder
from .test_one_access_rule import as_resource, as_tool, shares_naming


@property_settings
@given(user=users(), creator=creators, name=tool_names, roles=roles_permitted, always=st.booleans())
def test_a_shared_resource_is_reached_and_hidden_exactly_as_the_same_tool(
    user: User, creator: str, name: str, roles: tuple[str, ...] | None, always: bool
) -> None:
    tool = as_tool(creator, name, roles, always)
    resource = as_resource(creator, name, roles, always)
    # the same shares and hides, held on the user record's resource fields
    hidden = tuple(resource.resource_id for h in user.hidden_tools if h == tool.namespaced_id)
    holder = attrs.evolve(
        user, shared_resources=shares_naming(user, tool, resource), hidden_resources=hidden, shared_tools=()
    )
    assert visibility.reaches(holder, resource) == visibility.can_access(user, tool, frozenset())
    assert visibility.is_resource_hidden(holder, resource) == visibility.is_hidden(user, tool)


def private(uri: str = "test://secret", **extra: Any) -> dict[str, Any]:
    """Open to nobody but its creator and admins (no rolesPermitted)."""
    return {"resourceDefinition": {"uri": uri, "name": "secret", "text": "s", **extra}}


def listed(container: Container, email: str) -> Any:
    return container.resource_service().list_resources(email)


async def test_share_reaches_only_the_recipient_and_tells_only_them(
    container: Container, power: Caller, user: Caller, events: EventRecorder
) -> None:
    await power.ok("add-resource", **private())
    assert await listed(container, USER) == []
    events.clear()
    shared = await power.ok("share-resource", email=USER, uri="test://secret")
    assert shared["result"][0]["toolId"] == f"{POWER}:test://secret"
    assert [r.uri for r in await listed(container, USER)] == ["test://secret"]
    assert (await container.resource_service().read(USER, "test://secret"))[0].text == "s"
    assert await listed(container, USER2) == []
    assert [e.emails for e in events.events if isinstance(e, ResourceListChanged)] == [frozenset({USER})]
    events.clear()
    await power.ok("unshare-resource", email=USER, uri="test://secret")
    assert await listed(container, USER) == []
    with pytest.raises(ResourceNotFound):
        await container.resource_service().read(USER, "test://secret")
    assert [e.emails for e in events.events if isinstance(e, ResourceListChanged)] == [frozenset({USER})]


async def test_rights_are_the_tools_ones(
    container: Container, power: Caller, power2: Caller, user: Caller, admin: Caller
) -> None:
    await power.ok("add-resource", **private())
    await power2.ok("add-resource", **private("test://open", rolesPermitted=["user"]))
    # power users share only their own resources, even ones they reach
    assert "may share only their own" in await power.fails("share-resource", email=USER, uri="test://open")
    # a resource the caller does not reach is not found, not forbidden
    assert "not found" in await power2.fails("share-resource", email=USER, uri="test://secret")
    assert "not found" in await power.fails("share-resource", email="nobody@x.io", uri="test://secret")
    # plain users cannot share; the use case refuses it for every door
    plain = await container.users().get(USER)
    assert plain is not None
    with pytest.raises(Forbidden, match="Only admins and power users"):
        await container.resource_sharing().share_resource(plain, USER2, "test://open")
    # admins share any resource, naming its creator
    await admin.ok("share-resource", email=USER2, uri="test://secret", creator=POWER)
    assert [r.uri for r in await listed(container, USER2)] == ["test://open", "test://secret"]
    # a power user's unshare removes only their own shares; an admin's removes every one
    await power.ok("share-resource", email=USER2, uri="test://secret")
    await power.ok("unshare-resource", email=USER2, uri="test://secret")
    assert "test://secret" in [r.uri for r in await listed(container, USER2)]
    await admin.ok("unshare-resource", email=USER2, uri="test://secret", creator=POWER)
    assert [r.uri for r in await listed(container, USER2)] == ["test://open"]


async def test_hiding_leaves_a_resource_readable_and_always_visible_ones_refuse(
    container: Container, power: Caller, user: Caller, events: EventRecorder
) -> None:
    await power.ok("add-resource", **private("test://a", rolesPermitted=["user"]))
    await power.ok("add-resource", **private("test://pinned", rolesPermitted=["user"], alwaysVisible=True))
    events.clear()
    hidden = await user.ok("hide-resource", uri="test://a")
    assert hidden["result"]["hiddenResources"] == [f"{POWER}:test://a"]
    assert [r.uri for r in await listed(container, USER)] == ["test://pinned"]
    assert [r.uri for r in await listed(container, POWER)] == ["test://a", "test://pinned"]  # only the hider
    assert (await container.resource_service().read(USER, "test://a"))[0].text == "s"
    assert [e.emails for e in events.events if isinstance(e, ResourceListChanged)] == [frozenset({USER})]
    assert "cannot be hidden" in await user.fails("hide-resource", uri="test://pinned")
    assert "not found" in await user.fails("hide-resource", uri="test://nothing")
    await user.ok("unhide-resource", uri="test://a")
    assert [r.uri for r in await listed(container, USER)] == ["test://a", "test://pinned"]
