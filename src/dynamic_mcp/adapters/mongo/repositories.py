"""The MongoDB repositories, behaving exactly like the in-memory ones (docs/access.md)."""

from __future__ import annotations

from dynamic_mcp.adapters.mongo.catalog import MongoPromptRepository, MongoToolRepository
from dynamic_mcp.adapters.mongo.users import MongoUserRepository

__all__ = ["MongoPromptRepository", "MongoToolRepository", "MongoUserRepository"]
