"""SessionToolset: what one user may list and call right now (docs/access.md). Derived, never stored."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Protocol

import attrs

from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User


class ToolLookup(Protocol):
    """Lookups over a whole catalogue, for a user who reaches every tool in it (an admin)."""

    def by_id(self, namespaced_id: str) -> Tool | None: ...

    def named(self, name: str) -> Iterable[Tool]: ...


@attrs.frozen
class SessionToolset:
    user: User
    accessible: tuple[Tool, ...]
    packages: frozenset[str]
    lookup: ToolLookup | None = attrs.field(default=None, eq=False, repr=False)
    """When the user reaches every tool: the catalogue's own indexes, so a call after a change
    does not first index 100,000 tools for one resolution."""

    @classmethod
    def build(cls, user: User, tools: Iterable[Tool], packages: frozenset[str]) -> SessionToolset:
        return cls(user, tuple(visibility.accessible(user, tools, packages)), packages)

    @functools.cached_property
    def _own_lookup(self) -> ToolLookup:
        return TupleLookup(self.accessible)

    @functools.cached_property
    def visible(self) -> tuple[Tool, ...]:
        return tuple(t for t in self.accessible if not visibility.is_hidden(self.user, t))

    def resolve(self, name_or_id: str) -> Tool | None:
        """docs/access.md, with indexes built once per toolset (a toolset may serve many calls)."""
        lookup = self.lookup if self.lookup is not None else self._own_lookup
        if ":" in name_or_id:
            return lookup.by_id(name_or_id)
        return visibility.pick_by_name(self.user, lookup.named(name_or_id), self.packages)


class TupleLookup:
    """Lookups over one tuple of tools, built once however many toolsets share the tuple."""

    def __init__(self, tools: tuple[Tool, ...]) -> None:
        self._by_id = {t.namespaced_id: t for t in tools}
        self._by_name: dict[str, list[Tool]] = {}
        for tool in tools:
            self._by_name.setdefault(tool.name, []).append(tool)

    def by_id(self, namespaced_id: str) -> Tool | None:
        return self._by_id.get(namespaced_id)

    def named(self, name: str) -> list[Tool]:
        return self._by_name.get(name, [])
