"""The MongoDB repositories, behaving exactly like the in-memory ones (SPEC §2)."""

from __future__ import annotations

from dynamic_mcp.adapters.mongo.catalog import MongoPromptRepository, MongoToolRepository
from dynamic_mcp.adapters.mongo.users import MongoUserRepository

__all__ = ["MongoPromptRepository", "MongoToolRepository", "MongoUserRepository"]
