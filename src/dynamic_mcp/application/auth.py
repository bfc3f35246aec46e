"""API key authentication (docs/access.md)."""

from __future__ import annotations

from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.auth import KeyHasher
from dynamic_mcp.ports.repositories import UserRepository


class Authenticator:
    def __init__(self, users: UserRepository, hasher: KeyHasher) -> None:
        self._users = users
        self._hasher = hasher

    async def authenticate(self, plain_key: str) -> User | None:
        """The user holding ``plain_key``, or None. Only the digest is ever looked up."""
        if not plain_key:
            return None
        return await self._users.get_by_key_hash(self._hasher.digest(plain_key).hash)
