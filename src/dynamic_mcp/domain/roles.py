"""Roles are plain, case-sensitive strings (docs/access.md), with one ordering among the built-ins.

For reach (``rolesPermitted`` of tools and prompts) the built-in roles nest: an admin is also a
power user, and a power user is also a user (ADR 0015). Other roles match exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from dynamic_mcp.domain.errors import Invalid

ADMIN: Final = "admin"
POWER_USER: Final = "power-user"
USER: Final = "user"
BUILT_IN_ROLES: Final = (ADMIN, POWER_USER, USER)
MANAGER_ROLES: Final = frozenset({ADMIN, POWER_USER})
IMPLIED: Final = {ADMIN: (POWER_USER, USER), POWER_USER: (USER,)}
"""Roles a built-in role also counts as, for reach only (never for management rights)."""


def reach_roles(roles: Iterable[str]) -> frozenset[str]:
    """The roles a user counts as when ``rolesPermitted`` is matched."""
    held = set(roles)
    for role in tuple(held):
        held.update(IMPLIED.get(role, ()))
    return frozenset(held)


def validate_roles(roles: Iterable[str], allowed: Iterable[str]) -> tuple[str, ...]:
    """Keep the order, drop repeats; every role must be one of ``allowed``."""
    permitted = tuple(allowed)
    kept = tuple(dict.fromkeys(roles))
    unknown = [r for r in kept if r not in permitted]
    if unknown:
        raise Invalid(f"Unknown role(s): {', '.join(unknown)}. Allowed roles: {', '.join(permitted)}")
    return kept
