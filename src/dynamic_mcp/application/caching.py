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

from dynamic_mcp.application.lru import LruCache
from dynamic_mcp.application.tool_cache import CachedToolRepository
from dynamic_mcp.domain.events import ChangeEvent, UserChanged, UserSessionsRevoked
from dynamic_mcp.domain.sharing import Share, ShareKind
from dynamic_mcp.domain.users import ApiKeyDigest, User
from dynamic_mcp.ports.metrics import Metrics, NoMetrics
from dynamic_mcp.ports.repositories import UserFields, UserRepository

MAX_CACHED_USERS = 150_000
"""Room for 100,000 active users and more: at exactly the number of users who take turns, an LRU
cache misses on every call (tests of the scale goals, bench/scale.py)."""


class CachedUserRepository(UserRepository):
    def __init__(self, inner: UserRepository, metrics: Metrics | None = None, capacity: int = MAX_CACHED_USERS) -> None:
        self._inner = inner
        self._metrics: Metrics = metrics or NoMetrics()
        # Invariant: _email_by_hash[h] == e exactly when the cached record of e has key hash h.
        self._users: LruCache[str, User] = LruCache(capacity, on_evict=lambda _, user: self._drop_hash(user))
        self._email_by_hash: dict[str, str] = {}
        self._version = 0

    def _drop_hash(self, user: User) -> None:
        if user.api_key is not None and self._email_by_hash.get(user.api_key.hash) == user.email:
            del self._email_by_hash[user.api_key.hash]

    def size(self) -> int:
        """User records held."""
        return len(self._users)

    def cached(self, email: str) -> User | None:
        """The cached record, without loading it."""
        return self._users.peek(email)

    def forget(self, email: str) -> None:
        """The user is gone: drop it."""
        self.invalidate(email)

    def invalidate(self, email: str | None = None) -> None:
        self._version += 1
        if email is None:
            self._users.clear()
            self._email_by_hash.clear()
            return
        user = self._users.pop(email)
        if user is not None:
            self._drop_hash(user)

    def _remember(self, user: User | None, version: int) -> User | None:
        if user is None:
            return None
        if version == self._version:
            previous = self._users.pop(user.email)
            if previous is not None:
                self._drop_hash(previous)
            self._users.put(user.email, user)
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
        user = self._users.get(email) if email is not None else None
        if user is not None and user.api_key is not None and user.api_key.hash == key_hash:
            self._metrics.cache_lookup("keys", True)
            return user
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


__all__ = ["CachedToolRepository", "CachedUserRepository"]
