"""Bearer JWTs from an external identity provider (OAUTH_ISSUER, docs/oauth.md): the verified
email claim names the user, who then has exactly the roles, tools and shares of their record."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dynamic_mcp.application.users import UserService
from dynamic_mcp.domain.errors import DomainError
from dynamic_mcp.domain.oauth import SCOPE_ADMIN, SCOPE_MCP
from dynamic_mcp.domain.users import User, normalize_email
from dynamic_mcp.ports.oauth import JwtVerifier
from dynamic_mcp.ports.repositories import UserRepository

JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def token_scopes(claims: Mapping[str, Any]) -> frozenset[str]:
    """``scope`` (space-separated, RFC 9068) or ``scp`` (a list, as some providers send it)."""
    scope = claims.get("scope")
    if isinstance(scope, str):
        return frozenset(scope.split())
    scp = claims.get("scp")
    if isinstance(scp, list):
        return frozenset(s for s in scp if isinstance(s, str))
    return frozenset()


class ExternalTokens:
    def __init__(
        self,
        verifier: JwtVerifier,
        users: UserRepository,
        provisioning: UserService,
        *,
        email_claim: str = "email",
        auto_provision: bool = False,
    ) -> None:
        self._verifier = verifier
        self._users = users
        self._provisioning = provisioning
        self._email_claim = email_claim
        self._auto_provision = auto_provision

    def recognises(self, credential: str) -> bool:
        return JWT_SHAPE.fullmatch(credential) is not None

    async def user_for(self, token: str, scope: str) -> User | None:
        """``mcp`` needs only a valid token; ``admin`` (the REST API) needs that scope in the token
        and an admin user: the token never reaches further than the user's roles."""
        claims = await self._verifier.claims(token)
        if claims is None:
            return None
        email = claims.get(self._email_claim)
        if not isinstance(email, str) or not email.strip():
            return None
        user = await self._users.get(normalize_email(email))
        if user is None and self._auto_provision:
            name = claims.get("name")
            try:
                user = await self._provisioning.provision(email, name if isinstance(name, str) else None)
            except DomainError:
                return None
        if user is None:
            return None
        if scope == SCOPE_MCP:
            return user
        if scope == SCOPE_ADMIN and SCOPE_ADMIN in token_scopes(claims) and user.is_admin:
            return user
        return None
