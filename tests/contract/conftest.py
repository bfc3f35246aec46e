"""Repositories under contract: every test here runs against each adapter (CONVENTIONS habit 8)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from dynamic_mcp.adapters.memory.repositories import (
    InMemoryPromptRepository,
    InMemoryToolRepository,
    InMemoryUserRepository,
)
from dynamic_mcp.adapters.mongo.client import connect_and_prepare
from dynamic_mcp.adapters.mongo.repositories import MongoPromptRepository, MongoToolRepository, MongoUserRepository
from dynamic_mcp.ports.repositories import PromptRepository, ToolRepository, UserRepository

MONGO_FIXTURES = "tests.support.fixtures"


ADAPTERS = ["memory", pytest.param("mongo", marks=pytest.mark.mongo)]


class TickingClock:
    """Deterministic time: every reading is one millisecond after the previous one (BSON precision)."""

    def __init__(self, start: datetime = datetime(2025, 1, 1, tzinfo=UTC)) -> None:
        self._now = start

    def now(self) -> datetime:
        self._now += timedelta(milliseconds=1)
        return self._now


@attrs.frozen
class Repositories:
    users: UserRepository
    tools: ToolRepository
    prompts: PromptRepository
    clock: TickingClock


def memory_repositories(clock: TickingClock) -> Repositories:
    return Repositories(
        InMemoryUserRepository(clock), InMemoryToolRepository(clock), InMemoryPromptRepository(clock), clock
    )


@pytest.fixture(params=ADAPTERS)
async def repos(request: pytest.FixtureRequest) -> AsyncIterator[Repositories]:
    """The repositories of one adapter; a Mongo test gets its own fresh database."""
    clock = TickingClock()
    if request.param == "memory":
        yield memory_repositories(clock)
        return
    uri: str = request.getfixturevalue("mongo_uri")
    name: str = request.getfixturevalue("fresh_database_name")("contract")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        db = await connect_and_prepare(client, name)
        yield Repositories(
            MongoUserRepository(db, clock), MongoToolRepository(db, clock), MongoPromptRepository(db, clock), clock
        )
    finally:
        await client.close()


@pytest.fixture
async def mongo_db(
    mongo_uri: str, fresh_database_name: Callable[[str], str]
) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """A fresh, indexed database on the test server (for Mongo-only tests)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        yield await connect_and_prepare(client, fresh_database_name("contract"))
    finally:
        await client.close()
