"""Instances and their listen streams in MongoDB (``instances``, ``mcpListeners``; ADR 0020).

Each instance rewrites its heartbeat, and the expiry of its listeners' records, every interval;
TTL indexes on ``expiresAt`` sweep what a crashed instance left, and reads check the expiry too.
A close asked for on any instance marks the listener's record with its instance's id; the owner
follows those marks on a change stream filtered on the server to its own id, so heartbeats never
travel. Without change streams (a standalone server, one instance) it polls for them instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from dynamic_mcp.adapters.mongo.client import INSTANCES, MCP_LISTENERS
from dynamic_mcp.adapters.mongo.errors import storage_errors
from dynamic_mcp.domain.instances import InstanceRecord, ListenerRecord
from dynamic_mcp.ports.instances import InstanceDirectory

log = logging.getLogger(__name__)

Document = dict[str, Any]
RETRY_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)
POLL_SECONDS = 2.0
MAX_LISTED = 5_000
CLOSE_MARK = "closeRequested"
RESTARTING = ["drop", "dropDatabase", "invalidate", "rename"]


def instance_document(record: InstanceRecord) -> Document:
    return {
        "_id": record.id,
        "version": record.version,
        "startedAt": record.started_at,
        "lastBeat": record.last_beat,
        "expiresAt": record.expires_at,
    }


def instance_from(doc: Document) -> InstanceRecord:
    return InstanceRecord(
        id=doc["_id"],
        version=doc.get("version") or "",
        started_at=doc["startedAt"],
        last_beat=doc["lastBeat"],
        expires_at=doc["expiresAt"],
    )


def listener_document(record: ListenerRecord) -> Document:
    return {
        "_id": record.key,
        "email": record.email,
        "instance": record.instance,
        "client": record.client,
        "openedAt": record.opened_at,
        "expiresAt": record.expires_at,
    }


def listener_from(doc: Document) -> ListenerRecord:
    return ListenerRecord(
        key=doc["_id"],
        email=doc["email"],
        instance=doc["instance"],
        client=doc.get("client") or "",
        opened_at=doc["openedAt"],
        expires_at=doc["expiresAt"],
    )


class MongoInstanceDirectory(InstanceDirectory):
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._instances = db[INSTANCES]
        self._listeners = db[MCP_LISTENERS]

    async def beat(self, instance: InstanceRecord) -> None:
        with storage_errors():
            await self._instances.replace_one({"_id": instance.id}, instance_document(instance), upsert=True)
            await self._listeners.update_many({"instance": instance.id}, {"$set": {"expiresAt": instance.expires_at}})

    async def instances(self, now: datetime) -> list[InstanceRecord]:
        with storage_errors():
            docs = (
                await self._instances.find({"expiresAt": {"$gt": now}}).sort([("startedAt", 1), ("_id", 1)]).to_list()
            )
        return [instance_from(d) for d in docs]

    async def leave(self, instance_id: str) -> None:
        with storage_errors():
            await self._instances.delete_one({"_id": instance_id})
            await self._listeners.delete_many({"instance": instance_id})

    async def add_listener(self, listener: ListenerRecord) -> None:
        with storage_errors():
            await self._listeners.replace_one({"_id": listener.key}, listener_document(listener), upsert=True)

    async def remove_listener(self, key: str) -> None:
        with storage_errors():
            await self._listeners.delete_one({"_id": key})

    async def listeners(self, now: datetime) -> list[ListenerRecord]:
        live = [i.id for i in await self.instances(now)]
        with storage_errors():
            cursor = self._listeners.find({"expiresAt": {"$gt": now}, "instance": {"$in": live}})
            docs = await cursor.sort([("email", 1), ("openedAt", 1), ("_id", 1)]).limit(MAX_LISTED).to_list()
        return [listener_from(d) for d in docs]

    async def request_close(self, key: str, now: datetime) -> bool:
        with storage_errors():
            doc = await self._listeners.find_one({"_id": key, "expiresAt": {"$gt": now}})
            if doc is None:
                return False
            result = await self._listeners.update_one({"_id": key}, {"$set": {CLOSE_MARK: doc["instance"]}})
        return result.matched_count > 0

    async def _pending(self, instance_id: str) -> list[str]:
        docs = await self._listeners.find({CLOSE_MARK: instance_id}, {"_id": 1}).to_list()
        return [str(d["_id"]) for d in docs]

    async def close_requests(self, instance_id: str) -> AsyncIterator[str]:
        pipeline = [
            {
                "$match": {
                    "$or": [
                        {"operationType": "update", f"updateDescription.updatedFields.{CLOSE_MARK}": instance_id},
                        {"operationType": {"$in": RESTARTING}},
                    ]
                }
            }
        ]
        attempt = 0
        while True:
            try:
                async with await self._listeners.watch(pipeline) as stream:
                    attempt = 0
                    for key in await self._pending(instance_id):  # asked for before the stream opened
                        yield key
                    async for change in stream:
                        if change.get("operationType") != "update":
                            break  # dropped: reopen, and look again for what was asked meanwhile
                        yield str(change["documentKey"]["_id"])
            except PyMongoError as exc:
                if getattr(exc, "code", None) == 40573:  # no change streams: a standalone server
                    async for key in self._poll(instance_id):
                        yield key
                log.warning("listener close stream interrupted (%s); retrying", type(exc).__name__)
            await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1

    async def _poll(self, instance_id: str) -> AsyncIterator[str]:
        while True:
            try:
                for key in await self._pending(instance_id):
                    yield key
            except PyMongoError as exc:
                log.warning("listener close poll failed (%s)", type(exc).__name__)
            await asyncio.sleep(POLL_SECONDS)
