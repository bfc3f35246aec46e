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
    def _by_id(self) -> dict[str, Tool]:
        return {t.namespaced_id: t for t in self.accessible}

    @functools.cached_property
    def _by_name(self) -> dict[str, list[Tool]]:
        index: dict[str, list[Tool]] = {}
        for tool in self.accessible:
            index.setdefault(tool.name, []).append(tool)
        return index

    @functools.cached_property
    def visible(self) -> tuple[Tool, ...]:
        return tuple(t for t in self.accessible if not visibility.is_hidden(self.user, t))

    def resolve(self, name_or_id: str) -> Tool | None:
        """docs/access.md, with indexes built once per toolset (a toolset may serve many calls)."""
        if self.lookup is not None:
            if ":" in name_or_id:
                return self.lookup.by_id(name_or_id)
            return visibility.pick_by_name(self.user, self.lookup.named(name_or_id), self.packages)
        if ":" in name_or_id:
            return self._by_id.get(name_or_id)
        return visibility.pick_by_name(self.user, self._by_name.get(name_or_id, ()), self.packages)
