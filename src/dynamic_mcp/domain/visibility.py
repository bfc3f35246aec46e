"""Access rules as pure functions (docs/access.md).

``packages`` is always the set of handler-package names known to the process: a tool whose
creator is one of them (or ``system``) is a package tool.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import attrs

from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.roles import ADMIN, MANAGER_ROLES, POWER_USER
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import SYSTEM_CREATOR, Tool
from dynamic_mcp.domain.users import User


class Guarded(Protocol):
    """What the access rule reads of anything users reach: tools, prompts and resources alike."""

    @property
    def creator(self) -> str: ...

    @property
    def roles_permitted(self) -> tuple[str, ...] | None: ...

    @property
    def open_to_all(self) -> bool:
        """Reaches every user whatever their roles (prompts without roles, always-visible prompts)."""
        ...

    @property
    def share_names(self) -> tuple[str, str | None]:
        """(namespaced id, legacy plain name or None): the ids a share may name it by."""
        ...


def can_reach(user: User, item: Guarded, shares: Iterable[Share] = ()) -> bool:
    """The one access rule (docs/access.md): admins, the creator (or ``system``), an open item,
    a role in ``rolesPermitted`` (nested), or one of ``shares`` naming the item."""
    if user.is_admin:
        return True
    if item.creator == user.email or item.creator == SYSTEM_CREATOR:
        return True
    if item.open_to_all or user.has_any_role(item.roles_permitted):
        return True
    return any(_names(share.tool_id, item) for share in shares)


def _names(share_id: str, item: Guarded) -> bool:
    namespaced, plain = item.share_names
    if share_id == namespaced:
        return True
    # legacy plain-name share (tools only): every tool of that name
    return plain is not None and ":" not in share_id and share_id == plain


def reaches(user: User, item: Guarded) -> bool:
    """``can_reach`` with the user's shares of the item's kind (tools and resources are shared; prompts not)."""
    if isinstance(item, Tool):
        return can_reach(user, item, user.shared_tools)
    if isinstance(item, Resource):
        return can_reach(user, item, user.shared_resources)
    return can_reach(user, item)


def can_access(user: User, tool: Tool, packages: frozenset[str]) -> bool:
    """Is ``tool`` in A(user)? (docs/access.md)."""
    return can_reach(user, tool, user.shared_tools)


def _share_matches(share_tool_id: str, tool: Tool) -> bool:
    return _names(share_tool_id, tool)


def is_hidden(user: User, tool: Tool) -> bool:
    """Hidden for listing purposes (docs/access.md): alwaysVisible tools never are."""
    return not tool.always_visible and tool.namespaced_id in user.hidden_tools


def is_resource_hidden(user: User, resource: Resource) -> bool:
    """The tools' rule for resources: hidden from listings unless alwaysVisible."""
    return not resource.always_visible and resource.resource_id in user.hidden_resources


def accessible(user: User, tools: Iterable[Tool], packages: frozenset[str]) -> list[Tool]:
    return [t for t in tools if can_access(user, t, packages)]


def visible(user: User, tools: Iterable[Tool], packages: frozenset[str]) -> list[Tool]:
    """V(u) = A(u) minus hidden tools (docs/access.md)."""
    return [t for t in accessible(user, tools, packages) if not is_hidden(user, t)]


def granted_without_admin(user: User, tool: Tool) -> bool:
    """Would ``user`` reach ``tool`` by the rules of docs/access.md alone, as a non-admin?"""
    return can_access(attrs.evolve(user, roles=tuple(r for r in user.roles if r != ADMIN)), tool, frozenset())


def resolution_rank(user: User, tool: Tool, packages: frozenset[str]) -> int:
    """-1 = a built-in (management) tool, 0 = the user's own, 1 = another user's, 2 = a package
    tool, 3 = another user's tool that only the admin rule reaches (docs/access.md).

    Built-in names always pick the built-in, so no stored tool of that name (one created before
    the names were reserved, say) can stand in for it for anyone. The last rank keeps an admin's
    plain-name call from being caught by any user's tool (a confused deputy with admin rights).
    """
    if tool.is_built_in:
        return -1
    if tool.creator == user.email:
        return 0
    if tool.is_package_tool(packages):
        return 2
    if user.is_admin and not granted_without_admin(user, tool):
        return 3
    return 1


def pick_by_name(user: User, candidates: Iterable[Tool], packages: frozenset[str]) -> Tool | None:
    """Among same-named tools, the one docs/access.md selects: rank, then oldest createdAt."""
    ordered = sorted(
        candidates,
        key=lambda t: (
            resolution_rank(user, t, packages),
            t.created_at.timestamp() if t.created_at else 0.0,
            t.creator,
        ),
    )
    return ordered[0] if ordered else None


def resolve(user: User, name_or_id: str, tools: Iterable[Tool], packages: frozenset[str]) -> Tool | None:
    """Resolve a plain name or namespaced id to one tool in A(user), or None (docs/access.md)."""
    pool = accessible(user, tools, packages)
    if ":" in name_or_id:
        return next((t for t in pool if t.namespaced_id == name_or_id), None)
    return pick_by_name(user, (t for t in pool if t.name == name_or_id), packages)


def is_manager(user: User) -> bool:
    """May create tools and prompts (docs/access.md)."""
    return any(r in MANAGER_ROLES for r in user.roles)


def can_update_tool(user: User, tool: Tool, packages: frozenset[str]) -> bool:
    """package tools never; admins any other; power users own or write-shared."""
    if tool.is_package_tool(packages):
        return False
    if user.is_admin:
        return True
    if POWER_USER not in user.roles:
        return False
    if tool.creator == user.email:
        return True
    return any(_share_matches(s.tool_id, tool) and s.access_level is AccessLevel.WRITE for s in user.shared_tools)


def can_delete_tool(user: User, tool: Tool, packages: frozenset[str]) -> bool:
    """a write share allows update, never delete (docs/compatibility.md)."""
    if tool.is_package_tool(packages):
        return False
    if user.is_admin:
        return True
    return POWER_USER in user.roles and tool.creator == user.email


def can_share_tool(user: User, tool: Guarded) -> bool:
    """admins any tool (or resource), power users only their own."""
    if user.is_admin:
        return True
    return POWER_USER in user.roles and tool.creator == user.email


def can_change_reach(user: User, tool: Tool, packages: frozenset[str]) -> bool:
    """Who may change ``rolesPermitted`` or ``alwaysVisible``: the creator and admins, never a
    write share (write edits what the tool does and says, not who may reach it)."""
    if tool.is_package_tool(packages):
        return False
    return user.is_admin or (POWER_USER in user.roles and tool.creator == user.email)


def can_act_on_user(caller: User, target_email: str) -> bool:
    """callers act on their own record, admins on any."""
    return caller.is_admin or caller.email == target_email


__all__ = [
    "ADMIN",
    "accessible",
    "can_access",
    "can_act_on_user",
    "can_change_reach",
    "can_delete_tool",
    "can_reach",
    "can_share_tool",
    "can_update_tool",
    "is_hidden",
    "is_manager",
    "is_resource_hidden",
    "pick_by_name",
    "reaches",
    "resolve",
    "visible",
]
