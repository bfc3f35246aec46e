"""MongoDB tool and prompt repositories (docs/tools.md, docs/access.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from dynamic_mcp.adapters.mongo.client import PROMPTS, TOOLS
from dynamic_mcp.adapters.mongo.errors import storage_errors
from dynamic_mcp.adapters.mongo.mappers import (
    PROMPT_FIELDS,
    TOOL_FIELDS,
    Document,
    field_changes,
    prompt_from_document,
    prompt_to_document,
    tool_from_document,
    tool_to_document,
)
from dynamic_mcp.adapters.mongo.updates import AFTER, replace_keeping_created, set_and_unset, upserted, with_times
from dynamic_mcp.domain.errors import Conflict, NotFound
from dynamic_mcp.domain.prompts import Prompt
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.repositories import PromptRepository, ToolRepository


class MongoToolRepository(ToolRepository):
    def __init__(self, db: AsyncDatabase[Document], clock: Clock) -> None:
        self._tools: AsyncCollection[Document] = db[TOOLS]
        self._clock = clock

    async def list_all(self) -> list[Tool]:
        with storage_errors():
            docs = await self._tools.find({}).sort("_id", 1).to_list()
        return [tool_from_document(doc) for doc in docs]

    async def get(self, creator: str, name: str) -> Tool | None:
        with storage_errors():
            doc = await self._tools.find_one({"name": name, "creator": creator})
        return tool_from_document(doc) if doc is not None else None

    async def upsert(self, tool: Tool) -> Tool:
        now = self._clock.now()
        doc = tool_to_document(attrs.evolve(tool, created_at=None, updated_at=tool.updated_at or now))
        pipeline = replace_keeping_created(doc, tool.created_at or now)
        with storage_errors():
            stored = await self._tools.find_one_and_update(
                {"name": tool.name, "creator": tool.creator}, pipeline, upsert=True, return_document=AFTER
            )
        return tool_from_document(upserted(stored))

    async def update(self, creator: str, name: str, changes: Mapping[str, Any]) -> Tool:
        to_set, to_unset = field_changes(Tool, {"updated_at": self._clock.now(), **changes}, TOOL_FIELDS)
        with storage_errors():
            doc = await self._tools.find_one_and_update(
                {"name": name, "creator": creator}, set_and_unset(to_set, to_unset), return_document=AFTER
            )
        if doc is None:
            raise NotFound(f"Tool with name '{name}' not found")
        return tool_from_document(doc)

    async def delete(self, creator: str, name: str) -> bool:
        with storage_errors():
            result = await self._tools.delete_one({"name": name, "creator": creator})
        return result.deleted_count > 0

    async def delete_by_creator(self, creator: str, keep_names: frozenset[str] = frozenset()) -> int:
        with storage_errors():
            result = await self._tools.delete_many({"creator": creator, "name": {"$nin": sorted(keep_names)}})
        return result.deleted_count


class MongoPromptRepository(PromptRepository):
    def __init__(self, db: AsyncDatabase[Document], clock: Clock) -> None:
        self._prompts: AsyncCollection[Document] = db[PROMPTS]
        self._clock = clock

    async def list_all(self) -> list[Prompt]:
        with storage_errors():
            docs = await self._prompts.find({}).sort("_id", 1).to_list()
        return [prompt_from_document(doc) for doc in docs]

    async def get(self, name: str) -> Prompt | None:
        with storage_errors():
            doc = await self._prompts.find_one({"name": name})
        return prompt_from_document(doc) if doc is not None else None

    async def add(self, prompt: Prompt) -> Prompt:
        stored = with_times(prompt, self._clock.now())
        with storage_errors():
            try:
                await self._prompts.insert_one(prompt_to_document(stored))
            except DuplicateKeyError as exc:
                raise Conflict(f'Prompt with name "{prompt.name}" already exists') from exc
        return stored

    async def upsert(self, prompt: Prompt) -> Prompt:
        now = self._clock.now()
        doc = prompt_to_document(attrs.evolve(prompt, created_at=None, updated_at=prompt.updated_at or now))
        pipeline = replace_keeping_created(doc, prompt.created_at or now)
        with storage_errors():
            stored = await self._prompts.find_one_and_update(
                {"name": prompt.name}, pipeline, upsert=True, return_document=AFTER
            )
        return prompt_from_document(upserted(stored))

    async def update(self, name: str, changes: Mapping[str, Any]) -> Prompt:
        to_set, to_unset = field_changes(Prompt, {"updated_at": self._clock.now(), **changes}, PROMPT_FIELDS)
        with storage_errors():
            doc = await self._prompts.find_one_and_update(
                {"name": name}, set_and_unset(to_set, to_unset), return_document=AFTER
            )
        if doc is None:
            raise NotFound(f"Prompt '{name}' not found")
        return prompt_from_document(doc)

    async def delete(self, name: str) -> bool:
        with storage_errors():
            result = await self._prompts.delete_one({"name": name})
        return result.deleted_count > 0

    async def delete_by_creator(self, created_by: str, keep_names: frozenset[str] = frozenset()) -> int:
        with storage_errors():
            result = await self._prompts.delete_many({"createdBy": created_by, "name": {"$nin": sorted(keep_names)}})
        return result.deleted_count
