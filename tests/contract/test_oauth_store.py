"""OAuthStore contract: the same behaviour in memory and in MongoDB (with its TTL index)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.memory.oauth import InMemoryOAuthStore
from dynamic_mcp.adapters.mongo.client import OAUTH_GRANTS, connect_and_prepare
from dynamic_mcp.adapters.mongo.oauth import MongoOAuthStore
from dynamic_mcp.domain.oauth import ACCESS, CODE, REFRESH, Grant, OAuthClient
from dynamic_mcp.ports.oauth import OAuthStore
from tests.contract.conftest import ADAPTERS

# A day ahead of the wall clock: the test mongod's TTL monitor (every second) must not sweep
# grants these tests still read; expiry here is judged by the ``now`` each call is given.
_NOW = datetime.now(UTC) + timedelta(days=1)
T0 = _NOW.replace(microsecond=_NOW.microsecond // 1000 * 1000)


def grant(hash: str, kind: str = ACCESS, email: str = "ann@example.com", client: str = "c1", **extra: Any) -> Grant:
    values: dict[str, Any] = {
        "family": "f1",
        "created_at": T0,
        "expires_at": T0 + timedelta(hours=1),
        "scopes": ("mcp",),
        "resource": "https://mcp.example/mcp",
        "key_hash": "k",
        "details": {"redirect_uri": "http://127.0.0.1/cb"},
        **extra,
    }
    return Grant(hash=hash, kind=kind, email=email, client_id=client, **values)


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[OAuthStore]:
    if request.param == "memory":
        yield InMemoryOAuthStore()
        return
    uri: str = request.getfixturevalue("mongo_uri")
    name: str = request.getfixturevalue("fresh_database_name")("oauth")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        yield MongoOAuthStore(await connect_and_prepare(client, name))
    finally:
        await client.close()


async def test_a_grant_reads_back_equal_and_expires(store: OAuthStore) -> None:
    await store.put(grant("h1"))
    assert await store.get("h1", T0) == grant("h1")
    assert await store.get("nope", T0) is None
    assert await store.get("h1", T0 + timedelta(hours=1)) is None
    assert await store.get("h1", T0) is None  # forgotten, not merely hidden


async def test_take_marks_spent_once_and_tells_a_second_taker(store: OAuthStore) -> None:
    await store.put(grant("code", CODE))
    first, second = await asyncio.gather(store.take("code", T0), store.take("code", T0))
    assert first is not None and second is not None
    assert sorted([first.spent, second.spent]) == [False, True]  # exactly one caller got it fresh
    assert await store.take("missing", T0) is None


async def test_families_and_users_are_deleted_together(store: OAuthStore) -> None:
    await store.put(grant("a", ACCESS, family="f1"))
    await store.put(grant("r", REFRESH, family="f1"))
    await store.put(grant("b", ACCESS, family="f2", client="c2"))
    await store.put(grant("x", ACCESS, email="bob@example.com", family="f3"))
    assert await store.delete_family("f1") == 2
    assert await store.get("a", T0) is None and await store.get("b", T0) is not None
    assert await store.delete_for("ann@example.com", "other") == 0
    assert await store.delete_for("ann@example.com", "c2") == 1
    assert await store.delete_for("bob@example.com") == 1
    assert await store.delete("x") is False


async def test_list_for_gives_a_users_live_grants_oldest_first(store: OAuthStore) -> None:
    await store.put(grant("late", created_at=T0 + timedelta(minutes=2)))
    await store.put(grant("early", created_at=T0 + timedelta(minutes=1)))
    await store.put(grant("gone", expires_at=T0 + timedelta(seconds=30)))
    await store.put(grant("other", email="bob@example.com"))
    listed = await store.list_for("ann@example.com", T0 + timedelta(minutes=3))
    assert [g.hash for g in listed] == ["early", "late"]


async def test_clients_are_saved_and_replaced(store: OAuthStore) -> None:
    client = OAuthClient("c1", {"client_name": "One", "redirect_uris": ["http://127.0.0.1/cb"]}, T0, "secret-hash")
    await store.save_client(client)
    assert await store.get_client("c1") == client
    renamed = OAuthClient("c1", {"client_name": "Uno"}, T0)
    await store.save_client(renamed)
    assert await store.get_client("c1") == renamed
    assert await store.get_client("c2") is None


async def test_mongo_expires_grants_with_a_ttl_index(mongo_uri: str, fresh_database_name: Any) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        db = await connect_and_prepare(client, fresh_database_name("oauth"))
        indexes = await db[OAUTH_GRANTS].index_information()
        assert indexes["expiresAt_ttl"]["expireAfterSeconds"] == 0
    finally:
        await client.close()
