"""MCP session records in MongoDB: every instance serves every session (ADR 0010).

A TTL index on ``expiresAt`` (last use plus the idle timeout) removes idle records; reads check
the expiry too, as the TTL monitor runs once a minute. Removals reach every instance through a
change stream on this collection alone, filtered on the server to deletions, so the frequent
last-use updates never travel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from dynamic_mcp.adapters.mongo.client import MCP_SESSIONS
from dynamic_mcp.adapters.mongo.errors import storage_errors
from dynamic_mcp.domain.mcp_sessions import StoredSession
from dynamic_mcp.ports.mcp_sessions import RECHECK, SessionRepository

log = logging.getLogger(__name__)

Document = dict[str, Any]
RETRY_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)
ONLY_DELETIONS = [{"$match": {"operationType": {"$in": ["delete", "drop", "dropDatabase", "invalidate"]}}}]


def to_document(session: StoredSession) -> Document:
    return {
        "_id": session.key,
        "email": session.email,
        "protocolVersion": session.protocol_version,
        "clientParams": dict(session.client_params) if session.client_params is not None else None,
        "createdAt": session.created_at,
        "lastUsedAt": session.last_used_at,
        "expiresAt": session.expires_at,
        "instance": session.instance,
        "idPrefix": session.id_prefix,
    }


def from_document(doc: Document) -> StoredSession:
    return StoredSession(
        key=doc["_id"],
        email=doc["email"],
        protocol_version=doc.get("protocolVersion") or "",
        client_params=doc.get("clientParams"),
        created_at=doc["createdAt"],
        last_used_at=doc["lastUsedAt"],
        expires_at=doc.get("expiresAt"),
        instance=doc.get("instance"),
        id_prefix=doc.get("idPrefix") or "",
    )


class MongoSessionRepository(SessionRepository):
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[MCP_SESSIONS]

    async def add(self, session: StoredSession) -> None:
        with storage_errors():
            await self._collection.insert_one(to_document(session))

    async def get(self, key: str, now: datetime) -> StoredSession | None:
        with storage_errors():
            doc = await self._collection.find_one({"_id": key})
        if doc is None:
            return None
        session = from_document(doc)
        if session.expired(now):
            await self.remove(key)
            return None
        return session

    async def touch(self, key: str, now: datetime, expires_at: datetime | None, instance: str | None = None) -> None:
        changes: Document = {"lastUsedAt": now, "expiresAt": expires_at}
        if instance is not None:
            changes["instance"] = instance
        with storage_errors():
            await self._collection.update_one({"_id": key}, {"$set": changes})

    async def remove(self, key: str) -> bool:
        with storage_errors():
            result = await self._collection.delete_one({"_id": key})
        return result.deleted_count > 0

    async def remove_for(self, email: str) -> int:
        with storage_errors():
            result = await self._collection.delete_many({"email": email})
        return result.deleted_count

    async def of_user(self, email: str, now: datetime) -> list[StoredSession]:
        with storage_errors():
            docs = await self._collection.find({"email": email}).sort([("createdAt", 1), ("_id", 1)]).to_list()
        return [s for s in map(from_document, docs) if not s.expired(now)]

    async def live(self, now: datetime, limit: int) -> list[StoredSession]:
        current = {"$or": [{"expiresAt": None}, {"expiresAt": {"$gt": now}}]}
        with storage_errors():
            docs = await self._collection.find(current).sort([("email", 1), ("createdAt", 1)]).limit(limit).to_list()
        return [from_document(d) for d in docs]

    async def removals(self) -> AsyncIterator[str]:
        """Deleted keys from a change stream; on a standalone server (no streams) nothing is
        yielded, as only one instance can run there."""
        attempt = 0
        gap = False
        while True:
            try:
                async with await self._collection.watch(ONLY_DELETIONS) as stream:
                    attempt = 0
                    if gap:
                        gap = False
                        yield RECHECK
                    async for change in stream:
                        if change.get("operationType") == "delete":
                            yield str(change["documentKey"]["_id"])
                        else:
                            yield RECHECK
                            break
            except PyMongoError as exc:
                if getattr(exc, "code", None) == 40573:  # change streams need a replica set
                    log.info("MCP session closes are not followed: MongoDB is not a replica set")
                    await asyncio.Event().wait()
                log.warning("MCP session stream interrupted (%s); retrying", type(exc).__name__)
            gap = True
            await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1
