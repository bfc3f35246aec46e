"""Is MongoDB answering? For the admin's Health page (the deep /health check's question)."""

from __future__ import annotations

from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.mongo.client import Document, ping
from dynamic_mcp.ports.live_sessions import StorageProbe

PROBE_SECONDS = 2.0


class MongoStorageProbe(StorageProbe):
    def __init__(self, client: AsyncMongoClient[Document]) -> None:
        self._client = client

    async def check(self) -> None:
        await ping(self._client, PROBE_SECONDS)
