"""Where OAuth clients and grants are kept (memory or MongoDB with a TTL), and the outside
lookups OAuth needs: client metadata documents and an external identity provider's tokens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from dynamic_mcp.domain.oauth import Grant, OAuthClient


class OAuthStore(Protocol):
    async def save_client(self, client: OAuthClient) -> None: ...

    async def get_client(self, client_id: str) -> OAuthClient | None: ...

    async def put(self, grant: Grant) -> None: ...

    async def get(self, hash: str, now: datetime) -> Grant | None:
        """The grant unless unknown or expired at ``now`` (an expired one is forgotten)."""
        ...

    async def take(self, hash: str, now: datetime) -> Grant | None:
        """Mark the grant spent in one atomic step and return it as it was before (``spent`` tells
        whether it had been taken already); None when unknown or expired."""
        ...

    async def delete(self, hash: str) -> bool: ...

    async def delete_family(self, family: str) -> int:
        """Forget every grant of one authorization; how many there were."""
        ...

    async def delete_for(self, email: str, client_id: str | None = None) -> int:
        """Forget every grant of a user (of one client only, when given); how many there were."""
        ...

    async def list_for(self, email: str, now: datetime) -> tuple[Grant, ...]:
        """The user's live grants, oldest first."""
        ...


class ClientDocumentFetcher(Protocol):
    async def fetch(self, url: str) -> Mapping[str, Any]:
        """The JSON object at ``url``, fetched through the outbound guard; Invalid or Forbidden
        (with a reason safe to show) when it cannot be fetched or is not a JSON object."""
        ...


class JwtVerifier(Protocol):
    async def claims(self, token: str) -> Mapping[str, Any] | None:
        """The verified claims of a bearer JWT (signature, issuer, audience, expiry), or None."""
        ...
