"""Token buckets in this process: no I/O on the call path."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from dynamic_mcp.domain.limits import Bucket, refill, retry_after, take
from dynamic_mcp.ports.limits import RateLimiter

MAX_BUCKETS = 100_000


class InMemoryRateLimiter(RateLimiter):
    def __init__(self, clock: Callable[[], float] = time.monotonic, max_buckets: int = MAX_BUCKETS) -> None:
        self._clock = clock
        self._buckets: OrderedDict[tuple[str, str], Bucket] = OrderedDict()
        self._max = max_buckets

    async def acquire(self, bucket: str, key: str, per_minute: int) -> int | None:
        return self.acquire_now(bucket, key, per_minute)

    def acquire_now(self, bucket: str, key: str, per_minute: int) -> int | None:
        slot = (bucket, key)
        current = refill(self._buckets.get(slot), self._clock(), per_minute)
        after, before = take(current)
        self._buckets[slot] = after or before
        self._buckets.move_to_end(slot)
        if len(self._buckets) > self._max:
            self._buckets.popitem(last=False)  # the least recently used: a full bucket when it returns
        return None if after is not None else retry_after(before.tokens, per_minute)
