"""Properties of the pure access rules (docs/access.md), checked against a spec-derived oracle."""

from __future__ import annotations

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st

from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.sharing import AccessLevel, Share, with_share, without_shares
from dynamic_mcp.domain.tools import SYSTEM_CREATOR, Tool
from dynamic_mcp.domain.toolsets import SessionToolset
from dynamic_mcp.domain.users import User

from .strategies import (
    BUILT_IN_PACKAGES,
    EPOCH,
    PACKAGES,
    TOOL_NAMES,
    admins,
    catalogues,
    emails,
    hidden_lists,
    non_admins,
    plain_users,
    power_users,
    property_settings,
    role_sets,
    shares,
    tools,
    users,
)

# -- the oracle: docs/access.md/docs/access.md written out independently of the implementation -------------


def share_grants(share: Share, tool: Tool) -> bool:
    """a namespaced share names one tool; a plain (legacy) one every tool of that name."""
    if ":" in share.tool_id:
        return share.tool_id == f"{tool.creator}:{tool.name}"
    return share.tool_id == tool.name


# For reach the built-in roles nest (ADR 0015): admin counts as power-user and user, power-user as user.
ALSO_COUNTS_AS = {"admin": {"power-user", "user"}, "power-user": {"user"}}


def counted_roles(user: User) -> set[str]:
    held = set(user.roles)
    for role in user.roles:
        held |= ALSO_COUNTS_AS.get(role, set())
    return held


def granted_without_shares(user: User, tool: Tool) -> bool:
    return (
        "admin" in user.roles
        or tool.creator == user.email
        or tool.creator == SYSTEM_CREATOR
        or bool(set(tool.roles_permitted or ()) & counted_roles(user))
    )


def spec_can_access(user: User, tool: Tool) -> bool:
    return granted_without_shares(user, tool) or any(share_grants(s, tool) for s in user.shared_tools)


def ids(tools: list[Tool] | tuple[Tool, ...]) -> set[str]:
    return {t.namespaced_id for t in tools}


def accessible_ids(user: User, catalogue: list[Tool]) -> set[str]:
    return ids(visibility.accessible(user, catalogue, PACKAGES))


def is_package(tool: Tool) -> bool:
    return tool.creator == SYSTEM_CREATOR or tool.creator in PACKAGES


def spec_rank(user: User, tool: Tool) -> int:
    """A built-in first (its name is reserved), then own, then other users', then package
    tools; for an admin, another user's tool that only the admin rule reaches comes last (it must
    not catch an admin's plain-name call)."""
    if tool.creator in BUILT_IN_PACKAGES:
        return -1
    if tool.creator == user.email:
        return 0
    if is_package(tool):
        return 2
    if user.is_admin and not spec_can_access(
        attrs.evolve(user, roles=tuple(r for r in user.roles if r != "admin")), tool
    ):
        return 3
    return 1


# -- accessible and visible sets ------------------------------------------------------------


@property_settings
@given(users(), catalogues())
def test_accessible_set_is_exactly_what_the_spec_rules_grant(user: User, catalogue: list[Tool]) -> None:
    assert accessible_ids(user, catalogue) == {t.namespaced_id for t in catalogue if spec_can_access(user, t)}


@property_settings
@given(users(), catalogues())
def test_visible_set_is_a_subset_of_the_accessible_set(user: User, catalogue: list[Tool]) -> None:
    assert ids(visibility.visible(user, catalogue, PACKAGES)) <= accessible_ids(user, catalogue)


@property_settings
@given(users(), catalogues())
def test_always_visible_accessible_tools_are_always_listed(user: User, catalogue: list[Tool]) -> None:
    visible = ids(visibility.visible(user, catalogue, PACKAGES))
    for tool in visibility.accessible(user, catalogue, PACKAGES):
        if tool.always_visible:
            assert tool.namespaced_id in visible


@property_settings
@given(users(), catalogues())
def test_visible_set_is_accessible_minus_hidden_ids(user: User, catalogue: list[Tool]) -> None:
    expected = {
        t.namespaced_id
        for t in visibility.accessible(user, catalogue, PACKAGES)
        if t.always_visible or t.namespaced_id not in user.hidden_tools
    }
    assert ids(visibility.visible(user, catalogue, PACKAGES)) == expected


@property_settings
@given(users(), catalogues(), hidden_lists)
def test_hiding_never_changes_the_accessible_set_nor_resolution(
    user: User, catalogue: list[Tool], hidden: tuple[str, ...]
) -> None:
    other = attrs.evolve(user, hidden_tools=hidden)
    assert accessible_ids(other, catalogue) == accessible_ids(user, catalogue)
    for tool in catalogue:
        assert visibility.resolve(other, tool.namespaced_id, catalogue, PACKAGES) == visibility.resolve(
            user, tool.namespaced_id, catalogue, PACKAGES
        )
    for name in TOOL_NAMES:
        assert visibility.resolve(other, name, catalogue, PACKAGES) == visibility.resolve(
            user, name, catalogue, PACKAGES
        )


@property_settings
@given(admins, catalogues())
def test_an_admin_accesses_every_tool(admin: User, catalogue: list[Tool]) -> None:
    assert accessible_ids(admin, catalogue) == ids(catalogue)


# -- shares ---------------------------------------------------------------------------------


@property_settings
@given(non_admins, catalogues(min_size=1), st.data())
def test_a_namespaced_share_adds_exactly_the_shared_tool(
    user: User, catalogue: list[Tool], data: st.DataObject
) -> None:
    tool = data.draw(st.sampled_from(catalogue))
    share = data.draw(shares(st.just(tool.namespaced_id)))
    before = accessible_ids(user, catalogue)
    after = accessible_ids(attrs.evolve(user, shared_tools=with_share(user.shared_tools, share)), catalogue)
    assert after == before | {tool.namespaced_id}


@property_settings
@given(non_admins, catalogues(min_size=1), st.data())
def test_removing_a_share_revokes_the_tool_unless_another_rule_grants_it(
    user: User, catalogue: list[Tool], data: st.DataObject
) -> None:
    tool = data.draw(st.sampled_from(catalogue))
    share = data.draw(shares(st.sampled_from((tool.namespaced_id, tool.name))))
    holder = attrs.evolve(user, shared_tools=with_share(user.shared_tools, share))
    remaining = without_shares(holder.shared_tools, frozenset({share.tool_id}), share.shared_by)
    revoked = attrs.evolve(holder, shared_tools=remaining)

    before = accessible_ids(holder, catalogue)
    after = accessible_ids(revoked, catalogue)
    assert after <= before
    for lost in visibility.accessible(holder, catalogue, PACKAGES):
        if lost.namespaced_id not in after:
            assert share_grants(share, lost)  # only what that share matched can go
    still_granted = granted_without_shares(revoked, tool) or any(share_grants(s, tool) for s in remaining)
    assert (tool.namespaced_id in after) == still_granted


@property_settings
@given(non_admins, catalogues(), st.sampled_from(TOOL_NAMES), st.data())
def test_a_legacy_plain_name_share_grants_every_tool_of_that_name(
    user: User, catalogue: list[Tool], name: str, data: st.DataObject
) -> None:
    share = data.draw(shares(st.just(name)))
    holder = attrs.evolve(user, shared_tools=with_share(user.shared_tools, share))
    after = accessible_ids(holder, catalogue)
    assert {t.namespaced_id for t in catalogue if t.name == name} <= after
    assert after == accessible_ids(user, catalogue) | {t.namespaced_id for t in catalogue if t.name == name}


@property_settings
@given(st.lists(shares(), max_size=8))
def test_a_recipient_holds_at_most_one_share_per_tool_and_sharer(added: list[Share]) -> None:
    held: tuple[Share, ...] = ()
    for share in added:
        held = with_share(held, share)
        assert share in held
    keys = [(s.tool_id, s.shared_by) for s in held]
    assert len(keys) == len(set(keys))


internal_package_tools = tools(creator=st.sampled_from(sorted(PACKAGES)), permitted=st.sampled_from((None, ())))


@property_settings
@given(
    users(roles=role_sets(("power-user", "user", "custom")), shared=st.just(())),
    st.lists(internal_package_tools, max_size=6),
)
def test_internal_package_tools_are_reachable_only_by_admins(user: User, internal: list[Tool]) -> None:
    """A package tool with missing or empty rolesPermitted (docs/access.md): no role, creator or share rule applies."""
    assert not any(visibility.can_access(user, t, PACKAGES) for t in internal)
    admin = attrs.evolve(user, roles=(*user.roles, "admin"))
    assert all(visibility.can_access(admin, t, PACKAGES) for t in internal)


# -- name resolution (docs/access.md) -----------------------------------------------------------------


@property_settings
@given(users(), catalogues())
def test_a_plain_name_resolves_to_the_best_ranked_oldest_accessible_tool(user: User, catalogue: list[Tool]) -> None:
    for name in TOOL_NAMES:
        candidates = [t for t in catalogue if t.name == name and spec_can_access(user, t)]
        resolved = visibility.resolve(user, name, catalogue, PACKAGES)
        if not candidates:
            assert resolved is None
            continue
        assert resolved is not None
        assert resolved.name == name
        assert resolved.namespaced_id in accessible_ids(user, catalogue)
        best = (spec_rank(user, resolved), resolved.created_at or EPOCH)
        assert not any((spec_rank(user, t), t.created_at or EPOCH) < best for t in candidates)


@property_settings
@given(users(), catalogues())
def test_a_namespaced_id_resolves_to_that_tool_only_when_accessible(user: User, catalogue: list[Tool]) -> None:
    for tool in catalogue:
        resolved = visibility.resolve(user, tool.namespaced_id, catalogue, PACKAGES)
        assert resolved == (tool if spec_can_access(user, tool) else None)


@property_settings
@given(users(), catalogues())
def test_the_session_toolset_agrees_with_the_rule_functions(user: User, catalogue: list[Tool]) -> None:
    toolset = SessionToolset.build(user, catalogue, PACKAGES)
    assert ids(toolset.accessible) == accessible_ids(user, catalogue)
    assert ids(toolset.visible) == ids(visibility.visible(user, catalogue, PACKAGES))
    for name in (*TOOL_NAMES, *(t.namespaced_id for t in catalogue)):
        assert toolset.resolve(name) == visibility.resolve(user, name, catalogue, PACKAGES)


# -- management rights (docs/access.md) ---------------------------------------------------------------


@property_settings
@given(plain_users, catalogues())
def test_a_plain_user_can_never_update_delete_or_share(user: User, catalogue: list[Tool]) -> None:
    for tool in catalogue:
        assert not visibility.can_update_tool(user, tool, PACKAGES)
        assert not visibility.can_delete_tool(user, tool, PACKAGES)
        assert not visibility.can_share_tool(user, tool)


@property_settings
@given(power_users, catalogues())
def test_a_power_user_never_manages_package_tools_nor_deletes_or_shares_others_tools(
    user: User, catalogue: list[Tool]
) -> None:
    for tool in catalogue:
        if is_package(tool):
            assert not visibility.can_update_tool(user, tool, PACKAGES)
            assert not visibility.can_delete_tool(user, tool, PACKAGES)
            assert not visibility.can_share_tool(user, tool)
        elif tool.creator == user.email:
            assert visibility.can_update_tool(user, tool, PACKAGES)
            assert visibility.can_delete_tool(user, tool, PACKAGES)
            assert visibility.can_share_tool(user, tool)
        else:
            assert not visibility.can_delete_tool(user, tool, PACKAGES)
            assert not visibility.can_share_tool(user, tool)


@property_settings
@given(power_users, tools(creator=emails), st.sampled_from(("namespaced", "legacy")), emails)
def test_a_write_share_allows_update_but_never_delete(user: User, tool: Tool, form: str, sharer: str) -> None:
    assume(tool.creator != user.email)
    tool_id = tool.namespaced_id if form == "namespaced" else tool.name
    writer = attrs.evolve(user, shared_tools=(Share(tool_id, sharer, AccessLevel.WRITE),))
    assert visibility.can_update_tool(writer, tool, PACKAGES)
    assert not visibility.can_delete_tool(writer, tool, PACKAGES)
    assert not visibility.can_share_tool(writer, tool)
    reader = attrs.evolve(user, shared_tools=(Share(tool_id, sharer, AccessLevel.READ),))
    assert not visibility.can_update_tool(reader, tool, PACKAGES)


@property_settings
@given(plain_users, tools(creator=emails), emails)
def test_a_write_share_gives_a_plain_user_no_update_right(user: User, tool: Tool, sharer: str) -> None:
    writer = attrs.evolve(user, shared_tools=(Share(tool.namespaced_id, sharer, AccessLevel.WRITE),))
    assert visibility.can_access(writer, tool, PACKAGES)
    assert not visibility.can_update_tool(writer, tool, PACKAGES)


@property_settings
@given(admins, catalogues())
def test_an_admin_manages_every_non_package_tool_and_no_package_tool(admin: User, catalogue: list[Tool]) -> None:
    for tool in catalogue:
        assert visibility.can_update_tool(admin, tool, PACKAGES) is not is_package(tool)
        assert visibility.can_delete_tool(admin, tool, PACKAGES) is not is_package(tool)
        assert visibility.can_share_tool(admin, tool)


# -- role nesting for reach, reserved built-in names, who changes reach ---------------------


@property_settings
@given(users(), tools(creator=emails, permitted=role_sets(("user", "power-user", "custom")).filter(bool)))
def test_built_in_roles_nest_for_reach_and_other_roles_match_exactly(user: User, tool: Tool) -> None:
    """An admin counts as a power user and a user, a power user as a user; never the other way."""
    bare = attrs.evolve(user, shared_tools=())
    assume(tool.creator != bare.email)
    permitted = set(tool.roles_permitted or ())
    expected = "admin" in bare.roles or bool(permitted & counted_roles(bare))
    assert visibility.can_access(bare, tool, PACKAGES) is expected
    if "user" in permitted:
        assert visibility.can_access(attrs.evolve(bare, roles=("power-user",)), tool, PACKAGES)
    if permitted == {"power-user"}:
        assert not visibility.can_access(attrs.evolve(bare, roles=("user", "custom")), tool, PACKAGES)
    if permitted == {"custom"}:
        assert not visibility.can_access(attrs.evolve(bare, roles=("power-user", "user")), tool, PACKAGES)


@property_settings
@given(users(), catalogues())
def test_a_built_in_name_always_resolves_to_the_built_in(user: User, catalogue: list[Tool]) -> None:
    """No stored tool, the caller's own included, stands in for a built-in of the same name."""
    for tool in catalogue:
        if tool.creator in BUILT_IN_PACKAGES and spec_can_access(user, tool):
            resolved = visibility.resolve(user, tool.name, catalogue, PACKAGES)
            assert resolved is not None and resolved.creator in BUILT_IN_PACKAGES


@property_settings
@given(users(), tools(), st.sampled_from((AccessLevel.READ, AccessLevel.WRITE)), emails)
def test_only_the_creator_and_admins_change_reach_never_a_share(
    user: User, tool: Tool, level: AccessLevel, sharer: str
) -> None:
    holder = attrs.evolve(user, shared_tools=(*user.shared_tools, Share(tool.namespaced_id, sharer, level)))
    own = "power-user" in holder.roles and tool.creator == holder.email
    expected = not is_package(tool) and (holder.is_admin or own)
    assert visibility.can_change_reach(holder, tool, PACKAGES) is expected
    if visibility.can_change_reach(holder, tool, PACKAGES):
        assert visibility.can_update_tool(holder, tool, PACKAGES)
