"""MongoDB resource repository (docs/resources.md): collection ``resources``, unique (creator, uri)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from dynamic_mcp.adapters.mongo.client import RESOURCES
from dynamic_mcp.adapters.mongo.errors import storage_errors
from dynamic_mcp.adapters.mongo.mappers import (
    RESOURCE_FIELDS,
    Document,
    field_changes,
    resource_from_document,
    resource_to_document,
)
from dynamic_mcp.adapters.mongo.updates import AFTER, replace_keeping_created, set_and_unset, upserted
from dynamic_mcp.domain.errors import NotFound
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.repositories import ResourceRepository


class MongoResourceRepository(ResourceRepository):
    def __init__(self, db: AsyncDatabase[Document], clock: Clock) -> None:
        self._resources: AsyncCollection[Document] = db[RESOURCES]
        self._clock = clock

    async def list_all(self) -> list[Resource]:
        with storage_errors():
            docs = await self._resources.find({}).sort("_id", 1).to_list()
        return [resource_from_document(doc) for doc in docs]

    async def get(self, creator: str, uri: str) -> Resource | None:
        with storage_errors():
            doc = await self._resources.find_one({"creator": creator, "uri": uri})
        return resource_from_document(doc) if doc is not None else None

    async def upsert(self, resource: Resource) -> Resource:
        now = self._clock.now()
        doc = resource_to_document(attrs.evolve(resource, created_at=None, updated_at=resource.updated_at or now))
        pipeline = replace_keeping_created(doc, resource.created_at or now)
        with storage_errors():
            stored = await self._resources.find_one_and_update(
                {"creator": resource.creator, "uri": resource.uri}, pipeline, upsert=True, return_document=AFTER
            )
        return resource_from_document(upserted(stored))

    async def update(self, creator: str, uri: str, changes: Mapping[str, Any]) -> Resource:
        to_set, to_unset = field_changes(Resource, {"updated_at": self._clock.now(), **changes}, RESOURCE_FIELDS)
        with storage_errors():
            doc = await self._resources.find_one_and_update(
                {"creator": creator, "uri": uri}, set_and_unset(to_set, to_unset), return_document=AFTER
            )
        if doc is None:
            raise NotFound(f"Resource '{uri}' not found")
        return resource_from_document(doc)

    async def delete(self, creator: str, uri: str) -> bool:
        with storage_errors():
            result = await self._resources.delete_one({"creator": creator, "uri": uri})
        return result.deleted_count > 0

    async def delete_by_creator(self, creator: str, keep_uris: frozenset[str] = frozenset()) -> int:
        with storage_errors():
            result = await self._resources.delete_many({"creator": creator, "uri": {"$nin": sorted(keep_uris)}})
        return result.deleted_count
