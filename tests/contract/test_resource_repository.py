"""ResourceRepository contract (docs/resources.md): the same assertions against every adapter."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.memory.resources import InMemoryResourceRepository
from dynamic_mcp.adapters.mongo.client import connect_and_prepare
from dynamic_mcp.adapters.mongo.mappers import resource_from_document, resource_to_document
from dynamic_mcp.adapters.mongo.resources import MongoResourceRepository
from dynamic_mcp.domain.errors import NotFound
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.tools import HandlerRef
from dynamic_mcp.ports.repositories import ResourceRepository
from tests.contract.conftest import ADAPTERS, TickingClock

ANN = "ann@example.com"
BOB = "bob@example.com"


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[ResourceRepository]:
    clock = TickingClock()
    if request.param == "memory":
        yield InMemoryResourceRepository(clock)
        return
    uri: str = request.getfixturevalue("mongo_uri")
    name: str = request.getfixturevalue("fresh_database_name")("resources")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        yield MongoResourceRepository(await connect_and_prepare(client, name), clock)
    finally:
        await client.close()


def resource(uri: str = "file:///notes.txt", creator: str = ANN, **fields: Any) -> Resource:
    fields.setdefault("text", "hello")
    return Resource(uri=uri, name=fields.pop("name", "notes"), creator=creator, **fields)


async def test_upserted_resource_reads_back_with_its_times(store: ResourceRepository) -> None:
    stored = await store.upsert(resource(title="Notes", mime_type="text/plain", roles_permitted=("user",)))
    assert stored.created_at is not None and stored.updated_at is not None
    assert await store.get(ANN, "file:///notes.txt") == stored
    assert await store.list_all() == [stored]
    assert await store.get(BOB, "file:///notes.txt") is None


async def test_same_uri_of_two_creators_are_two_resources(store: ResourceRepository) -> None:
    a = await store.upsert(resource(creator=ANN, text="a"))
    b = await store.upsert(resource(creator=BOB, text="b"))
    assert {(r.creator, r.text) for r in await store.list_all()} == {(ANN, "a"), (BOB, "b")}
    assert await store.get(ANN, a.uri) == a and await store.get(BOB, b.uri) == b


async def test_upsert_replaces_but_keeps_created_at(store: ResourceRepository) -> None:
    first = await store.upsert(resource(text="one", description="d"))
    blob = base64.b64encode(b"\x89PNG").decode()
    second = await store.upsert(resource(text=None, blob=blob, mime_type="image/png"))
    assert second.created_at == first.created_at and second.updated_at != first.updated_at
    assert (second.text, second.blob, second.description) == (None, blob, None)


async def test_update_applies_changes_and_can_clear_a_field(store: ResourceRepository) -> None:
    await store.upsert(resource(description="old"))
    handler = HandlerRef("http", {"url": "https://example.com/{{id}}"})
    after = await store.update(ANN, "file:///notes.txt", {"description": None, "text": None, "handler": handler})
    assert (after.description, after.text, after.handler) == (None, None, handler)
    assert await store.get(ANN, "file:///notes.txt") == after


async def test_update_of_unknown_resource_is_not_found(store: ResourceRepository) -> None:
    with pytest.raises(NotFound):
        await store.update(ANN, "file:///missing", {"text": "x"})


async def test_delete_and_delete_by_creator(store: ResourceRepository) -> None:
    await store.upsert(resource(uri="a:1"))
    await store.upsert(resource(uri="a:2"))
    await store.upsert(resource(uri="t://{id}", template=True))
    await store.upsert(resource(uri="a:1", creator=BOB))
    assert await store.delete(ANN, "a:1") is True
    assert await store.delete(ANN, "a:1") is False
    assert await store.delete_by_creator(ANN, frozenset({"t://{id}"})) == 1
    assert sorted((r.creator, r.uri) for r in await store.list_all()) == [(ANN, "t://{id}"), (BOB, "a:1")]


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.none() | texts,
    text=st.none() | texts,
    template=st.booleans(),
    roles=st.none() | st.lists(st.sampled_from(["user", "admin", "ops"]), unique=True).map(tuple),
    always=st.booleans(),
)
def test_documents_round_trip(
    title: str | None, text: str | None, template: bool, roles: tuple[str, ...] | None, always: bool
) -> None:
    original = Resource(
        uri="x://y",
        name="n",
        creator=ANN,
        template=template,
        title=title,
        text=text,
        handler=None if text is not None else HandlerRef("echo", {"k": [1, "v"]}),
        roles_permitted=roles,
        always_visible=always,
    )
    assert resource_from_document(resource_to_document(original)) == original
