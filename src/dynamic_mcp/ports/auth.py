"""Key material ports (docs/access.md)."""

from __future__ import annotations

from typing import Protocol

from dynamic_mcp.domain.users import ApiKeyDigest, IssuedKey


class KeyHasher(Protocol):
    def digest(self, plain_key: str) -> ApiKeyDigest:
        """Hash and display prefix of a key; deterministic so a key can be looked up by hash."""
        ...


class KeyIssuer(Protocol):
    def issue(self, plain_key: str | None = None) -> IssuedKey:
        """A new random key (or the operator-chosen ``plain_key``) with its digest."""
        ...
