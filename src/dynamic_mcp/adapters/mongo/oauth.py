"""OAuth clients and hashed grants in MongoDB: every instance sees them; a TTL index removes
expired grants (ADR 0024)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from dynamic_mcp.adapters.mongo.client import OAUTH_CLIENTS, OAUTH_GRANTS
from dynamic_mcp.adapters.mongo.errors import storage_errors
from dynamic_mcp.domain.oauth import Grant, OAuthClient
from dynamic_mcp.ports.oauth import OAuthStore

Document = dict[str, Any]


def client_document(client: OAuthClient) -> Document:
    return {
        "_id": client.client_id,
        "document": dict(client.document),
        "createdAt": client.created_at,
        "secretHash": client.secret_hash,
    }


def client_from(doc: Document) -> OAuthClient:
    return OAuthClient(
        client_id=doc["_id"], document=doc["document"], created_at=doc["createdAt"], secret_hash=doc.get("secretHash")
    )


def grant_document(grant: Grant) -> Document:
    return {
        "_id": grant.hash,
        "kind": grant.kind,
        "email": grant.email,
        "clientId": grant.client_id,
        "family": grant.family,
        "createdAt": grant.created_at,
        "expiresAt": grant.expires_at,
        "scopes": list(grant.scopes),
        "resource": grant.resource,
        "keyHash": grant.key_hash,
        "details": dict(grant.details),
        "spent": grant.spent,
    }


def grant_from(doc: Document) -> Grant:
    return Grant(
        hash=doc["_id"],
        kind=doc["kind"],
        email=doc["email"],
        client_id=doc["clientId"],
        family=doc["family"],
        created_at=doc["createdAt"],
        expires_at=doc["expiresAt"],
        scopes=tuple(doc.get("scopes") or ()),
        resource=doc.get("resource") or "",
        key_hash=doc.get("keyHash") or "",
        details=doc.get("details") or {},
        spent=bool(doc.get("spent")),
    )


class MongoOAuthStore(OAuthStore):
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._clients = db[OAUTH_CLIENTS]
        self._grants = db[OAUTH_GRANTS]

    async def save_client(self, client: OAuthClient) -> None:
        with storage_errors():
            await self._clients.replace_one({"_id": client.client_id}, client_document(client), upsert=True)

    async def get_client(self, client_id: str) -> OAuthClient | None:
        with storage_errors():
            doc = await self._clients.find_one({"_id": client_id})
        return None if doc is None else client_from(doc)

    async def put(self, grant: Grant) -> None:
        with storage_errors():
            await self._grants.replace_one({"_id": grant.hash}, grant_document(grant), upsert=True)

    async def get(self, hash: str, now: datetime) -> Grant | None:
        with storage_errors():
            doc = await self._grants.find_one({"_id": hash})
        return await self._live(doc, now)

    async def take(self, hash: str, now: datetime) -> Grant | None:
        with storage_errors():
            doc = await self._grants.find_one_and_update(
                {"_id": hash}, {"$set": {"spent": True}}, return_document=ReturnDocument.BEFORE
            )
        return await self._live(doc, now)

    async def _live(self, doc: Document | None, now: datetime) -> Grant | None:
        if doc is None:
            return None
        grant = grant_from(doc)
        if grant.expired(now):  # the TTL monitor runs only once a minute
            await self.delete(grant.hash)
            return None
        return grant

    async def delete(self, hash: str) -> bool:
        with storage_errors():
            result = await self._grants.delete_one({"_id": hash})
        return result.deleted_count > 0

    async def delete_family(self, family: str) -> int:
        with storage_errors():
            result = await self._grants.delete_many({"family": family})
        return result.deleted_count

    async def delete_for(self, email: str, client_id: str | None = None) -> int:
        query: Document = {"email": email}
        if client_id is not None:
            query["clientId"] = client_id
        with storage_errors():
            result = await self._grants.delete_many(query)
        return result.deleted_count

    async def list_for(self, email: str, now: datetime) -> tuple[Grant, ...]:
        with storage_errors():
            docs = (
                await self._grants.find({"email": email, "expiresAt": {"$gt": now}})
                .sort("createdAt", ASCENDING)
                .to_list()
            )
        return tuple(grant_from(d) for d in docs)
