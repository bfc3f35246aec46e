"""The instance directory, same assertions for memory and MongoDB: heartbeats and their lease,
listen streams listed while their instance lives, and close requests that reach only the owner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.memory.instances import InMemoryInstanceDirectory
from dynamic_mcp.adapters.mongo.client import INSTANCES, MCP_LISTENERS, connect_and_prepare
from dynamic_mcp.adapters.mongo.instances import MongoInstanceDirectory
from dynamic_mcp.domain.instances import InstanceRecord, ListenerRecord, lease
from dynamic_mcp.ports.instances import InstanceDirectory
from tests.contract.conftest import ADAPTERS

T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(
    days=1
)  # ahead of the clock: the test mongod's TTL monitor sweeps every second
BEAT = 10.0


def instance(name: str, at: datetime = T0, started: datetime = T0) -> InstanceRecord:
    return InstanceRecord(name, "1.2.3", started, at, lease(at, BEAT))


def listener(key: str, owner: str, email: str = "a@x.io", at: datetime = T0) -> ListenerRecord:
    return ListenerRecord(key, email, owner, "client 1", at, lease(at, BEAT))


@pytest.fixture(params=ADAPTERS)
async def directory(request: pytest.FixtureRequest) -> AsyncIterator[InstanceDirectory]:
    if request.param == "memory":
        yield InMemoryInstanceDirectory()
        return
    uri: str = request.getfixturevalue("mongo_uri")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        db = await connect_and_prepare(client, request.getfixturevalue("fresh_database_name")("instances"))
        for name in (INSTANCES, MCP_LISTENERS):
            assert (await db[name].index_information())["expiresAt_ttl"]["expireAfterSeconds"] == 0
        yield MongoInstanceDirectory(db)
    finally:
        await client.close()


async def test_instances_are_listed_while_their_heartbeat_is_current(directory: InstanceDirectory) -> None:
    await directory.beat(instance("one"))
    await directory.beat(instance("two", started=T0 + timedelta(seconds=1)))
    assert [i.id for i in await directory.instances(T0)] == ["one", "two"]
    assert await directory.instances(T0) == [instance("one"), instance("two", started=T0 + timedelta(seconds=1))]
    later = T0 + timedelta(seconds=25)
    await directory.beat(instance("two", at=later, started=T0 + timedelta(seconds=1)))
    gone = T0 + timedelta(seconds=BEAT * 3 + 1)  # "one" missed three beats
    assert [(i.id, i.last_beat) for i in await directory.instances(gone)] == [("two", later)]
    await directory.leave("two")
    assert await directory.instances(gone) == []


async def test_listeners_live_as_long_as_their_instance(directory: InstanceDirectory) -> None:
    await directory.beat(instance("one"))
    await directory.beat(instance("two"))
    await directory.add_listener(listener("k-b", "one", "b@x.io"))
    await directory.add_listener(listener("k-a", "two"))
    await directory.add_listener(listener("k-nobody", "ghost"))  # an instance that never beat
    assert [(r.key, r.instance) for r in await directory.listeners(T0)] == [("k-a", "two"), ("k-b", "one")]
    later = T0 + timedelta(seconds=BEAT * 2)
    await directory.beat(instance("one", at=later))  # renews the lease of its listeners too
    beyond = T0 + timedelta(seconds=BEAT * 3 + 1)
    assert [r.key for r in await directory.listeners(beyond)] == ["k-b"]
    await directory.remove_listener("k-b")
    assert await directory.listeners(beyond) == []
    await directory.add_listener(listener("k-c", "one", at=later))
    await directory.leave("one")
    assert [r.key for r in await directory.listeners(later)] == ["k-a"]


async def _next(requests: AsyncIterator[str], timeout: float = 10.0) -> str:
    return await asyncio.wait_for(anext(requests), timeout)


async def test_a_close_request_reaches_only_the_owning_instance(directory: InstanceDirectory) -> None:
    now = datetime.now(UTC)
    for name in ("one", "two"):
        await directory.beat(instance(name, at=now, started=now))
    await directory.add_listener(listener("k-early", "one", at=now))
    assert await directory.request_close("k-early", now) is True  # asked before anyone follows
    mine, theirs = directory.close_requests("one"), directory.close_requests("two")
    assert await _next(mine) == "k-early"
    other = asyncio.ensure_future(_next(theirs, timeout=1.0))
    await directory.add_listener(listener("k-1", "one", at=now))
    await asyncio.sleep(0.5)  # both follow before the request
    assert await directory.request_close("k-1", now) is True
    assert await _next(mine) == "k-1"
    with pytest.raises(TimeoutError):
        await other
    assert await directory.request_close("k-unknown", now) is False
    await directory.add_listener(listener("k-old", "one", at=now - timedelta(minutes=5)))
    assert await directory.request_close("k-old", now) is False  # its lease ran out
    await mine.aclose()  # type: ignore[attr-defined]
    await theirs.aclose()  # type: ignore[attr-defined]
