"""API key authentication, and bearer tokens beside it when OAuth is on (docs/access.md, docs/oauth.md).

Either way the result is the same User record, so every use case checks the same roles, tools and
shares whichever way a client signed in.
"""

from __future__ import annotations

from typing import Protocol

from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.auth import KeyHasher
from dynamic_mcp.ports.repositories import UserRepository


class BearerTokens(Protocol):
    def recognises(self, credential: str) -> bool:
        """Does ``credential`` look like one of this issuer's tokens (never an API key)?"""
        ...

    async def user_for(self, token: str, scope: str) -> User | None:
        """The user a live token for ``scope`` stands for, or None."""
        ...


class Authenticator:
    def __init__(self, users: UserRepository, hasher: KeyHasher, tokens: BearerTokens | None = None) -> None:
        self._users = users
        self._hasher = hasher
        self._tokens = tokens

    @property
    def accepts_tokens(self) -> bool:
        return self._tokens is not None

    def is_token(self, credential: str) -> bool:
        return self._tokens is not None and self._tokens.recognises(credential)

    async def authenticate(self, plain_key: str, scope: str | None = None) -> User | None:
        """The user holding ``plain_key``, or None. Only the digest is ever looked up.

        With a ``scope`` (``mcp`` on /mcp, ``admin`` on the REST API) an OAuth access token is
        accepted too, when it carries that scope; the console passes none and takes keys only.
        """
        if not plain_key:
            return None
        if self._tokens is not None and self._tokens.recognises(plain_key):
            return None if scope is None else await self._tokens.user_for(plain_key, scope)
        return await self._users.get_by_key_hash(self._hasher.digest(plain_key).hash)
