"""MongoDB user repository (docs/access.md).

Every change is one single-document update (update operators or an update pipeline), so
concurrent changes to one user never lose each other (no read-modify-write in Python).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from dynamic_mcp.adapters.mongo.client import USERS
from dynamic_mcp.adapters.mongo.errors import duplicate_key_fields, storage_errors
from dynamic_mcp.adapters.mongo.mappers import (
    API_KEY_HASH,
    API_KEY_PREFIX,
    LEGACY_API_KEY,
    USER_FIELDS,
    Document,
    field_changes,
    share_to_document,
    user_from_document,
    user_to_document,
)
from dynamic_mcp.adapters.mongo.updates import AFTER, literal, set_and_unset, with_times
from dynamic_mcp.domain.errors import Conflict, NotFound
from dynamic_mcp.domain.sharing import Share, ShareKind
from dynamic_mcp.domain.users import ApiKeyDigest, User
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.repositories import UserFields, UserRepository

# the User attribute holding each kind's shares / hidden ids (document keys via USER_FIELDS)
_SHARES = {ShareKind.TOOL: "shared_tools", ShareKind.RESOURCE: "shared_resources"}
_HIDDEN = {ShareKind.TOOL: "hidden_tools", ShareKind.RESOURCE: "hidden_resources"}
USER_PROJECTION = {LEGACY_API_KEY: 0}  # a not yet migrated plain key never leaves the database


class MongoUserRepository(UserRepository):
    def __init__(self, db: AsyncDatabase[Document], clock: Clock) -> None:
        self._users: AsyncCollection[Document] = db[USERS]
        self._clock = clock

    async def _find_one(self, query: Document) -> User | None:
        with storage_errors():
            doc = await self._users.find_one(query, USER_PROJECTION)
        return user_from_document(doc) if doc is not None else None

    async def _update(self, email: str, update: Document | list[Document], conflict: str | None = None) -> User:
        with storage_errors():
            try:
                doc = await self._users.find_one_and_update(
                    {"email": email}, update, projection=USER_PROJECTION, return_document=AFTER
                )
            except DuplicateKeyError as exc:
                if conflict is None:
                    raise
                raise Conflict(conflict) from exc
        if doc is None:
            raise NotFound(f"User '{email}' not found")
        return user_from_document(doc)

    async def get(self, email: str) -> User | None:
        return await self._find_one({"email": email})

    async def get_by_key_hash(self, key_hash: str) -> User | None:
        return await self._find_one({API_KEY_HASH: key_hash})

    async def list_users(self, name_contains: str | None = None, skip: int = 0, limit: int | None = None) -> list[User]:
        if limit is not None and limit <= 0:
            return []  # Mongo reads limit 0 as "no limit"
        query: Document = {}
        if name_contains:
            query["name"] = {"$regex": re.escape(name_contains), "$options": "i"}
        with storage_errors():
            cursor = self._users.find(query, USER_PROJECTION).sort("email", 1).skip(max(skip, 0))
            if limit is not None:
                cursor = cursor.limit(limit)
            docs = await cursor.to_list()
        return [user_from_document(doc) for doc in docs]

    async def add(self, user: User) -> User:
        stored = with_times(user, self._clock.now())
        with storage_errors():
            try:
                await self._users.insert_one(user_to_document(stored))
            except DuplicateKeyError as exc:
                if API_KEY_HASH in duplicate_key_fields(exc):
                    raise Conflict("API key already in use") from exc
                raise Conflict(f"User '{user.email}' already exists") from exc
        return stored

    async def update_fields(self, email: str, fields: UserFields) -> User:
        changes = fields.given()
        to_set, to_unset = field_changes(User, changes, USER_FIELDS)
        to_set["updatedAt"] = self._clock.now()
        return await self._update(email, set_and_unset(to_set, to_unset))

    async def set_api_key(self, email: str, digest: ApiKeyDigest) -> User:
        update = {"$set": {API_KEY_HASH: digest.hash, API_KEY_PREFIX: digest.prefix, "updatedAt": self._clock.now()}}
        return await self._update(email, update, conflict="API key already in use")

    async def put_share(self, email: str, share: Share, kind: ShareKind = ShareKind.TOOL) -> User:
        key = USER_FIELDS[_SHARES[kind]]
        same = {
            "$and": [
                {"$eq": ["$$s.toolId", literal(share.tool_id)]},
                {"$eq": ["$$s.sharedBy", literal(share.shared_by)]},
            ]
        }
        kept = {"$filter": {"input": {"$ifNull": [f"${key}", []]}, "as": "s", "cond": {"$not": [same]}}}
        shares = {"$concatArrays": [kept, literal([share_to_document(share)])]}
        return await self._update(email, [{"$set": {key: shares, "updatedAt": literal(self._clock.now())}}])

    async def remove_shares(
        self, email: str, tool_ids: frozenset[str], shared_by: str | None, kind: ShareKind = ShareKind.TOOL
    ) -> User:
        match: Document = {"toolId": {"$in": sorted(tool_ids)}}
        if shared_by is not None:
            match["sharedBy"] = shared_by
        key = USER_FIELDS[_SHARES[kind]]
        return await self._update(email, {"$pull": {key: match}, "$set": {"updatedAt": self._clock.now()}})

    async def add_hidden(self, email: str, tool_ids: Sequence[str], kind: ShareKind = ShareKind.TOOL) -> User:
        key = USER_FIELDS[_HIDDEN[kind]]
        update = {"$addToSet": {key: {"$each": list(tool_ids)}}, "$set": {"updatedAt": self._clock.now()}}
        return await self._update(email, update)

    async def remove_hidden(self, email: str, tool_ids: Sequence[str], kind: ShareKind = ShareKind.TOOL) -> User:
        key = USER_FIELDS[_HIDDEN[kind]]
        update = {"$pull": {key: {"$in": list(tool_ids)}}, "$set": {"updatedAt": self._clock.now()}}
        return await self._update(email, update)

    async def remove_hidden_everywhere(self, tool_id: str) -> list[str]:
        query = {"hiddenTools": tool_id}
        with storage_errors():
            emails = [doc["email"] for doc in await self._users.find(query, {"email": 1}).sort("_id", 1).to_list()]
            if emails:
                pull = {"$pull": {"hiddenTools": tool_id}, "$set": {"updatedAt": self._clock.now()}}
                await self._users.update_many(query, pull)
        return emails

    async def forget_tools_everywhere(self, tool_ids: frozenset[str]) -> list[str]:
        ids = sorted(tool_ids)
        if not ids:
            return []
        query = {"$or": [{"hiddenTools": {"$in": ids}}, {"sharedTools.toolId": {"$in": ids}}]}
        pull = {
            "$pull": {"hiddenTools": {"$in": ids}, "sharedTools": {"toolId": {"$in": ids}}},
            "$set": {"updatedAt": self._clock.now()},
        }
        with storage_errors():
            emails = [doc["email"] for doc in await self._users.find(query, {"email": 1}).sort("_id", 1).to_list()]
            if emails:
                await self._users.update_many(query, pull)
        return emails

    async def set_app_params(self, email: str, app_key: str, params: Mapping[str, Any] | None) -> User:
        current = {"$ifNull": ["$applicationAuthentication", {}]}
        value = dict(params) if params is not None else None
        merged = {"$setField": {"field": literal(app_key), "input": current, "value": literal(value)}}
        stage = {"$set": {"applicationAuthentication": merged, "updatedAt": literal(self._clock.now())}}
        return await self._update(email, [stage])

    async def delete(self, email: str) -> bool:
        with storage_errors():
            result = await self._users.delete_one({"email": email})
        return result.deleted_count > 0
