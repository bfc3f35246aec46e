"""Plain API keys in an original database become hashed keys at start-up (docs/access.md, docs/compatibility.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from dynamic_mcp.adapters.mongo.client import ensure_indexes
from dynamic_mcp.adapters.mongo.migration import migrate_plain_keys
from dynamic_mcp.adapters.mongo.repositories import MongoUserRepository
from dynamic_mcp.adapters.security.keys import Sha256KeyHasher
from dynamic_mcp.config import Settings
from dynamic_mcp.container import build_container, close_storage, prepare_storage
from dynamic_mcp.domain.sharing import Share
from tests.contract.conftest import TickingClock

HASHER = Sha256KeyHasher()
WHEN = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def original_user(email: str, api_key: str | None, **extra: Any) -> dict[str, Any]:
    """A user document as the original (Mongoose) server wrote it."""
    doc: dict[str, Any] = {
        "email": email,
        "name": email.split("@")[0],
        "roles": ["user"],
        "sharedTools": [
            {
                "_id": ObjectId(),
                "toolId": "echo",
                "sharedBy": "admin@example.com",
                "accessLevel": "read",
                "sharedAt": WHEN,
            }
        ],
        "hiddenTools": ["admin@example.com:fetch"],
        "createdAt": WHEN,
        "updatedAt": WHEN,
        "__v": 0,
        **extra,
    }
    if api_key is not None:
        doc["apiKey"] = api_key
    return doc


async def test_plain_keys_are_hashed_and_removed(mongo_db: AsyncDatabase[dict[str, Any]]) -> None:
    plain = ["0b6c1f0e-6f0c-4a4e-9a1e-1d2f3a4b5c6d", "7e1d2c3b-4a59-4687-b9a0-fedcba987654"]
    await mongo_db.users.insert_many(
        [original_user("ann@example.com", plain[0]), original_user("bob@example.com", plain[1])]
    )

    assert await migrate_plain_keys(mongo_db, HASHER) == 2

    for doc in await mongo_db.users.find().to_list():
        assert "apiKey" not in doc
        key = plain[0] if doc["email"] == "ann@example.com" else plain[1]
        assert (doc["apiKeyHash"], doc["apiKeyPrefix"]) == (HASHER.digest(key).hash, key[:8])
    users = MongoUserRepository(mongo_db, TickingClock())
    found = await users.get_by_key_hash(HASHER.digest(plain[0]).hash)
    assert found is not None and found.email == "ann@example.com"
    assert found.shared_tools == (Share("echo", "admin@example.com", shared_at=WHEN),)  # legacy plain-name share
    assert found.hidden_tools == ("admin@example.com:fetch",)


async def test_migration_is_idempotent(mongo_db: AsyncDatabase[dict[str, Any]]) -> None:
    await mongo_db.users.insert_one(original_user("ann@example.com", "plain-key-1"))
    assert await migrate_plain_keys(mongo_db, HASHER) == 1
    before = await mongo_db.users.find_one({"email": "ann@example.com"})
    assert await migrate_plain_keys(mongo_db, HASHER) == 0
    assert await mongo_db.users.find_one({"email": "ann@example.com"}) == before


async def test_users_without_a_plain_key_are_left_alone(mongo_db: AsyncDatabase[dict[str, Any]]) -> None:
    digest = HASHER.digest("already-hashed")
    await mongo_db.users.insert_many(
        [
            original_user("new@example.com", None, apiKeyHash=digest.hash, apiKeyPrefix=digest.prefix),
            original_user("keyless@example.com", None),
            original_user("empty@example.com", ""),
        ]
    )
    assert await migrate_plain_keys(mongo_db, HASHER) == 0
    docs = {d["email"]: d for d in await mongo_db.users.find().to_list()}
    assert docs["new@example.com"]["apiKeyHash"] == digest.hash
    assert "apiKeyHash" not in docs["keyless@example.com"]
    assert "apiKey" not in docs["empty@example.com"] and "apiKeyHash" not in docs["empty@example.com"]


async def test_a_legacy_unique_index_on_the_plain_key_does_not_block_the_migration(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    await mongo_db.users.create_index("apiKey", unique=True)  # as an older original server made it
    await mongo_db.users.insert_many([original_user(f"u{i}@example.com", f"plain-key-{i}") for i in range(3)])
    await ensure_indexes(mongo_db)  # start-up order: indexes, then migration (docs/configuration.md)
    assert await migrate_plain_keys(mongo_db, HASHER) == 3
    assert await mongo_db.users.count_documents({"apiKeyHash": {"$exists": True}}) == 3


async def test_a_legacy_unique_index_on_tool_name_gives_way_to_name_and_creator(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    await mongo_db.tools.drop_index("name_1_creator_1")
    await mongo_db.tools.create_index("name", unique=True)  # the original's first Tool schema
    await ensure_indexes(mongo_db)
    doc = {"name": "echo", "inputSchema": {"type": "object"}, "handler": {"type": "p", "config": {}}}
    await mongo_db.tools.insert_many([{**doc, "creator": "ann@example.com"}, {**doc, "creator": "bob@example.com"}])
    names = {index["name"] for index in await (await mongo_db.tools.list_indexes()).to_list()}
    assert "name_1_creator_1" in names and "name_1" not in names


async def test_prepare_storage_indexes_and_migrates_through_the_container(
    mongo_uri: str, fresh_database_name: Callable[[str], str]
) -> None:
    settings = Settings(mongodb_uri=mongo_uri, mongodb_db=fresh_database_name("container"), admin_email="a@example.com")
    container = build_container(settings)
    db = container.mongo_db()
    await db.users.insert_one(original_user("ann@example.com", "plain-key"))
    try:
        await prepare_storage(container)
        user = await container.users().get_by_key_hash(HASHER.digest("plain-key").hash)
        assert user is not None and user.email == "ann@example.com"
        assert "email_1" in {index["name"] for index in await (await db.users.list_indexes()).to_list()}
    finally:
        await close_storage(container)


async def test_prepare_storage_does_nothing_in_memory_mode() -> None:
    container = build_container(Settings())
    await prepare_storage(container)
    await close_storage(container)
