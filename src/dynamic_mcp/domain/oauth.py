"""OAuth clients and grants (docs/oauth.md, ADR 0024): what the server keeps, never a secret.

A grant is one opaque secret handed out by the authorization server (a pending authorization
request, an authorization code, an access or refresh token, a one-time sign-in link). Only the
SHA-256 of the secret is stored; the secret itself exists in the one response that issues it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from dynamic_mcp.domain.users import User

SCOPE_MCP: Final = "mcp"
SCOPE_ADMIN: Final = "admin"
SCOPES: Final = (SCOPE_MCP, SCOPE_ADMIN)

REQUEST: Final = "request"
CODE: Final = "code"
ACCESS: Final = "access"
REFRESH: Final = "refresh"
LINK: Final = "link"
KINDS: Final = (REQUEST, CODE, ACCESS, REFRESH, LINK)
TOKEN_KINDS: Final = frozenset({ACCESS, REFRESH})


def allowed_scopes(user: User) -> tuple[str, ...]:
    """What a token of ``user`` may carry: ``mcp`` for everyone, ``admin`` for admins only."""
    return SCOPES if user.is_admin else (SCOPE_MCP,)


def granted_scopes(requested: Iterable[str] | None, user: User) -> tuple[str, ...]:
    """The requested scopes the user's roles allow (``mcp`` when none are named), in a fixed order."""
    wanted = set(requested or (SCOPE_MCP,))
    return tuple(s for s in allowed_scopes(user) if s in wanted)


def parse_scope(text: str | None) -> tuple[str, ...] | None:
    """A space-separated scope parameter as a tuple; None when absent or blank."""
    if text is None or not text.strip():
        return None
    return tuple(dict.fromkeys(text.split()))


@attrs.frozen
class OAuthClient:
    """A registered client (dynamic registration) or one known by its metadata document URL.

    ``document`` is the client metadata as registered (RFC 7591), without any secret;
    ``secret_hash`` is the SHA-256 of the client secret, if one was issued.
    """

    client_id: str
    document: Mapping[str, Any]
    created_at: datetime
    secret_hash: str | None = None

    @property
    def name(self) -> str:
        name = self.document.get("client_name")
        return name if isinstance(name, str) and name.strip() else self.client_id

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        return tuple(str(u) for u in self.document.get("redirect_uris") or ())


@attrs.frozen
class Grant:
    """One issued secret, by the SHA-256 of its value.

    ``family`` ties together the code, access and refresh tokens of one authorization, so a
    replayed code or refresh token can revoke all of them. ``key_hash`` is the user's API key
    digest when the grant was made: a key reset ends every grant made before it.
    """

    hash: str
    kind: str
    email: str
    client_id: str
    family: str
    created_at: datetime
    expires_at: datetime
    scopes: tuple[str, ...] = ()
    resource: str = ""
    key_hash: str = ""
    details: Mapping[str, Any] = attrs.field(factory=dict)
    """What a pending request or code must remember: redirect URI, PKCE challenge, state."""
    spent: bool = False
    """A code or refresh token already exchanged; kept until it expires to spot a replay."""

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


@attrs.frozen
class ClientGrantSummary:
    """One client a user has authorized, for ``GET /api/v1/me/oauth-clients``."""

    client_id: str
    client_name: str
    scopes: tuple[str, ...]
    authorized_at: datetime
    expires_at: datetime
