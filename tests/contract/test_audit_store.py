"""One AuditStore contract, run against the memory ring and the MongoDB collection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.memory.audit import InMemoryAuditStore
from dynamic_mcp.adapters.mongo.audit import AUDIT, TTL_INDEX, MongoAuditStore
from dynamic_mcp.domain.audit import AuditEntry, AuditQuery
from dynamic_mcp.ports.audit import AuditStore
from tests.contract.conftest import ADAPTERS

START = datetime.now(UTC).replace(microsecond=0) - timedelta(
    hours=1
)  # within the retention: the test mongod sweeps TTL indexes every second


def entry(n: int, *, user: str = "ada@example.com", action: str = "echo:echo", outcome: str = "ok") -> AuditEntry:
    moment = START + timedelta(seconds=n)
    return AuditEntry(
        id=f"{int(moment.timestamp() * 1000):013d}-test-{n:010d}",
        time=moment,
        user=user,
        door="mcp",
        action=action,
        outcome=outcome,
        duration_ms=1.5,
        request_id=f"req-{n}",
        session="abcd1234",
        instance="host:1",
        arguments={"names": ["a"]} if n % 2 else None,
    )


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[AuditStore]:
    if request.param == "memory":
        yield InMemoryAuditStore(capacity=1000)
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(request.getfixturevalue("mongo_uri"), tz_aware=True)
    try:
        mongo = MongoAuditStore(client[request.getfixturevalue("fresh_database_name")("audit")], retention_days=30)
        await mongo.prepare()
        yield mongo
    finally:
        await client.close()


async def test_entries_come_back_newest_first_and_whole(store: AuditStore) -> None:
    written = [entry(n) for n in range(5)]
    await store.append(written[:3])
    await store.append(written[3:])
    page = await store.query(AuditQuery(limit=10))
    assert list(page.entries) == list(reversed(written))
    assert page.next_cursor is None


async def test_filters_combine(store: AuditStore) -> None:
    await store.append(
        [
            entry(1, user="a@x.com"),
            entry(2, user="b@x.com"),
            entry(3, user="a@x.com", outcome="denied"),
            entry(4, user="a@x.com", action="authenticate"),
        ]
    )
    only = await store.query(AuditQuery(user="a@x.com", action="echo:echo", limit=10))
    assert [e.request_id for e in only.entries] == ["req-3", "req-1"]
    denied = await store.query(AuditQuery(outcome="denied", limit=10))
    assert [e.request_id for e in denied.entries] == ["req-3"]
    window = await store.query(AuditQuery(since=START + timedelta(seconds=2), until=START + timedelta(seconds=3)))
    assert [e.request_id for e in window.entries] == ["req-3", "req-2"]


async def test_the_cursor_walks_every_page_once(store: AuditStore) -> None:
    await store.append([entry(n) for n in range(7)])
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = await store.query(AuditQuery(limit=3, cursor=cursor))
        seen += [e.id for e in page.entries]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted((entry(n).id for n in range(7)), reverse=True)


async def test_the_memory_ring_keeps_only_the_newest() -> None:
    ring = InMemoryAuditStore(capacity=3)
    await ring.append([entry(n) for n in range(5)])
    page = await ring.query(AuditQuery(limit=10))
    assert [e.request_id for e in page.entries] == ["req-4", "req-3", "req-2"]


@pytest.mark.mongo
async def test_mongo_expires_entries_after_the_retention(mongo_uri: str, fresh_database_name: Any) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        db = client[fresh_database_name("audit")]
        await MongoAuditStore(db, retention_days=30).prepare()
        await MongoAuditStore(db, retention_days=7).prepare()  # a changed setting updates the index
        indexes = {i["name"]: i async for i in await db[AUDIT].list_indexes()}
        assert indexes[TTL_INDEX]["expireAfterSeconds"] == 7 * 86_400
    finally:
        await client.close()
