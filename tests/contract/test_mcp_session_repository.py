"""The MCP session store, same assertions for memory and MongoDB: records, expiry, per-user
listing, and removals every reader sees (expired ones included)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.memory.mcp_sessions import InMemorySessionRepository
from dynamic_mcp.adapters.mongo.client import MCP_SESSIONS, connect_and_prepare
from dynamic_mcp.adapters.mongo.mcp_sessions import MongoSessionRepository
from dynamic_mcp.domain.mcp_sessions import StoredSession, expiry, session_key
from dynamic_mcp.ports.mcp_sessions import SessionRepository
from tests.contract.conftest import ADAPTERS

T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(
    days=1
)  # ahead of the clock: the test mongod's TTL monitor sweeps every second
INIT = {"protocolVersion": "2025-06-18", "capabilities": {"roots": {}}, "clientInfo": {"name": "c", "version": "1"}}


def record(session_id: str, email: str = "a@x.io", *, at: datetime = T0, idle: int = 60) -> StoredSession:
    return StoredSession(
        key=session_key(session_id),
        email=email,
        protocol_version="2025-06-18",
        client_params=INIT,
        created_at=at,
        last_used_at=at,
        expires_at=expiry(at, idle),
    )


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[SessionRepository]:
    if request.param == "memory":
        yield InMemorySessionRepository()
        return
    uri: str = request.getfixturevalue("mongo_uri")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        db = await connect_and_prepare(client, request.getfixturevalue("fresh_database_name")("sessions"))
        yield MongoSessionRepository(db)
    finally:
        await client.close()


async def test_a_record_round_trips_and_never_holds_the_session_id(store: SessionRepository) -> None:
    await store.add(record("s1"))
    found = await store.get(session_key("s1"), T0)
    assert found == record("s1")
    assert found is not None and "s1" not in repr(found)


async def test_expired_records_are_gone_even_before_the_sweeper_runs(store: SessionRepository) -> None:
    await store.add(record("s1", idle=60))
    assert await store.get(session_key("s1"), T0 + timedelta(seconds=59)) is not None
    assert await store.get(session_key("s1"), T0 + timedelta(seconds=61)) is None
    assert await store.get(session_key("s1"), T0) is None  # and it was removed


async def test_a_touch_pushes_the_expiry_and_no_timeout_means_no_expiry(store: SessionRepository) -> None:
    await store.add(record("s1", idle=60))
    later = T0 + timedelta(seconds=50)
    await store.touch(session_key("s1"), later, expiry(later, 60))
    touched = await store.get(session_key("s1"), T0 + timedelta(seconds=100))
    assert touched is not None and touched.last_used_at == later
    await store.add(record("s2", idle=0))
    assert await store.get(session_key("s2"), T0 + timedelta(days=3650)) is not None


async def test_a_users_sessions_oldest_first_and_removed_together(store: SessionRepository) -> None:
    for i in range(3):
        await store.add(record(f"a{i}", at=T0 + timedelta(seconds=i)))
    await store.add(record("b0", "b@x.io"))
    mine = await store.of_user("a@x.io", T0)
    assert [s.key for s in mine] == [session_key(f"a{i}") for i in range(3)]
    assert await store.remove_for("a@x.io") == 3
    assert await store.of_user("a@x.io", T0) == []
    assert await store.get(session_key("b0"), T0) is not None
    assert await store.remove(session_key("b0")) is True
    assert await store.remove(session_key("b0")) is False


async def test_every_live_session_is_listed_with_the_instance_that_last_used_it(store: SessionRepository) -> None:
    await store.add(attrs.evolve(record("b0", "b@x.io"), instance="one", id_prefix="b0"))
    await store.add(record("a1", at=T0 + timedelta(seconds=1)))
    await store.add(record("a0"))
    await store.add(record("forever", "c@x.io", idle=0))
    await store.touch(session_key("b0"), T0 + timedelta(seconds=30), expiry(T0 + timedelta(seconds=30), 60), "two")
    live = await store.live(T0 + timedelta(seconds=61), 10)  # a0 and a1 idled out meanwhile
    assert [(s.email, s.instance, s.id_prefix) for s in live] == [("b@x.io", "two", "b0"), ("c@x.io", None, "")]
    listed = await store.live(T0, 10)
    assert [s.key for s in listed] == [session_key(k) for k in ("a0", "a1", "b0", "forever")]
    assert len(await store.live(T0, 2)) == 2
    assert listed[0].client == "c 1"


async def _next(removals: AsyncIterator[str], timeout: float = 10.0) -> str:
    return await asyncio.wait_for(anext(removals), timeout)


async def test_every_removal_is_announced_to_readers(store: SessionRepository) -> None:
    await store.add(record("s1"))
    await store.add(record("s2", "b@x.io"))
    removals = store.removals()
    first = asyncio.ensure_future(_next(removals))
    await asyncio.sleep(0.5)  # the reader is following before the writes
    await store.remove(session_key("s1"))
    assert await first == session_key("s1")
    await store.remove_for("b@x.io")
    assert await _next(removals) == session_key("s2")
    await removals.aclose()  # type: ignore[attr-defined]


@pytest.mark.mongo
async def test_mongo_sweeps_idle_records_with_a_ttl_index_and_announces_it(
    mongo_uri: str, fresh_database_name: Any
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        db = await connect_and_prepare(client, fresh_database_name("sessions"))
        indexes = await db[MCP_SESSIONS].index_information()
        assert indexes["expiresAt_ttl"]["expireAfterSeconds"] == 0
        store = MongoSessionRepository(db)
        removals = store.removals()
        first = asyncio.ensure_future(_next(removals, timeout=120))
        await asyncio.sleep(0.5)
        now = datetime.now(UTC)
        await store.add(record("old", at=now - timedelta(seconds=120), idle=60))
        assert await first == session_key("old")  # the test mongod sweeps every second
        await removals.aclose()  # type: ignore[attr-defined]
    finally:
        await client.close()
