"""Upstream records (``upstreams``) and per-user credentials (``upstreamCredentials``) in MongoDB."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from dynamic_mcp.adapters.mongo.client import UPSTREAM_CREDENTIALS, UPSTREAMS
from dynamic_mcp.adapters.mongo.errors import storage_errors
from dynamic_mcp.domain.errors import Conflict, NotFound
from dynamic_mcp.domain.upstreams import Upstream, UpstreamCredential
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.upstreams import UpstreamRepository

Document = dict[str, Any]

# attribute -> document key; sealed header values are stored as an array of {name, value} so a
# header name never becomes a document key.
UPSTREAM_FIELDS = {
    "name": "name",
    "url": "url",
    "creator": "creator",
    "credential_mode": "credentialMode",
    "protocol": "protocol",
    "connect_timeout_seconds": "connectTimeoutSeconds",
    "call_timeout_seconds": "callTimeoutSeconds",
    "tool_filter": "toolFilter",
    "name_prefix": "namePrefix",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
}


def _ms(value: datetime | None) -> datetime | None:
    """BSON keeps milliseconds: truncate before storing, so what is returned equals what is read."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000) if value is not None else None


def upstream_to_document(upstream: Upstream) -> Document:
    doc: Document = {key: getattr(upstream, attr) for attr, key in UPSTREAM_FIELDS.items()}
    doc["toolFilter"] = list(upstream.tool_filter)
    doc["headers"] = [{"name": n, "value": v} for n, v in sorted(upstream.sealed_headers.items())]
    return {k: v for k, v in doc.items() if v is not None}


def upstream_from_document(doc: Document) -> Upstream:
    values = {attr: doc[key] for attr, key in UPSTREAM_FIELDS.items() if doc.get(key) is not None}
    values["tool_filter"] = tuple(values.get("tool_filter", ()))
    values["sealed_headers"] = {h["name"]: h["value"] for h in doc.get("headers", [])}
    for attr in ("created_at", "updated_at"):
        if attr in values:
            values[attr] = values[attr].astimezone(UTC)
    return Upstream(**values)


def _credential_from_document(doc: Document) -> UpstreamCredential:
    updated = doc.get("updatedAt")
    return UpstreamCredential(
        upstream=doc["upstream"],
        email=doc["email"],
        sealed_token=doc["sealedToken"],
        updated_at=updated.astimezone(UTC) if updated is not None else None,
    )


class MongoUpstreamRepository(UpstreamRepository):
    def __init__(self, db: AsyncDatabase[Document], clock: Clock) -> None:
        self._upstreams: AsyncCollection[Document] = db[UPSTREAMS]
        self._credentials: AsyncCollection[Document] = db[UPSTREAM_CREDENTIALS]
        self._clock = clock

    async def list_all(self) -> list[Upstream]:
        with storage_errors():
            docs = await self._upstreams.find({}).sort("name", 1).to_list()
        return [upstream_from_document(d) for d in docs]

    async def get(self, name: str) -> Upstream | None:
        with storage_errors():
            doc = await self._upstreams.find_one({"name": name})
        return upstream_from_document(doc) if doc is not None else None

    async def add(self, upstream: Upstream) -> Upstream:
        now = _ms(self._clock.now())
        stored = attrs.evolve(upstream, created_at=now, updated_at=now)
        with storage_errors():
            try:
                await self._upstreams.insert_one(upstream_to_document(stored))
            except DuplicateKeyError as exc:
                raise Conflict(f"An upstream named '{upstream.name}' already exists") from exc
        return stored

    async def replace(self, upstream: Upstream) -> Upstream:
        doc = upstream_to_document(attrs.evolve(upstream, updated_at=_ms(self._clock.now())))
        doc.pop("createdAt", None)
        with storage_errors():
            found = await self._upstreams.find_one_and_update(
                {"name": upstream.name},
                [{"$replaceWith": {"$mergeObjects": [doc, {"createdAt": "$createdAt"}]}}],
                return_document=ReturnDocument.AFTER,
            )
        if found is None:
            raise NotFound(f"Upstream '{upstream.name}' not found")
        return upstream_from_document(found)

    async def delete(self, name: str) -> bool:
        with storage_errors():
            await self._credentials.delete_many({"upstream": name})
            result = await self._upstreams.delete_one({"name": name})
        return result.deleted_count > 0

    async def get_credential(self, upstream: str, email: str) -> UpstreamCredential | None:
        with storage_errors():
            doc = await self._credentials.find_one({"upstream": upstream, "email": email})
        return _credential_from_document(doc) if doc is not None else None

    async def put_credential(self, credential: UpstreamCredential) -> UpstreamCredential:
        stored = attrs.evolve(credential, updated_at=_ms(self._clock.now()))
        with storage_errors():
            await self._credentials.replace_one(
                {"upstream": credential.upstream, "email": credential.email},
                {
                    "upstream": stored.upstream,
                    "email": stored.email,
                    "sealedToken": stored.sealed_token,
                    "updatedAt": stored.updated_at,
                },
                upsert=True,
            )
        return stored

    async def delete_credential(self, upstream: str, email: str) -> bool:
        with storage_errors():
            result = await self._credentials.delete_one({"upstream": upstream, "email": email})
        return result.deleted_count > 0

    async def delete_credentials_of(self, email: str) -> int:
        with storage_errors():
            result = await self._credentials.delete_many({"email": email})
        return int(result.deleted_count)
