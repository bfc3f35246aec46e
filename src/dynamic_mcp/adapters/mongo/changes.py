"""The change feed over MongoDB change streams (needs a replica set, even a single node; ADR 0010).

One stream on the database, filtered to users, tools and prompts, with the documents before
(pre-images, enabled on those collections at start) and after each write. The resume token of
the last change seen is kept: after a failover or a restart the stream picks up where it was;
if the server no longer has that history, a fresh stream is opened and a reset is reported, so
the caches are dropped rather than trusted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.change_stream import AsyncChangeStream
from pymongo.errors import OperationFailure, PyMongoError

from dynamic_mcp.adapters.mongo.client import PROMPTS, RESOURCES, TOOLS, USERS, Document
from dynamic_mcp.adapters.mongo.ledger import WriteLedger
from dynamic_mcp.adapters.mongo.mappers import (
    prompt_from_document,
    resource_from_document,
    tool_from_document,
    user_from_document,
)
from dynamic_mcp.ports.changes import (
    Change,
    ChangeFeed,
    PromptStored,
    ResourceStored,
    StoreReset,
    ToolStored,
    UserStored,
)

log = logging.getLogger(__name__)

FOLLOWED = (USERS, TOOLS, PROMPTS, RESOURCES)
MAX_AWAIT_MS = 500
RETRY_SECONDS = (0.1, 0.25, 0.5, 1.0, 2.0)
# ChangeStreamHistoryLost, InvalidResumeToken (and the older "resume point may no longer be in the oplog").
HISTORY_GONE_CODES = frozenset({286, 260, 280})
RESETTING_OPERATIONS = frozenset({"drop", "rename", "dropDatabase", "invalidate"})
DECODERS: Mapping[str, Any] = {
    USERS: user_from_document,
    TOOLS: tool_from_document,
    PROMPTS: prompt_from_document,
    RESOURCES: resource_from_document,
}
RECORDS: Mapping[str, Any] = {USERS: UserStored, TOOLS: ToolStored, PROMPTS: PromptStored, RESOURCES: ResourceStored}

STANDALONE_CONSEQUENCE = (
    "this instance will not see changes made by other instances or by the CLI until it restarts. Run a "
    "single instance, or run MongoDB as a replica set (a single node is enough) to run several "
    "(docs/deployment.md)."
)
STANDALONE_WARNING = f"MongoDB is not a replica set: change streams are unavailable, so {STANDALONE_CONSEQUENCE}"


class MongoChangeFeed(ChangeFeed):
    def __init__(self, client: AsyncMongoClient[Document], db_name: str, ledger: WriteLedger) -> None:
        self._client = client
        self._db_name = db_name
        self._ledger = ledger
        self._stream: AsyncChangeStream[Document] | None = None
        self._token: Mapping[str, Any] | None = None
        self._closed = False
        self._reset_reason: str | None = None

    async def open(self) -> bool:
        try:
            hello = await self._client.admin.command("hello")
        except PyMongoError as exc:
            log.warning("Change feed not started: MongoDB did not answer (%s)", type(exc).__name__)
            return False
        if not hello.get("setName") and hello.get("msg") != "isdbgrid":  # a replica set, or mongos
            log.warning(STANDALONE_WARNING)
            return False
        try:
            await self._reopen()
        except PyMongoError as exc:  # e.g. a database user without the changeStream privilege
            log.warning("Change feed not started (%s: %s); %s", type(exc).__name__, exc, STANDALONE_CONSEQUENCE)
            return False
        log.info("Following MongoDB changes to users, tools, prompts and resources (change streams)")
        return True

    async def _enable_pre_images(self) -> None:
        db = self._client[self._db_name]
        existing = set(await db.list_collection_names())
        for name in FOLLOWED:
            try:
                if name not in existing:
                    await db.create_collection(name, changeStreamPreAndPostImages={"enabled": True})
                    continue
            except OperationFailure as exc:
                if exc.code != 48:  # NamespaceExists: another instance created it just now
                    log.warning("Could not create %s with change-stream pre-images (code %s)", name, exc.code)
                    continue
            try:
                await db.command({"collMod": name, "changeStreamPreAndPostImages": {"enabled": True}})
            except OperationFailure as exc:
                # Without pre-images a deletion cannot be attributed: it resets the caches instead.
                log.warning("Could not enable change-stream pre-images on %s (code %s)", name, exc.code)

    async def _watch(self, resume_after: Mapping[str, Any] | None) -> AsyncChangeStream[Document]:
        pipeline = [
            {
                "$match": {
                    "$or": [
                        {"ns.coll": {"$in": list(FOLLOWED)}},
                        {"operationType": {"$in": ["dropDatabase", "invalidate"]}},
                    ]
                }
            }
        ]
        return await self._client[self._db_name].watch(
            pipeline,
            full_document="updateLookup",
            full_document_before_change="whenAvailable",
            resume_after=resume_after,
            max_await_time_ms=MAX_AWAIT_MS,
        )

    async def _reopen(self) -> None:
        """Resume from the last token; a token the server no longer knows means starting over."""
        if self._token is not None:
            try:
                self._stream = await self._watch(self._token)
                log.info("Change stream resumed")
                return
            except OperationFailure as exc:
                if exc.code not in HISTORY_GONE_CODES:
                    raise
                self._lose_history(f"history lost (code {exc.code})")
        await self._enable_pre_images()
        self._stream = await self._watch(None)
        self._token = self._stream.resume_token

    def _lose_history(self, reason: str) -> None:
        """Follow afresh; the caches are reset once the new stream is open (no write slips by)."""
        self._token = None
        self._reset_reason = reason

    async def close(self) -> None:
        self._closed = True
        await self._drop_stream()

    async def changes(self) -> AsyncIterator[Change]:
        failures = 0
        while not self._closed:
            event: Mapping[str, Any] | None = None
            try:
                if self._stream is None:
                    await self._reopen()
                if self._reset_reason is None:
                    # A local reference: close() may drop the stream while this read waits.
                    stream = self._stream
                    assert stream is not None
                    event = await stream.try_next()
                    if self._closed:
                        return
                    self._token = stream.resume_token
                    if event is None and not stream.alive:
                        # A closed stream answers None at once, forever: open it again from the
                        # last token instead of spinning on it.
                        failures = await self._back_off(PyMongoError("the change stream closed"), failures)
                        continue
                failures = 0
            except OperationFailure as exc:
                if exc.code in HISTORY_GONE_CODES:
                    await self._drop_stream()
                    self._lose_history(f"history lost (code {exc.code})")
                else:
                    failures = await self._back_off(exc, failures)
                continue
            except PyMongoError as exc:
                failures = await self._back_off(exc, failures)
                continue
            if self._reset_reason is not None:
                reason, self._reset_reason = self._reset_reason, None
                yield StoreReset(reason)
                continue
            if event is None:
                continue
            operation = event.get("operationType")
            if operation in RESETTING_OPERATIONS:
                await self._drop_stream()
                self._lose_history(f"{operation} of {event.get('ns', {}).get('coll') or 'the database'}")
                continue
            change = await self._decode(event)
            if change is not None:
                yield change

    async def _back_off(self, exc: PyMongoError, failures: int) -> int:
        if failures == 0:
            code = f" {exc.code}" if isinstance(exc, OperationFailure) else ""
            log.warning(
                "Change stream interrupted (%s%s: %s); resuming from the last change seen",
                type(exc).__name__,
                code,
                exc,
            )
        await self._drop_stream()
        await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
        return failures + 1

    async def _drop_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(PyMongoError):
                await stream.close()

    async def _decode(self, event: Mapping[str, Any]) -> Change | None:
        collection = event.get("ns", {}).get("coll")
        decode = DECODERS.get(collection)
        if decode is None:
            return None
        operation = event.get("operationType")
        before_doc = event.get("fullDocumentBeforeChange")
        after_doc = event.get("fullDocument")
        if operation == "delete" and before_doc is None:
            return StoreReset(f"a {collection} record was deleted without a pre-image")
        before_known = operation == "insert" or before_doc is not None
        try:
            before = decode(before_doc) if before_doc is not None else None
            after = decode(after_doc) if after_doc is not None and operation != "delete" else None
        except Exception as exc:  # a record the mapper cannot read: trust nothing cached
            return StoreReset(f"unreadable {collection} record ({type(exc).__name__})")
        if before is None and after is None:
            # An update whose document is already gone again: its deletion follows.
            return None
        cluster_time = event.get("clusterTime")
        own = cluster_time is not None and await self._ledger.is_own(cluster_time)
        record: Change = RECORDS[collection](
            written_at=_as_utc(event.get("wallTime")), own=own, before_known=before_known, before=before, after=after
        )
        return record


def _as_utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
