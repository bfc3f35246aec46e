"""Start-up: the bootstrap admin (docs/configuration.md)."""

from __future__ import annotations

import logging

from dynamic_mcp.application.onboarding import Onboarding
from dynamic_mcp.domain.roles import ADMIN
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.auth import KeyIssuer
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.repositories import UserFields, UserRepository

log = logging.getLogger(__name__)


class AdminBootstrap:
    def __init__(self, users: UserRepository, keys: KeyIssuer, onboarding: Onboarding, clock: Clock) -> None:
        self._users = users
        self._keys = keys
        self._onboarding = onboarding
        self._clock = clock

    async def ensure_admin(self, email: str, chosen_key: str | None = None) -> str | None:
        """Create (or repair) the admin; returns the plain key only when one was issued now.

        The key is logged once at warning level when issued, as operators expect (docs/configuration.md); an
        existing admin's key is never logged, only its display prefix.
        """
        existing = await self._users.get(email)
        if existing is not None and not existing.is_admin:
            # MCP_ADMIN_EMAIL names the admin: a record that lost the role (the last admin demoted,
            # or the database edited by hand) gets it back, so the server never starts without one.
            existing = await self._users.update_fields(email, UserFields(roles=(*existing.roles, ADMIN)))
            log.warning("The bootstrap admin %s had lost the admin role; it was given back (MCP_ADMIN_EMAIL)", email)
        if existing is not None and existing.api_key is not None:
            log.info("Admin user %s present (API key %s...)", email, existing.api_key.prefix)
            return None
        issued = self._keys.issue(chosen_key)
        if existing is None:
            now = self._clock.now()
            await self._users.add(
                User(
                    email=email,
                    name="Admin User",
                    roles=(ADMIN,),
                    api_key=issued.digest,
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            await self._users.set_api_key(email, issued.digest)
        if not chosen_key:
            # The single place a key is ever logged (docs/access.md): the operator needs it to start.
            log.warning("Admin user %s created with API key: %s", email, issued.plain)
        else:
            log.warning("Admin user %s created with the key from MCP_ADMIN_API_KEY", email)
        await self._onboarding.send_key(email, issued.plain, "You are the administrator of this server.")
        return issued.plain

    async def reset_admin_key(self, email: str) -> str:
        """For the operator CLI (docs/configuration.md): a fresh key for the admin, returned to print."""
        issued = self._keys.issue()
        await self._users.set_api_key(email, issued.digest)
        return issued.plain
