"""Upstream records and per-user credentials in process memory (docs/upstreams.md)."""

from __future__ import annotations

import attrs

from dynamic_mcp.domain.errors import Conflict, NotFound
from dynamic_mcp.domain.upstreams import Upstream, UpstreamCredential
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.upstreams import UpstreamRepository


class InMemoryUpstreamRepository(UpstreamRepository):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._upstreams: dict[str, Upstream] = {}
        self._credentials: dict[tuple[str, str], UpstreamCredential] = {}

    async def list_all(self) -> list[Upstream]:
        return [self._upstreams[name] for name in sorted(self._upstreams)]

    async def get(self, name: str) -> Upstream | None:
        return self._upstreams.get(name)

    async def add(self, upstream: Upstream) -> Upstream:
        if upstream.name in self._upstreams:
            raise Conflict(f"An upstream named '{upstream.name}' already exists")
        now = self._clock.now()
        stored = attrs.evolve(upstream, created_at=now, updated_at=now)
        self._upstreams[upstream.name] = stored
        return stored

    async def replace(self, upstream: Upstream) -> Upstream:
        current = self._upstreams.get(upstream.name)
        if current is None:
            raise NotFound(f"Upstream '{upstream.name}' not found")
        stored = attrs.evolve(upstream, created_at=current.created_at, updated_at=self._clock.now())
        self._upstreams[upstream.name] = stored
        return stored

    async def delete(self, name: str) -> bool:
        for key in [k for k in self._credentials if k[0] == name]:
            del self._credentials[key]
        return self._upstreams.pop(name, None) is not None

    async def get_credential(self, upstream: str, email: str) -> UpstreamCredential | None:
        return self._credentials.get((upstream, email))

    async def put_credential(self, credential: UpstreamCredential) -> UpstreamCredential:
        stored = attrs.evolve(credential, updated_at=self._clock.now())
        self._credentials[(credential.upstream, credential.email)] = stored
        return stored

    async def delete_credential(self, upstream: str, email: str) -> bool:
        return self._credentials.pop((upstream, email), None) is not None

    async def delete_credentials_of(self, email: str) -> int:
        doomed = [k for k in self._credentials if k[1] == email]
        for key in doomed:
            del self._credentials[key]
        return len(doomed)
