"""SessionToolset: what one user may list and call right now (SPEC §2.6). Derived, never stored."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User


@attrs.frozen
class SessionToolset:
    user: User
    accessible: tuple[Tool, ...]
    packages: frozenset[str]

    @classmethod
    def build(cls, user: User, tools: Iterable[Tool], packages: frozenset[str]) -> SessionToolset:
        return cls(user, tuple(visibility.accessible(user, tools, packages)), packages)

    @property
    def visible(self) -> tuple[Tool, ...]:
        return tuple(t for t in self.accessible if not visibility.is_hidden(self.user, t))

    def resolve(self, name_or_id: str) -> Tool | None:
        return visibility.resolve(self.user, name_or_id, self.accessible, self.packages)

    def contains(self, tool: Tool) -> bool:
        return any(t.namespaced_id == tool.namespaced_id for t in self.accessible)
