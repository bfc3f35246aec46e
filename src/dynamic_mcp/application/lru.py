"""A size-bounded map that evicts the least recently used entry: caches stay flat in cost as the
number of distinct users grows past their size (a cache cleared when full misses on every call).

Entries may also be weighed (a toolset or listing by the tools it holds), so a cache of per-user
views of a 100,000-tool catalogue is bounded in memory, not only in users."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    def __init__(
        self,
        capacity: int,
        on_evict: Callable[[K, V], None] | None = None,
        *,
        weigh: Callable[[V], int] | None = None,
        max_weight: int | None = None,
    ) -> None:
        if capacity < 1:
            raise ValueError("an LRU cache holds at least one entry")
        self.capacity = capacity
        self.max_weight = max_weight
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._on_evict = on_evict
        self._weigh = weigh if max_weight is not None else None
        self._weights: dict[K, int] = {}
        self.weight = 0
        """The entries' total weight (0 when entries are not weighed)."""

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def peek(self, key: K) -> V | None:
        """The entry, without making it recent."""
        return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if self._weigh is not None:
            weight = self._weigh(value)
            self.weight += weight - self._weights.get(key, 0)
            self._weights[key] = weight
        while len(self._entries) > self.capacity or self._overweight():
            old_key, old_value = self._entries.popitem(last=False)
            self.weight -= self._weights.pop(old_key, 0)
            if self._on_evict is not None:
                self._on_evict(old_key, old_value)

    def _overweight(self) -> bool:
        # The newest entry stays even when it alone is over the limit: it is in use right now.
        return self.max_weight is not None and self.weight > self.max_weight and len(self._entries) > 1

    def pop(self, key: K) -> V | None:
        self.weight -= self._weights.pop(key, 0)
        return self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
        self._weights.clear()
        self.weight = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[K]:
        return iter(self._entries)
