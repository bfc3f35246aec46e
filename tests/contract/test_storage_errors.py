"""Driver failures reach callers as domain errors, never as pymongo exceptions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.mongo.client import ping
from dynamic_mcp.adapters.mongo.repositories import MongoPromptRepository, MongoToolRepository, MongoUserRepository
from dynamic_mcp.domain.errors import StorageUnavailable
from dynamic_mcp.domain.sharing import Share
from dynamic_mcp.domain.users import User
from tests.contract.conftest import TickingClock
from tests.support.mongod import free_port


@pytest.fixture
async def dead_client() -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        f"mongodb://127.0.0.1:{free_port()}/?directConnection=true", tz_aware=True, serverSelectionTimeoutMS=100
    )
    yield client
    await client.close()


async def test_unreachable_server_is_storage_unavailable(dead_client: AsyncMongoClient[dict[str, Any]]) -> None:
    db = dead_client["nowhere"]
    users = MongoUserRepository(db, TickingClock())
    calls = [
        users.get("ann@example.com"),
        users.add(User(email="ann@example.com")),
        users.put_share("ann@example.com", Share("a:b", "c")),
        users.remove_hidden_everywhere("a:b"),
        users.forget_tools_everywhere(frozenset({"a:b"})),
        MongoToolRepository(db, TickingClock()).list_all(),
        MongoPromptRepository(db, TickingClock()).get("p"),
    ]
    outcomes = await asyncio.gather(*calls, return_exceptions=True)  # each waits for server selection
    assert all(isinstance(o, StorageUnavailable) for o in outcomes), outcomes
    assert all(str(o).startswith("Storage is unavailable: ") for o in outcomes)


async def test_ping_explains_an_unreachable_server(dead_client: AsyncMongoClient[dict[str, Any]]) -> None:
    with pytest.raises(StorageUnavailable, match="MONGODB_URI"):
        await ping(dead_client, within_seconds=2)
