"""Read-through caches in front of the user and tool stores (docs/deployment.md).

A steady-state ``tools/list`` or ``tools/call`` then touches no store: the principal comes from
the key-hash index, the user record and the tool catalogue from memory. Every write made through
these decorators invalidates what it changed; change events (local, and remote ones republished
by a multi-instance subscriber) invalidate the rest. Timers play no part.

Each cache carries a version counter: a load that started before an invalidation never stores
its (possibly stale) answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from dynamic_mcp.domain.events import ChangeEvent, UserChanged, UserSessionsRevoked
from dynamic_mcp.domain.sharing import Share, ShareKind
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import ApiKeyDigest, User
from dynamic_mcp.ports.metrics import Metrics, NoMetrics
from dynamic_mcp.ports.repositories import ToolRepository, UserFields, UserRepository, VersionedToolRepository


class CachedUserRepository(UserRepository):
    def __init__(self, inner: UserRepository, metrics: Metrics | None = None) -> None:
        self._inner = inner
        self._metrics: Metrics = metrics or NoMetrics()
        self._users: dict[str, User] = {}
        self._email_by_hash: dict[str, str] = {}
        self._version = 0

    def cached(self, email: str) -> User | None:
        """The cached record, without loading it."""
        return self._users.get(email)

    def forget(self, email: str) -> None:
        """The user is gone: drop it."""
        self.invalidate(email)

    def invalidate(self, email: str | None = None) -> None:
        self._version += 1
        if email is None:
            self._users.clear()
            self._email_by_hash.clear()
            return
        user = self._users.pop(email, None)
        if user is not None and user.api_key is not None:
            self._email_by_hash.pop(user.api_key.hash, None)
        for key_hash in [h for h, e in self._email_by_hash.items() if e == email]:
            del self._email_by_hash[key_hash]

    def _remember(self, user: User | None, version: int) -> User | None:
        if user is None:
            return None
        if version == self._version:
            self._users[user.email] = user
            if user.api_key is not None:
                self._email_by_hash[user.api_key.hash] = user.email
        return user

    async def on_event(self, event: ChangeEvent) -> None:
        if isinstance(event, UserChanged | UserSessionsRevoked):
            self.invalidate(event.email)

    # -- reads ---------------------------------------------------------------------------------
    async def get(self, email: str) -> User | None:
        cached = self._users.get(email)
        self._metrics.cache_lookup("users", cached is not None)
        if cached is not None:
            return cached
        version = self._version
        return self._remember(await self._inner.get(email), version)

    async def get_by_key_hash(self, key_hash: str) -> User | None:
        email = self._email_by_hash.get(key_hash)
        if email is not None and email in self._users:
            self._metrics.cache_lookup("keys", True)
            return self._users[email]
        self._metrics.cache_lookup("keys", False)
        version = self._version
        return self._remember(await self._inner.get_by_key_hash(key_hash), version)

    async def list_users(self, name_contains: str | None = None, skip: int = 0, limit: int | None = None) -> list[User]:
        return await self._inner.list_users(name_contains, skip, limit)

    # -- writes: pass through, then forget what changed (even when the write failed) ----------
    async def add(self, user: User) -> User:
        try:
            return await self._inner.add(user)
        finally:
            self.invalidate(user.email)

    async def update_fields(self, email: str, fields: UserFields) -> User:
        try:
            return await self._inner.update_fields(email, fields)
        finally:
            self.invalidate(email)

    async def set_api_key(self, email: str, digest: ApiKeyDigest) -> User:
        try:
            return await self._inner.set_api_key(email, digest)
        finally:
            self.invalidate(email)

    async def put_share(self, email: str, share: Share, kind: ShareKind = ShareKind.TOOL) -> User:
        try:
            return await self._inner.put_share(email, share, kind)
        finally:
            self.invalidate(email)

    async def remove_shares(
        self, email: str, tool_ids: frozenset[str], shared_by: str | None, kind: ShareKind = ShareKind.TOOL
    ) -> User:
        try:
            return await self._inner.remove_shares(email, tool_ids, shared_by, kind)
        finally:
            self.invalidate(email)

    async def add_hidden(self, email: str, tool_ids: Sequence[str], kind: ShareKind = ShareKind.TOOL) -> User:
        try:
            return await self._inner.add_hidden(email, tool_ids, kind)
        finally:
            self.invalidate(email)

    async def remove_hidden(self, email: str, tool_ids: Sequence[str], kind: ShareKind = ShareKind.TOOL) -> User:
        try:
            return await self._inner.remove_hidden(email, tool_ids, kind)
        finally:
            self.invalidate(email)

    async def _forget_changed(self, write: Awaitable[list[str]]) -> list[str]:
        """A write that may touch many users: forget those it changed, or everyone if it failed."""
        try:
            changed = await write
        except BaseException:
            self.invalidate()
            raise
        for email in changed:
            self.invalidate(email)
        return changed

    async def remove_hidden_everywhere(self, tool_id: str) -> list[str]:
        return await self._forget_changed(self._inner.remove_hidden_everywhere(tool_id))

    async def forget_tools_everywhere(self, tool_ids: frozenset[str]) -> list[str]:
        return await self._forget_changed(self._inner.forget_tools_everywhere(tool_ids))

    async def set_app_params(self, email: str, app_key: str, params: Mapping[str, Any] | None) -> User:
        try:
            return await self._inner.set_app_params(email, app_key, params)
        finally:
            self.invalidate(email)

    async def delete(self, email: str) -> bool:
        try:
            return await self._inner.delete(email)
        finally:
            self.forget(email)


class CachedToolRepository(VersionedToolRepository):
    """Keeps the whole catalogue in memory: every toolset is computed from it.

    Writes through this decorator patch it. Writes by another writer reach it through
    :meth:`refresh` (the change feed, application/changes.py); without a feed (a standalone
    MongoDB) they are not seen until restart.
    """

    def __init__(self, inner: ToolRepository, metrics: Metrics | None = None) -> None:
        self._inner = inner
        self._metrics: Metrics = metrics or NoMetrics()
        self._snapshot: tuple[Tool, ...] | None = None
        self._by_key: dict[tuple[str, str], Tool] = {}
        self._version = 0

    @property
    def version(self) -> int:
        """Changes whenever the catalogue may have changed; toolset caches key on it."""
        return self._version

    def invalidate(self) -> None:
        self._version += 1
        self._snapshot = None
        self._by_key = {}

    async def snapshot(self) -> tuple[Tool, ...]:
        self._metrics.cache_lookup("tools", self._snapshot is not None)
        if self._snapshot is None:
            version = self._version
            tools = tuple(await self._inner.list_all())
            if version == self._version:
                self._snapshot = tools
                self._by_key = {(t.creator, t.name): t for t in tools}
            return tools
        return self._snapshot

    async def list_all(self) -> list[Tool]:
        return list(await self.snapshot())

    def cached(self, creator: str, name: str) -> Tool | None:
        """The tool as the loaded snapshot holds it, without loading anything."""
        return self._by_key.get((creator, name)) if self._snapshot is not None else None

    async def refresh(self, creator: str, name: str) -> None:
        """Another writer changed this tool: re-read it and patch the snapshot.

        Reading the store (rather than trusting the change's copy) gives a state no older than
        anything already applied; if anything else changed the snapshot during the read, the
        whole snapshot is dropped instead, so an older answer never overwrites a newer one.
        """
        if self._snapshot is None:
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
        await self.snapshot()
        if self._snapshot is not None:
            return self._by_key.get((creator, name))
        return await self._inner.get(creator, name)

    def _apply(self, key: tuple[str, str], stored: Tool | None) -> None:
        """Patch the snapshot with one written tool (None: deleted) instead of reloading it all.

        Runs right after the store answered, with no await in between, so no other write can
        interleave; a snapshot that is not loaded (or a load in flight) is simply invalidated.
        """
        if self._snapshot is None:
            self.invalidate()
            return
        self._version += 1
        if stored is None:
            self._by_key.pop(key, None)
        else:
            self._by_key[key] = stored
        self._snapshot = tuple(self._by_key.values())

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
            return await self._inner.delete_by_creator(creator, keep_names)
        finally:
            self.invalidate()
