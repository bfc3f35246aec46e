"""OAuth clients and grants in process memory (one instance, or tests); bounded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs

from dynamic_mcp.domain.oauth import Grant, OAuthClient
from dynamic_mcp.ports.oauth import OAuthStore

MAX_GRANTS = 100_000
MAX_CLIENTS = 10_000


class InMemoryOAuthStore(OAuthStore):
    def __init__(self) -> None:
        self._clients: dict[str, OAuthClient] = {}
        self._grants: dict[str, Grant] = {}

    async def save_client(self, client: OAuthClient) -> None:
        if client.client_id not in self._clients and len(self._clients) >= MAX_CLIENTS:
            del self._clients[next(iter(self._clients))]
        self._clients[client.client_id] = client

    async def get_client(self, client_id: str) -> OAuthClient | None:
        return self._clients.get(client_id)

    async def put(self, grant: Grant) -> None:
        if len(self._grants) >= MAX_GRANTS:
            now = grant.created_at
            self._grants = {k: g for k, g in self._grants.items() if not g.expired(now)}
            while len(self._grants) >= MAX_GRANTS:
                del self._grants[next(iter(self._grants))]
        self._grants[grant.hash] = grant

    async def get(self, hash: str, now: datetime) -> Grant | None:
        grant = self._grants.get(hash)
        if grant is not None and grant.expired(now):
            del self._grants[hash]
            return None
        return grant

    async def take(self, hash: str, now: datetime) -> Grant | None:
        grant = await self.get(hash, now)
        if grant is not None:
            self._grants[hash] = attrs.evolve(grant, spent=True)
        return grant

    async def delete(self, hash: str) -> bool:
        return self._grants.pop(hash, None) is not None

    async def delete_family(self, family: str) -> int:
        return self._drop(lambda g: g.family == family)

    async def delete_for(self, email: str, client_id: str | None = None) -> int:
        return self._drop(lambda g: g.email == email and (client_id is None or g.client_id == client_id))

    async def list_for(self, email: str, now: datetime) -> tuple[Grant, ...]:
        live = [g for g in self._grants.values() if g.email == email and not g.expired(now)]
        return tuple(sorted(live, key=lambda g: g.created_at))

    def _drop(self, condition: Callable[[Grant], bool]) -> int:
        doomed = [k for k, g in self._grants.items() if condition(g)]
        for k in doomed:
            del self._grants[k]
        return len(doomed)
