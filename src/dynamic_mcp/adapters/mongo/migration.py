"""One-way migration of plain API keys to their hashed form (docs/compatibility.md, ADR 0003)."""

from __future__ import annotations

import logging
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from dynamic_mcp.adapters.mongo.client import USERS
from dynamic_mcp.adapters.mongo.errors import storage_errors
from dynamic_mcp.adapters.mongo.mappers import API_KEY_HASH, API_KEY_PREFIX, LEGACY_API_KEY
from dynamic_mcp.ports.auth import KeyHasher

log = logging.getLogger(__name__)


async def migrate_plain_keys(db: AsyncDatabase[dict[str, Any]], hasher: KeyHasher) -> int:
    """Hash every plain ``apiKey`` into apiKeyHash/apiKeyPrefix and remove the plain field.

    Each user is one atomic update that only applies while the plain key is still the one read,
    so running it twice, or on two instances at once, is safe. Returns how many keys were migrated.
    An empty or non-string legacy key cannot authenticate anyone and is just removed.
    """
    users = db[USERS]
    migrated = 0
    with storage_errors():
        cursor = users.find({LEGACY_API_KEY: {"$exists": True}}, {LEGACY_API_KEY: 1, "email": 1})
        async for doc in cursor:
            plain = doc.get(LEGACY_API_KEY)
            query = {"_id": doc["_id"], LEGACY_API_KEY: plain}
            if not isinstance(plain, str) or not plain:
                await users.update_one(query, {"$unset": {LEGACY_API_KEY: ""}})
                continue
            digest = hasher.digest(plain)
            update = {
                "$set": {API_KEY_HASH: digest.hash, API_KEY_PREFIX: digest.prefix},
                "$unset": {LEGACY_API_KEY: ""},
            }
            try:
                result = await users.update_one(query, update)
            except DuplicateKeyError:
                log.error("Plain API key of user %s is also another user's key; left unmigrated", doc.get("email"))
                continue
            migrated += result.modified_count
    if migrated:
        log.warning("Migrated %d plain API key(s) to hashed storage; the plain keys were removed", migrated)
    return migrated
