"""Audit entries in the ``audit`` collection, expired by a TTL index after AUDIT_RETENTION_DAYS."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pymongo import DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from dynamic_mcp.adapters.mongo.errors import storage_errors
from dynamic_mcp.domain.audit import AuditEntry, AuditPage, AuditQuery
from dynamic_mcp.ports.audit import AuditStore

log = logging.getLogger(__name__)

AUDIT = "audit"
TTL_INDEX = "time_ttl"
FIELDS = ("time", "user", "door", "action", "outcome", "request_id", "session", "instance", "arguments")


def to_document(entry: AuditEntry) -> dict[str, Any]:
    document: dict[str, Any] = {"_id": entry.id, "durationMs": entry.duration_ms}
    for field in FIELDS:
        value = getattr(entry, field)
        if value is not None:
            document[_camel(field)] = value
    return document


def from_document(document: dict[str, Any]) -> AuditEntry:
    values: dict[str, Any] = {field: document.get(_camel(field)) for field in FIELDS}
    return AuditEntry(id=str(document["_id"]), duration_ms=float(document.get("durationMs", 0.0)), **values)


def _camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


class MongoAuditStore(AuditStore):
    def __init__(self, db: AsyncDatabase[dict[str, Any]], retention_days: int = 30) -> None:
        self._collection = db[AUDIT]
        self._retention_seconds = retention_days * 86_400

    async def prepare(self) -> None:
        ttl = IndexModel([("time", DESCENDING)], name=TTL_INDEX, expireAfterSeconds=self._retention_seconds)
        indexes = [
            ttl,
            IndexModel([("user", DESCENDING), ("_id", DESCENDING)], name="user_id"),
            IndexModel([("action", DESCENDING), ("_id", DESCENDING)], name="action_id"),
        ]
        with storage_errors():
            try:
                await self._collection.create_indexes(indexes)
            except OperationFailure:
                # The retention changed since the index was made: change it in place.
                await self._collection.database.command(
                    {
                        "collMod": AUDIT,
                        "index": {"name": TTL_INDEX, "expireAfterSeconds": self._retention_seconds},
                    }
                )
                await self._collection.create_indexes(indexes[1:])

    async def append(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        with storage_errors():
            await self._collection.insert_many([to_document(e) for e in entries], ordered=False)

    async def query(self, query: AuditQuery) -> AuditPage:
        selector: dict[str, Any] = {}
        for field, value in (("user", query.user), ("action", query.action), ("outcome", query.outcome)):
            if value is not None:
                selector[field] = value
        if query.since is not None or query.until is not None:
            selector["time"] = {k: v for k, v in (("$gte", query.since), ("$lte", query.until)) if v is not None}
        if query.cursor is not None:
            selector["_id"] = {"$lt": query.cursor}
        with storage_errors():
            cursor = self._collection.find(selector).sort("_id", DESCENDING).limit(query.limit + 1)
            documents = await cursor.to_list()
        entries = tuple(from_document(d) for d in documents[: query.limit])
        more = len(documents) > query.limit
        return AuditPage(entries, entries[-1].id if more and entries else None)
