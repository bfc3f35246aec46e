"""Console sign-ins in MongoDB: every instance sees them; a TTL index removes expired ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from dynamic_mcp.adapters.mongo.client import CONSOLE_SESSIONS
from dynamic_mcp.adapters.mongo.errors import storage_errors
from dynamic_mcp.domain.console_sessions import ConsoleSession
from dynamic_mcp.ports.console_sessions import ConsoleSessionStore

Document = dict[str, Any]


def to_document(session: ConsoleSession) -> Document:
    return {
        "_id": session.id_hash,
        "email": session.email,
        "keyHash": session.key_hash,
        "csrfToken": session.csrf_token,
        "createdAt": session.created_at,
        "expiresAt": session.expires_at,
    }


def from_document(doc: Document) -> ConsoleSession:
    return ConsoleSession(
        id_hash=doc["_id"],
        email=doc["email"],
        key_hash=doc["keyHash"],
        csrf_token=doc["csrfToken"],
        created_at=doc["createdAt"],
        expires_at=doc["expiresAt"],
    )


class MongoConsoleSessionStore(ConsoleSessionStore):
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[CONSOLE_SESSIONS]

    async def add(self, session: ConsoleSession) -> None:
        with storage_errors():
            await self._collection.insert_one(to_document(session))

    async def get(self, id_hash: str, now: datetime) -> ConsoleSession | None:
        with storage_errors():
            doc = await self._collection.find_one({"_id": id_hash})
        if doc is None:
            return None
        session = from_document(doc)
        if session.expired(now):  # the TTL monitor runs only once a minute
            await self.delete(id_hash)
            return None
        return session

    async def delete(self, id_hash: str) -> bool:
        with storage_errors():
            result = await self._collection.delete_one({"_id": id_hash})
        return result.deleted_count > 0

    async def delete_for(self, email: str) -> int:
        with storage_errors():
            result = await self._collection.delete_many({"email": email})
        return result.deleted_count
