"""Token buckets shared by every instance on one database (``rate_limits`` collection).

Each instance takes tokens from the shared bucket in chunks, with one atomic update, and spends
them locally: a steady caller costs at most about one update per second per key, and so does
one past its limit (after a short grant the instance asks again only a second later). The chunk grows
while a key keeps draining it within a second, and shrinks back when it calls less. Tokens only
ever come out of the shared bucket, so the sum over all instances stays within the budget.
Refill uses the database's clock (``$$NOW``), so instances with skewed clocks agree.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

import attrs
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from dynamic_mcp.adapters.mongo.errors import storage_errors
from dynamic_mcp.domain.limits import retry_after
from dynamic_mcp.ports.limits import RateLimiter

RATE_LIMITS = "rate_limits"
IDLE_SECONDS = 3600  # an untouched bucket is full again long before this; the TTL index drops it


@attrs.define
class Lease:
    tokens: float = 0.0
    fetched: float = -math.inf
    chunk: int = 1
    denied_until: float = -math.inf


def grant_pipeline(per_minute: int, chunk: int) -> list[dict[str, Any]]:
    """Refill by the time since the last update, then grant up to ``chunk`` whole tokens."""
    capacity = float(per_minute)
    rate_per_ms = per_minute / 60_000.0
    elapsed_ms = {"$max": [0, {"$subtract": ["$$NOW", {"$ifNull": ["$updated", "$$NOW"]}]}]}
    refilled = {"$add": [{"$ifNull": ["$tokens", capacity]}, {"$multiply": [elapsed_ms, rate_per_ms]}]}
    return [
        {"$set": {"tokens": {"$min": [capacity, refilled]}, "updated": "$$NOW"}},
        {"$set": {"granted": {"$min": [chunk, {"$floor": "$tokens"}]}}},
        {"$set": {"tokens": {"$subtract": ["$tokens", "$granted"]}}},
    ]


class MongoRateLimiter(RateLimiter):
    def __init__(self, db: AsyncDatabase[dict[str, Any]], clock: Callable[[], float] = time.monotonic) -> None:
        self._collection = db[RATE_LIMITS]
        self._clock = clock
        self._leases: dict[tuple[str, str], Lease] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._prepared = False
        self.updates = 0
        """Round trips made so far (the benchmark and tests read it)."""

    async def prepare(self) -> None:
        with storage_errors():
            await self._collection.create_indexes(
                [IndexModel([("updated", ASCENDING)], name="updated_ttl", expireAfterSeconds=IDLE_SECONDS)]
            )
        self._prepared = True

    async def acquire(self, bucket: str, key: str, per_minute: int) -> int | None:
        slot = (bucket, key)
        lease = self._leases.get(slot)
        if lease is None:
            lease = self._leases[slot] = Lease(chunk=max(1, math.ceil(per_minute / 60)))
        if lease.tokens >= 1:
            lease.tokens -= 1
            return None
        now = self._clock()
        if now < lease.denied_until:
            return max(1, math.ceil(lease.denied_until - now))
        lock = self._locks.setdefault(slot, asyncio.Lock())
        async with lock:
            if lease.tokens >= 1:  # another caller refilled the lease while this one waited
                lease.tokens -= 1
                return None
            return await self._fetch(slot, lease, per_minute)

    async def _fetch(self, slot: tuple[str, str], lease: Lease, per_minute: int) -> int | None:
        now = self._clock()
        base = max(1, math.ceil(per_minute / 60))
        if now - lease.fetched < 1.0:
            lease.chunk = min(max(base, per_minute // 4), lease.chunk * 2)
        elif now - lease.fetched > 2.0:
            lease.chunk = base
        if not self._prepared:
            await self.prepare()
        with storage_errors():
            document = await self._collection.find_one_and_update(
                {"_id": f"{slot[0]}:{slot[1]}"},
                grant_pipeline(per_minute, lease.chunk),
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        self.updates += 1
        lease.fetched = now
        granted = float((document or {}).get("granted", 0))
        if granted < lease.chunk:
            # The shared bucket ran dry: the key is at its limit. Going back for every few tokens
            # that trickle in would cost a round trip per crumb; wait a second for the next one.
            lease.denied_until = now + 1.0
        if granted >= 1:
            lease.tokens = granted - 1
            return None
        wait = retry_after(float((document or {}).get("tokens", 0.0)), per_minute)
        lease.denied_until = now + wait
        return wait
