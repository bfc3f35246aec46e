"""In-memory resource repository (docs/resources.md); atomic per operation on one event loop."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from dynamic_mcp.domain.errors import NotFound
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.repositories import ResourceRepository


class InMemoryResourceRepository(ResourceRepository):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._resources: dict[tuple[str, str], Resource] = {}

    async def list_all(self) -> list[Resource]:
        return list(self._resources.values())

    async def get(self, creator: str, uri: str) -> Resource | None:
        return self._resources.get((creator, uri))

    async def upsert(self, resource: Resource) -> Resource:
        key = (resource.creator, resource.uri)
        previous = self._resources.get(key)
        now = self._clock.now()
        created = previous.created_at if previous and previous.created_at else (resource.created_at or now)
        stored = attrs.evolve(resource, created_at=created, updated_at=resource.updated_at or now)
        self._resources[key] = stored
        return stored

    async def update(self, creator: str, uri: str, changes: Mapping[str, Any]) -> Resource:
        current = self._resources.get((creator, uri))
        if current is None:
            raise NotFound(f"Resource '{uri}' not found")
        updated = attrs.evolve(current, **{"updated_at": self._clock.now(), **changes})
        self._resources[(creator, uri)] = updated
        return updated

    async def delete(self, creator: str, uri: str) -> bool:
        return self._resources.pop((creator, uri), None) is not None

    async def delete_by_creator(self, creator: str, keep_uris: frozenset[str] = frozenset()) -> int:
        doomed = [k for k in self._resources if k[0] == creator and k[1] not in keep_uris]
        for key in doomed:
            del self._resources[key]
        return len(doomed)
