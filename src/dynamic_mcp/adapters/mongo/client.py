"""The MongoDB client and the database's shape: collection names and indexes (docs/access.md, docs/configuration.md)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, IndexModel, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure, PyMongoError

from dynamic_mcp.domain.errors import StorageUnavailable

log = logging.getLogger(__name__)

USERS = "users"
TOOLS = "tools"
PROMPTS = "prompts"
RESOURCES = "resources"
CONSOLE_SESSIONS = "consoleSessions"
MCP_SESSIONS = "mcpSessions"
UPSTREAMS = "upstreams"
UPSTREAM_CREDENTIALS = "upstreamCredentials"
INSTANCES = "instances"
MCP_LISTENERS = "mcpListeners"
OAUTH_CLIENTS = "oauthClients"
OAUTH_GRANTS = "oauthGrants"

SERVER_SELECTION_TIMEOUT_MS = 5_000
CONNECT_TIMEOUT_SECONDS = 10.0

Document = dict[str, Any]

INDEXES: dict[str, list[IndexModel]] = {
    USERS: [
        IndexModel([("email", ASCENDING)], unique=True, name="email_1"),
        # Partial, so a legacy user without a hashed key (or several) never clashes.
        IndexModel(
            [("apiKeyHash", ASCENDING)],
            unique=True,
            name="apiKeyHash_1",
            partialFilterExpression={"apiKeyHash": {"$type": "string"}},
        ),
        IndexModel([("hiddenTools", ASCENDING)], name="hiddenTools_1"),
    ],
    TOOLS: [IndexModel([("name", ASCENDING), ("creator", ASCENDING)], unique=True, name="name_1_creator_1")],
    PROMPTS: [IndexModel([("name", ASCENDING)], unique=True, name="name_1")],
    RESOURCES: [IndexModel([("creator", ASCENDING), ("uri", ASCENDING)], unique=True, name="creator_1_uri_1")],
    CONSOLE_SESSIONS: [
        IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0, name="expiresAt_ttl"),
        IndexModel([("email", ASCENDING)], name="email_1"),
    ],
    # Last use plus the idle timeout; a record without expiresAt (no timeout) is never swept.
    MCP_SESSIONS: [
        IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0, name="expiresAt_ttl"),
        IndexModel([("email", ASCENDING), ("createdAt", ASCENDING)], name="email_1_createdAt_1"),
    ],
    UPSTREAMS: [IndexModel([("name", ASCENDING)], unique=True, name="name_1")],
    UPSTREAM_CREDENTIALS: [
        IndexModel([("upstream", ASCENDING), ("email", ASCENDING)], unique=True, name="upstream_1_email_1"),
        IndexModel([("email", ASCENDING)], name="email_1"),
    ],
    # Heartbeats (ADR 0020): what a crashed instance left is swept once its lease has run out.
    INSTANCES: [IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0, name="expiresAt_ttl")],
    MCP_LISTENERS: [
        IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0, name="expiresAt_ttl"),
        IndexModel([("instance", ASCENDING)], name="instance_1"),
        IndexModel([("closeRequested", ASCENDING)], name="closeRequested_1", sparse=True),
    ],
    # Hashed OAuth secrets (ADR 0024): gone once expired, found by user and by authorization.
    OAUTH_GRANTS: [
        IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0, name="expiresAt_ttl"),
        IndexModel([("email", ASCENDING), ("clientId", ASCENDING)], name="email_1_clientId_1"),
        IndexModel([("family", ASCENDING)], name="family_1"),
    ],
}

# Unique indexes older versions of the original server created that contradict docs/access.md:
# tool names may repeat across creators, and the plain apiKey field is removed by the migration.
LEGACY_UNIQUE_INDEXES: dict[str, list[Document]] = {TOOLS: [{"name": 1}], USERS: [{"apiKey": 1}]}


def create_client(uri: str, listeners: Sequence[monitoring._EventListener] = ()) -> AsyncMongoClient[Document]:
    """A client that reads BSON dates as aware UTC datetimes; it connects lazily.

    ``listeners`` see every command (the write ledger of the change feed is one).
    """
    return AsyncMongoClient(
        uri, tz_aware=True, serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS, event_listeners=list(listeners)
    )


def database(client: AsyncMongoClient[Document], name: str) -> AsyncDatabase[Document]:
    return client[name]


async def ping(client: AsyncMongoClient[Document], within_seconds: float = CONNECT_TIMEOUT_SECONDS) -> None:
    """StorageUnavailable with a plain explanation when the server does not answer in time."""
    try:
        async with asyncio.timeout(within_seconds):
            await client.admin.command("ping")
    except (TimeoutError, PyMongoError) as exc:
        raise StorageUnavailable(
            f"Storage is unavailable: could not reach MongoDB ({type(exc).__name__}, "
            f"waited up to {within_seconds:.0f} s); check MONGODB_URI and that the server is running"
        ) from exc


async def check_reachable(uri: str, within_seconds: float = CONNECT_TIMEOUT_SECONDS) -> None:
    """Ping ``uri`` with a short-lived client: StorageUnavailable when malformed or unreachable."""
    try:
        client = create_client(uri)
    except PyMongoError as exc:  # a malformed URI fails here, before any connection
        raise StorageUnavailable(f"Storage is unavailable: MONGODB_URI is not a valid MongoDB URI ({exc})") from exc
    try:
        await ping(client, within_seconds)
    finally:
        await client.close()


async def _drop_legacy_unique_indexes(collection: AsyncCollection[Document], legacy: list[Document]) -> None:
    async for index in await collection.list_indexes():
        key = dict(index["key"])
        blocking = index.get("unique") and not index.get("sparse") and not index.get("partialFilterExpression")
        if blocking and key in legacy:
            log.warning("Dropping legacy unique index %s on %s (docs/access.md)", index["name"], collection.name)
            await collection.drop_index(index["name"])


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    for name, models in INDEXES.items():
        collection = db[name]
        await _drop_legacy_unique_indexes(collection, LEGACY_UNIQUE_INDEXES.get(name, []))
        try:
            await collection.create_indexes(models)
        except OperationFailure as exc:
            if exc.code not in (85, 86):  # IndexOptionsConflict, IndexKeySpecsConflict
                raise
            # An index on the same keys exists under another name or with other options: keep it.
            for model in models:
                try:
                    await collection.create_indexes([model])
                except OperationFailure as one:
                    if one.code not in (85, 86):
                        raise
                    log.warning("Keeping existing index on %s %s: %s", name, model.document["key"], one.details)


async def connect_and_prepare(client: AsyncMongoClient[Document], db_name: str) -> AsyncDatabase[Document]:
    """Ping (StorageUnavailable if unreachable in ~10 s), then create the indexes; returns the database."""
    await ping(client)
    db = client[db_name]
    try:
        await ensure_indexes(db)
    except PyMongoError as exc:
        raise StorageUnavailable(f"Storage is unavailable: could not prepare indexes ({type(exc).__name__})") from exc
    return db
