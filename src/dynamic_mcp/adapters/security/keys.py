"""API keys: random UUID-4 strings, stored as SHA-256 digests (ADR 0003)."""

from __future__ import annotations

import hashlib
import uuid

from dynamic_mcp.domain.users import ApiKeyDigest, IssuedKey, key_prefix
from dynamic_mcp.ports.auth import KeyHasher, KeyIssuer


class Sha256KeyHasher(KeyHasher):
    """Unsalted SHA-256 is enough for 122-bit random keys and lets a key be found by its digest."""

    def digest(self, plain_key: str) -> ApiKeyDigest:
        return ApiKeyDigest(hash=hashlib.sha256(plain_key.encode("utf-8")).hexdigest(), prefix=key_prefix(plain_key))


class UuidKeyIssuer(KeyIssuer):
    def __init__(self, hasher: KeyHasher) -> None:
        self._hasher = hasher

    def issue(self, plain_key: str | None = None) -> IssuedKey:
        plain = plain_key or str(uuid.uuid4())
        return IssuedKey(plain=plain, digest=self._hasher.digest(plain))
