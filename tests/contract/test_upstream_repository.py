"""UpstreamRepository contract (docs/upstreams.md): the same behaviour in memory and in MongoDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest
from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.memory.upstreams import InMemoryUpstreamRepository
from dynamic_mcp.adapters.mongo.client import connect_and_prepare
from dynamic_mcp.adapters.mongo.upstreams import MongoUpstreamRepository
from dynamic_mcp.domain.errors import Conflict, NotFound
from dynamic_mcp.domain.upstreams import PER_USER, Upstream, UpstreamCredential
from dynamic_mcp.ports.upstreams import UpstreamRepository
from tests.contract.conftest import ADAPTERS, TickingClock


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[UpstreamRepository]:
    clock = TickingClock()
    if request.param == "memory":
        yield InMemoryUpstreamRepository(clock)
        return
    uri: str = request.getfixturevalue("mongo_uri")
    name: str = request.getfixturevalue("fresh_database_name")("contract")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        yield MongoUpstreamRepository(await connect_and_prepare(client, name), clock)
    finally:
        await client.close()


def upstream(name: str = "weather", **fields: Any) -> Upstream:
    values: dict[str, Any] = {
        "url": "https://mcp.example.com/mcp",
        "creator": "ann@example.com",
        "credential_mode": PER_USER,
        "sealed_headers": {"x-team": "v1.sealed-a", "authorization": "v1.sealed-b"},
        "protocol": "legacy",
        "connect_timeout_seconds": 2.5,
        "call_timeout_seconds": 30.0,
        "tool_filter": ("get_*", "ping"),
        "name_prefix": "wx_",
        **fields,
    }
    return Upstream(name=name, **values)


async def test_an_added_upstream_reads_back_whole(store: UpstreamRepository) -> None:
    stored = await store.add(upstream())
    assert stored.created_at is not None and stored.updated_at == stored.created_at
    assert await store.get("weather") == stored
    assert await store.list_all() == [stored]
    assert await store.get("missing") is None


async def test_upstreams_list_in_name_order(store: UpstreamRepository) -> None:
    for name in ("b", "c", "a"):
        await store.add(upstream(name))
    assert [u.name for u in await store.list_all()] == ["a", "b", "c"]


async def test_adding_a_taken_name_is_a_conflict_and_keeps_the_first(store: UpstreamRepository) -> None:
    first = await store.add(upstream())
    with pytest.raises(Conflict, match="already exists"):
        await store.add(upstream(creator="bob@example.com"))
    assert await store.get("weather") == first


async def test_replace_keeps_created_at_and_changes_the_rest(store: UpstreamRepository) -> None:
    first = await store.add(upstream())
    second = await store.replace(attrs.evolve(first, url="https://other.example.com/mcp", sealed_headers={}))
    assert second.created_at == first.created_at and second.updated_at != first.updated_at
    assert (second.url, dict(second.sealed_headers)) == ("https://other.example.com/mcp", {})
    assert await store.get("weather") == second


async def test_replacing_an_unknown_upstream_is_not_found(store: UpstreamRepository) -> None:
    with pytest.raises(NotFound):
        await store.replace(upstream())


async def test_credentials_are_per_upstream_and_user_and_replaced(store: UpstreamRepository) -> None:
    await store.add(upstream())
    ann = await store.put_credential(UpstreamCredential("weather", "ann@example.com", "v1.one"))
    await store.put_credential(UpstreamCredential("weather", "bob@example.com", "v1.two"))
    assert await store.get_credential("weather", "ann@example.com") == ann
    again = await store.put_credential(UpstreamCredential("weather", "ann@example.com", "v1.three"))
    assert (await store.get_credential("weather", "ann@example.com")) == again
    assert again.sealed_token == "v1.three"
    assert (await store.get_credential("weather", "bob@example.com")).sealed_token == "v1.two"  # type: ignore[union-attr]
    assert await store.get_credential("other", "ann@example.com") is None


async def test_deleting_an_upstream_deletes_its_credentials(store: UpstreamRepository) -> None:
    await store.add(upstream())
    await store.add(upstream("other"))
    await store.put_credential(UpstreamCredential("weather", "ann@example.com", "v1.one"))
    await store.put_credential(UpstreamCredential("other", "ann@example.com", "v1.two"))
    assert await store.delete("weather") is True
    assert await store.delete("weather") is False
    assert await store.get_credential("weather", "ann@example.com") is None
    assert await store.get_credential("other", "ann@example.com") is not None


async def test_a_users_credentials_can_be_forgotten_everywhere(store: UpstreamRepository) -> None:
    await store.put_credential(UpstreamCredential("weather", "ann@example.com", "v1.one"))
    await store.put_credential(UpstreamCredential("other", "ann@example.com", "v1.two"))
    await store.put_credential(UpstreamCredential("other", "bob@example.com", "v1.three"))
    assert await store.delete_credentials_of("ann@example.com") == 2
    assert await store.delete_credential("other", "ann@example.com") is False
    assert await store.delete_credential("other", "bob@example.com") is True
