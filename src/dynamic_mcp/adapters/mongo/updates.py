"""Building blocks for MongoDB updates shared by the repositories."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import attrs
from pymongo import ReturnDocument

from dynamic_mcp.adapters.mongo.mappers import Document
from dynamic_mcp.domain.errors import StorageUnavailable
from dynamic_mcp.domain.prompts import Prompt
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User

R = TypeVar("R", User, Tool, Prompt, Resource)
AFTER = ReturnDocument.AFTER


def literal(value: Any) -> dict[str, Any]:
    """A constant inside an aggregation expression: strings starting with ``$`` stay strings."""
    return {"$literal": value}


def set_and_unset(to_set: Document, to_unset: Document) -> Document:
    update: Document = {"$set": to_set}
    if to_unset:
        update["$unset"] = to_unset
    return update


def with_times(record: R, now: datetime) -> R:
    """Fill createdAt/updatedAt the caller left empty, as the in-memory store does."""
    return attrs.evolve(record, created_at=record.created_at or now, updated_at=record.updated_at or now)


def replace_keeping_created(doc: Document, created: Any) -> list[Document]:
    """Update pipeline: replace the document by ``doc`` but keep a stored createdAt (upserts)."""
    keep_created = {"createdAt": {"$ifNull": ["$createdAt", literal(created)]}}
    return [{"$replaceWith": {"$mergeObjects": [literal(doc), keep_created]}}]


def upserted(doc: Document | None) -> Document:
    if doc is None:  # an upsert returning the new document always has one
        raise StorageUnavailable("Storage is unavailable: the database returned no document for an upsert")
    return doc
