"""ConsoleSessionStore contract: the same behaviour in memory and in MongoDB, so any instance that
shares the store can serve a console session; and ConsoleAuth over each store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.memory.console_sessions import InMemoryConsoleSessionStore
from dynamic_mcp.adapters.memory.repositories import InMemoryUserRepository
from dynamic_mcp.adapters.mongo.client import CONSOLE_SESSIONS, connect_and_prepare
from dynamic_mcp.adapters.mongo.console_sessions import MongoConsoleSessionStore
from dynamic_mcp.adapters.security.keys import Sha256KeyHasher, UuidKeyIssuer
from dynamic_mcp.application.auth import Authenticator
from dynamic_mcp.application.console_auth import ConsoleAuth, session_id_hash
from dynamic_mcp.domain.console_sessions import ConsoleSession
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.console_sessions import ConsoleSessionStore
from tests.contract.conftest import ADAPTERS, TickingClock

T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(
    days=1
)  # ahead of the clock: the test mongod's TTL monitor sweeps every second


def session(id_hash: str = "h1", email: str = "ann@example.com", hours: int = 8) -> ConsoleSession:
    return ConsoleSession(id_hash, email, "key-digest", "csrf", T0, T0 + timedelta(hours=hours))


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[ConsoleSessionStore]:
    if request.param == "memory":
        yield InMemoryConsoleSessionStore()
        return
    uri: str = request.getfixturevalue("mongo_uri")
    name: str = request.getfixturevalue("fresh_database_name")("console")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        yield MongoConsoleSessionStore(await connect_and_prepare(client, name))
    finally:
        await client.close()


async def test_a_stored_session_reads_back_equal(store: ConsoleSessionStore) -> None:
    await store.add(session())
    assert await store.get("h1", T0) == session()
    assert await store.get("unknown", T0) is None


async def test_an_expired_session_is_gone(store: ConsoleSessionStore) -> None:
    await store.add(session(hours=1))
    assert await store.get("h1", T0 + timedelta(minutes=59)) is not None
    assert await store.get("h1", T0 + timedelta(hours=1)) is None
    assert await store.get("h1", T0) is None  # forgotten, not merely hidden


async def test_delete_forgets_one_and_delete_for_every_session_of_a_user(store: ConsoleSessionStore) -> None:
    for id_hash, email in (("a", "ann@example.com"), ("b", "ann@example.com"), ("c", "bob@example.com")):
        await store.add(session(id_hash, email))
    assert await store.delete("a") is True and await store.delete("a") is False
    assert await store.delete_for("ann@example.com") == 1
    assert await store.get("b", T0) is None and await store.get("c", T0) is not None


@pytest.mark.mongo
async def test_mongo_expires_sessions_with_a_ttl_index(mongo_db: Any) -> None:
    indexes = {i["name"]: i async for i in await mongo_db[CONSOLE_SESSIONS].list_indexes()}
    assert indexes["expiresAt_ttl"]["expireAfterSeconds"] == 0


async def test_console_auth_issues_random_ids_and_keeps_only_their_hash(store: ConsoleSessionStore) -> None:
    clock = TickingClock()
    users = InMemoryUserRepository(clock)
    issued = UuidKeyIssuer(Sha256KeyHasher()).issue()
    await users.add(User(email="ann@example.com", roles=("user",), api_key=issued.digest))
    auth = ConsoleAuth(store, Authenticator(users, Sha256KeyHasher()), users, clock, ttl_seconds=3600)
    assert await auth.sign_in("wrong-key") is None
    first, second = await auth.sign_in(issued.plain), await auth.sign_in(issued.plain)
    assert first is not None and second is not None and first.session_id != second.session_id
    assert first.session.id_hash == session_id_hash(first.session_id) != first.session_id
    assert issued.plain not in repr(first.session)
    current = await auth.current(first.session_id)
    assert current is not None and current.user.email == "ann@example.com"
    await users.set_api_key("ann@example.com", UuidKeyIssuer(Sha256KeyHasher()).issue().digest)
    assert await auth.current(first.session_id) is None  # a key reset ends the console session
    assert await store.get(first.session.id_hash, clock.now()) is None
