"""The tool catalogue in memory, indexed by what makes a tool reach a user (docs/access.md): by
creator, by permitted role and by name (for shares), so one user's accessible tools are gathered
in proportion to how many they are, not to the size of the catalogue.

Tools keep the catalogue's order (first stored first; a replaced tool keeps its place), so a
toolset gathered from the indexes lists exactly what filtering the whole catalogue would
(tests/unit/test_incremental_toolsets.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from dynamic_mcp.domain.tools import SYSTEM_CREATOR, Tool, split_namespaced_id
from dynamic_mcp.domain.toolsets import ToolLookup, TupleLookup
from dynamic_mcp.domain.users import User

Key = tuple[str, str]


def _add(index: dict[str, dict[Key, Tool]], name: str, key: Key, tool: Tool) -> None:
    index.setdefault(name, {})[key] = tool


def _discard(index: dict[str, dict[Key, Tool]], name: str, key: Key) -> None:
    tools = index.get(name)
    if tools is not None:
        tools.pop(key, None)
        if not tools:
            del index[name]


class ToolIndex:
    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._by_key: dict[Key, Tool] = {}
        self._order: dict[Key, int] = {}
        self._next = 0
        self._by_creator: dict[str, dict[Key, Tool]] = {}
        self._by_role: dict[str, dict[Key, Tool]] = {}
        self._by_name: dict[str, dict[Key, Tool]] = {}
        self._all: tuple[Tool, ...] | None = None
        # reach roles -> (the tuple, its lookups) for users who reach tools by roles alone
        self._by_roles: dict[frozenset[str], tuple[tuple[Tool, ...], TupleLookup]] = {}
        for tool in tools:
            self.put(tool)

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: Key) -> Tool | None:
        return self._by_key.get(key)

    def all(self) -> tuple[Tool, ...]:
        """Every tool, in catalogue order (made once per change, when first asked)."""
        if self._all is None:
            self._all = tuple(self._by_key.values())
        return self._all

    def by_id(self, namespaced_id: str) -> Tool | None:
        key = split_namespaced_id(namespaced_id)
        return self._by_key.get(key) if key is not None else None

    def named(self, name: str) -> list[Tool]:
        return list(self._by_name.get(name, {}).values())

    def of_creator(self, creator: str) -> list[Tool]:
        return list(self._by_creator.get(creator, {}).values())

    def put(self, tool: Tool) -> Tool | None:
        """Store ``tool`` under its (creator, name); returns the tool it replaced."""
        key = (tool.creator, tool.name)
        before = self._unindex(key)
        if before is None:
            self._order[key] = self._next
            self._next += 1
        self._by_key[key] = tool
        _add(self._by_creator, tool.creator, key, tool)
        _add(self._by_name, tool.name, key, tool)
        for role in tool.roles_permitted or ():
            _add(self._by_role, role, key, tool)
        self._changed(before, tool)
        return before

    def remove(self, key: Key) -> Tool | None:
        before = self._unindex(key)
        if before is not None:
            del self._by_key[key]
            del self._order[key]
            self._changed(before)
        return before

    def _changed(self, *tools: Tool | None) -> None:
        """Forget what the changed tools (before and after) may alter: the whole list, and the
        shared views of the role sets they reach (the others stay equal to a fresh build)."""
        self._all = None
        for signature in [s for s in self._by_roles if any(_reaches_roles(t, s) for t in tools if t is not None)]:
            del self._by_roles[signature]

    def _unindex(self, key: Key) -> Tool | None:
        before = self._by_key.get(key)
        if before is not None:
            _discard(self._by_creator, before.creator, key)
            _discard(self._by_name, before.name, key)
            for role in before.roles_permitted or ():
                _discard(self._by_role, role, key)
        return before

    def reach(self, user: User) -> tuple[tuple[Tool, ...], ToolLookup | None]:
        """A(user), and lookups over it when they are shared with other users (None: the caller
        indexes the tuple itself). An admin's are the catalogue's own; users who reach tools
        only through their roles (no shares, no tools of their own: most of a big deployment)
        share one tuple and one lookup per set of roles until the catalogue changes, so their
        toolsets cost O(1) each, not O(tools), in time and memory."""
        if user.is_admin:
            return self.all(), self
        if user.shared_tools or user.email in self._by_creator:
            return self.accessible_to(user), None
        signature = frozenset(user.reach_roles)
        found = self._by_roles.get(signature)
        if found is None:
            tools = self.accessible_to(user)
            found = self._by_roles[signature] = (tools, TupleLookup(tools))
        return found

    def accessible_to(self, user: User) -> tuple[Tool, ...]:
        """A(user) in catalogue order: ``visibility.accessible(user, self.all())``, from the indexes."""
        if user.is_admin:
            return self.all()
        found: dict[Key, Tool] = {}
        found.update(self._by_creator.get(user.email, {}))
        found.update(self._by_creator.get(SYSTEM_CREATOR, {}))
        for role in user.reach_roles:
            found.update(self._by_role.get(role, {}))
        for share in user.shared_tools:
            parts = split_namespaced_id(share.tool_id)
            if parts is None:
                found.update(self._by_name.get(share.tool_id, {}))
            elif (tool := self._by_key.get(parts)) is not None:
                found[parts] = tool
        order = self._order
        return tuple(found[k] for k in sorted(found, key=order.__getitem__))


def _reaches_roles(tool: Tool, roles: frozenset[str]) -> bool:
    """Is ``tool`` in the view of users who reach tools through exactly these roles?"""
    return tool.creator == SYSTEM_CREATOR or any(r in roles for r in tool.roles_permitted or ())
