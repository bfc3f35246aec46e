"""Resources a handler package declares: stored with the package as creator, the undeclared pruned."""

from __future__ import annotations

import attrs

from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.resource_definitions import resource_from_definition
from dynamic_mcp.application.resources import ResourceService
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.repositories import ResourceRepository


class ResourceRegistration:
    def __init__(self, resources: ResourceRepository, service: ResourceService, catalog: Catalog, clock: Clock):
        self._resources = resources
        self._service = service
        self._catalog = catalog
        self._clock = clock

    def parse(self, package: HandlerPackage) -> list[Resource]:
        """Validate every declaration first (Invalid names the problem); nothing is stored yet."""
        return [
            resource_from_definition(d, package.name, self._service.templates, self._service.max_bytes)
            for d in package.resources
        ]

    async def store(self, package: HandlerPackage, declared: list[Resource], *, announce: bool) -> None:
        before = [r for r in await self._resources.list_all() if r.creator == package.name]
        now = self._clock.now()
        stored = [await self._resources.upsert(attrs.evolve(r, updated_at=now)) for r in declared]
        await self._resources.delete_by_creator(package.name, frozenset(r.uri for r in declared))
        if announce and (before or stored):
            await self._catalog.announce_resource_change(*before, *stored)

    async def omit(self, package_name: str) -> None:
        await self._resources.delete_by_creator(package_name)
