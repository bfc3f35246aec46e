"""The whole tool catalogue in memory, indexed (application/tool_index.py), in front of the tool
store (docs/deployment.md): every toolset is gathered from it.

Writes through this decorator patch it, one tool at a time; writes by another writer reach it
through :meth:`refresh` (the change feed, application/changes.py); without a feed (a standalone
MongoDB) they are not seen until restart. Whoever derives something from tools (each user's
toolset) is told which tools changed (:meth:`watch`), so it can drop exactly what they reach.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dynamic_mcp.application.tool_index import Key, ToolIndex
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.toolsets import ToolLookup
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.metrics import Metrics, NoMetrics
from dynamic_mcp.ports.repositories import CatalogueListener, ToolRepository, VersionedToolRepository


class CachedToolRepository(VersionedToolRepository):
    def __init__(self, inner: ToolRepository, metrics: Metrics | None = None) -> None:
        self._inner = inner
        self._metrics: Metrics = metrics or NoMetrics()
        self._index: ToolIndex | None = None
        self._version = 0
        self._listeners: list[CatalogueListener] = []
        self.loads = 0
        """How often the whole catalogue was read from the store."""

    @property
    def version(self) -> int:
        """Changes whenever the catalogue may have changed."""
        return self._version

    def watch(self, listener: CatalogueListener) -> None:
        self._listeners.append(listener)

    def _tell(self, changed: Sequence[Tool] | None) -> None:
        for listener in self._listeners:
            listener(changed)

    def invalidate(self) -> None:
        self._version += 1
        self._index = None
        self._tell(None)

    async def _loaded(self) -> ToolIndex | None:
        """The index, read from the store if needed; None if a write landed during the read."""
        self._metrics.cache_lookup("tools", self._index is not None)
        if self._index is not None:
            return self._index
        version = self._version
        tools = await self._inner.list_all()
        self.loads += 1
        if version != self._version:
            return None
        self._index = ToolIndex(tools)
        return self._index

    async def snapshot(self) -> tuple[Tool, ...]:
        index = await self._loaded()
        return index.all() if index is not None else tuple(await self._inner.list_all())

    async def list_all(self) -> list[Tool]:
        return list(await self.snapshot())

    async def accessible_to(self, user: User) -> tuple[Tool, ...]:
        index = await self._loaded()
        if index is None:
            return ToolIndex(await self._inner.list_all()).accessible_to(user)
        return index.accessible_to(user)

    async def reach(self, user: User) -> tuple[tuple[Tool, ...], ToolLookup | None]:
        index = await self._loaded()
        if index is None:
            return ToolIndex(await self._inner.list_all()).accessible_to(user), None
        return index.reach(user)

    async def of_creator(self, creator: str) -> list[Tool]:
        index = await self._loaded()
        if index is None:
            return [t for t in await self._inner.list_all() if t.creator == creator]
        return index.of_creator(creator)

    def size(self) -> int:
        """Tools in the loaded catalogue (0 when not loaded), without loading anything."""
        return len(self._index) if self._index is not None else 0

    def cached(self, creator: str, name: str) -> Tool | None:
        """The tool as the loaded catalogue holds it, without loading anything."""
        return self._index.get((creator, name)) if self._index is not None else None

    async def refresh(self, creator: str, name: str) -> None:
        """Another writer changed this tool: re-read it and patch the catalogue.

        Reading the store (rather than trusting the change's copy) gives a state no older than
        anything already applied; if anything else changed the catalogue during the read, the
        whole of it is dropped instead, so an older answer never overwrites a newer one.
        """
        if self._index is None:
            self.invalidate()
            return
        version = self._version
        try:
            stored = await self._inner.get(creator, name)
        except BaseException:
            self.invalidate()
            raise
        if version != self._version:
            self.invalidate()
            return
        self._apply((creator, name), stored)

    async def get(self, creator: str, name: str) -> Tool | None:
        """One tool, for the management use cases: a miss is read from the store, since another
        instance may have written the tool a moment ago and the change feed not delivered it yet
        (a share made right after a create elsewhere must find the tool)."""
        index = await self._loaded()
        found = index.get((creator, name)) if index is not None else None
        if found is not None:
            return found
        version = self._version
        stored = await self._inner.get(creator, name)
        if stored is not None and version == self._version and self._index is not None:
            self._apply((creator, name), stored)  # patch it in now; the feed's copy will agree
        return stored

    def _apply(self, key: Key, stored: Tool | None) -> None:
        """Patch the catalogue with one written tool (None: deleted) instead of reloading it all.

        Runs right after the store answered, with no await in between, so no other write can
        interleave; a catalogue that is not loaded (or a load in flight) is simply invalidated.
        """
        if self._index is None:
            self.invalidate()
            return
        self._version += 1
        before = self._index.remove(key) if stored is None else self._index.put(stored)
        self._tell([t for t in (before, stored) if t is not None])

    async def upsert(self, tool: Tool) -> Tool:
        try:
            stored = await self._inner.upsert(tool)
        except BaseException:
            self.invalidate()
            raise
        self._apply((stored.creator, stored.name), stored)
        return stored

    async def update(self, creator: str, name: str, changes: Mapping[str, Any]) -> Tool:
        try:
            stored = await self._inner.update(creator, name, changes)
        except BaseException:
            self.invalidate()
            raise
        if (stored.creator, stored.name) != (creator, name):
            self._apply((creator, name), None)
        self._apply((stored.creator, stored.name), stored)
        return stored

    async def delete(self, creator: str, name: str) -> bool:
        try:
            deleted = await self._inner.delete(creator, name)
        except BaseException:
            self.invalidate()
            raise
        self._apply((creator, name), None)
        return deleted

    async def delete_by_creator(self, creator: str, keep_names: frozenset[str] = frozenset()) -> int:
        try:
            count = await self._inner.delete_by_creator(creator, keep_names)
        except BaseException:
            self.invalidate()
            raise
        if self._index is None:
            self.invalidate()
            return count
        for tool in self._index.of_creator(creator):
            if tool.name not in keep_names:
                self._apply((creator, tool.name), None)
        return count
