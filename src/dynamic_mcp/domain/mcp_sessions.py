"""Handshake-era MCP sessions as stored records, so any instance can serve any session.

A record says who owns the session and what the client declared when it initialized, which is
all an instance needs to rebuild the session in its initialized state. The session id is a
credential while the session lasts: stores key records by its SHA-256 digest, never the id itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs


def session_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


@attrs.frozen
class StoredSession:
    key: str
    email: str
    protocol_version: str
    client_params: Mapping[str, Any] | None  # the initialize params as the client sent them (JSON)
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime | None  # None: no idle timeout
    instance: str | None = None  # the instance that last recorded a use (opened or served it)
    id_prefix: str = ""  # the first characters of the id, as logs and audit entries show them

    @property
    def client(self) -> str:
        """The client's name and version as it declared them when it initialized."""
        info = (self.client_params or {}).get("clientInfo")
        if not isinstance(info, Mapping):
            return "unknown-client"
        return f"{info.get('name') or 'unknown-client'} {info.get('version') or ''}".strip()

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


def expiry(now: datetime, idle_timeout_seconds: int) -> datetime | None:
    return now + timedelta(seconds=idle_timeout_seconds) if idle_timeout_seconds > 0 else None
