"""Secrets at rest: AES-256-GCM under a key derived from SECRET_KEY (ADR 0030).

A sealed value is ``v1.<base64url(nonce || ciphertext || tag)>``. The record it belongs to (for
example ``credential:<upstream>:<email>``) is the associated data, so a sealed value copied into
another record fails to open instead of handing over someone else's secret.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.ports.upstreams import SecretBox

VERSION = "v1."
NONCE_BYTES = 12
_INFO = b"dynamic-mcp secrets at rest v1"


def derive_key(secret_key: str) -> bytes:
    """32 bytes from SECRET_KEY through HKDF-SHA256, so any passphrase length gives a full AES key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode("utf-8"))


class AesGcmSecretBox(SecretBox):
    def __init__(self, secret_key: str | None) -> None:
        self._aead = AESGCM(derive_key(secret_key)) if secret_key else None

    @property
    def available(self) -> bool:
        return self._aead is not None

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            raise Invalid("SECRET_KEY is not set: secrets cannot be stored or read (docs/configuration.md)")
        return self._aead

    def seal(self, plain: str, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._cipher().encrypt(nonce, plain.encode("utf-8"), context.encode("utf-8"))
        return VERSION + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, context: str) -> str:
        cipher = self._cipher()
        if not sealed.startswith(VERSION):
            raise Invalid("A stored secret has an unknown format")
        try:
            raw = base64.urlsafe_b64decode(sealed[len(VERSION) :].encode("ascii"))
            plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8"))
        except (InvalidTag, ValueError):
            raise Invalid("A stored secret cannot be opened: SECRET_KEY changed or the record was altered") from None
        return plain.decode("utf-8")
