"""Roles are plain, case-sensitive strings (docs/access.md)."""

from __future__ import annotations

from typing import Final

ADMIN: Final = "admin"
POWER_USER: Final = "power-user"
USER: Final = "user"
BUILT_IN_ROLES: Final = (ADMIN, POWER_USER, USER)
MANAGER_ROLES: Final = frozenset({ADMIN, POWER_USER})
