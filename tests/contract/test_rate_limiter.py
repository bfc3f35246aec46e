"""One RateLimiter contract for the in-process buckets and the MongoDB-shared ones."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.memory.limits import InMemoryRateLimiter
from dynamic_mcp.adapters.mongo.limits import MongoRateLimiter
from dynamic_mcp.domain.limits import Bucket, refill, take
from dynamic_mcp.ports.limits import RateLimiter
from tests.contract.conftest import ADAPTERS


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=ADAPTERS)
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield InMemoryRateLimiter()
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(request.getfixturevalue("mongo_uri"), tz_aware=True)
    try:
        yield MongoRateLimiter(client[request.getfixturevalue("fresh_database_name")("limits")])
    finally:
        await client.close()


async def test_a_full_bucket_grants_one_minute_then_refuses_with_a_wait(limiter: RateLimiter) -> None:
    started = time.monotonic()
    granted = [await limiter.acquire("tool_calls", "a@x.com", 20) for _ in range(30)]
    elapsed = time.monotonic() - started
    allowed = granted.count(None)
    assert 20 <= allowed <= 20 + int(elapsed * 20 / 60) + 1
    waits = [w for w in granted if w is not None]
    assert waits and all(1 <= w <= 60 for w in waits)


async def test_keys_and_buckets_are_independent(limiter: RateLimiter) -> None:
    for _ in range(3):
        await limiter.acquire("api", "a@x.com", 3)
    assert await limiter.acquire("api", "a@x.com", 3) is not None
    assert await limiter.acquire("api", "b@x.com", 3) is None
    assert await limiter.acquire("sessions", "a@x.com", 3) is None


@given(st.lists(st.floats(0, 30), max_size=60), st.integers(1, 120))
def test_memory_grants_never_exceed_the_budget_over_any_run(gaps: list[float], per_minute: int) -> None:
    clock = ManualClock()
    memory = InMemoryRateLimiter(clock=clock)
    allowed = 0
    for gap in gaps:
        clock.now += gap
        allowed += memory.acquire_now("tool_calls", "k", per_minute) is None
    assert allowed <= per_minute + sum(gaps) * per_minute / 60 + 1e-9


@given(st.floats(0, 1000), st.floats(0, 600), st.integers(1, 1000))
def test_refill_never_overfills(tokens: float, elapsed: float, per_minute: int) -> None:
    bucket = refill(Bucket(min(tokens, per_minute), 0.0), elapsed, per_minute)
    assert bucket.tokens <= per_minute
    after, _ = take(bucket)
    assert (after is None) == (bucket.tokens < 1)


@pytest.mark.mongo
async def test_mongo_pre_allocates_so_a_busy_key_costs_few_round_trips(
    mongo_uri: str, fresh_database_name: Any
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        shared = MongoRateLimiter(client[fresh_database_name("limits")])
        started = time.monotonic()
        results = [await shared.acquire("tool_calls", "busy@x.com", 60_000) for _ in range(300)]
        seconds = time.monotonic() - started
        assert results.count(None) == 300
        # Chunks double while a key drains them within a second: about log2(300/1000) + one per second.
        assert shared.updates <= 10 + int(seconds) * 2, (shared.updates, seconds)
    finally:
        await client.close()


@pytest.mark.mongo
async def test_mongo_a_key_at_its_limit_costs_about_one_round_trip_a_second(
    mongo_uri: str, fresh_database_name: Any
) -> None:
    """Past its limit a key drains every refill at once; partial grants must not send it back to
    the database at once for the crumbs (that made four round trips a second in bench/)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        shared = MongoRateLimiter(client[fresh_database_name("limits")])
        per_minute = 1200
        for _ in range(per_minute):  # drain the full bucket first
            await shared.acquire("tool_calls", "eager@x.com", per_minute)
        before, started, granted = shared.updates, time.monotonic(), 0
        while time.monotonic() - started < 3.0:
            granted += await shared.acquire("tool_calls", "eager@x.com", per_minute) is None
            await asyncio.sleep(0.002)
        seconds = time.monotonic() - started
        assert shared.updates - before <= seconds + 2, (shared.updates - before, seconds)
        # It still gets (most of) the refill: 20 tokens a second.
        assert 20 * (seconds - 1.5) <= granted <= 20 * seconds + 20, (granted, seconds)
    finally:
        await client.close()
