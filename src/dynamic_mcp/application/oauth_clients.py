"""OAuth clients (docs/oauth.md): registered dynamically (RFC 7591, rate limited per address) or
known by an https ``client_id`` whose Client ID Metadata Document is fetched through the outbound
guard of http tools and kept for a few minutes."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from dynamic_mcp.application.audit import AuditRecorder
from dynamic_mcp.application.limits import RateLimitService
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.oauth import OAuthClient
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.oauth import ClientDocumentFetcher, OAuthStore

DOCUMENT_SECONDS = 300.0
MAX_CACHED_DOCUMENTS = 1_000
MAX_REDIRECT_URIS = 20
KEPT_FIELDS = ("client_name", "client_uri", "logo_uri", "scope", "software_id", "software_version")


def is_metadata_url(client_id: str) -> bool:
    """An https URL with a path: a Client ID Metadata Document names the client."""
    try:
        parts = urlsplit(client_id)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and parts.path not in ("", "/")


def client_from_document(url: str, document: Mapping[str, Any], clock: Clock) -> OAuthClient:
    """Validate a fetched metadata document: it must name itself, list redirect URIs, and be a
    public client (no secret can be proven by a document anyone may read)."""
    if document.get("client_id") != url:
        raise Invalid("The client metadata document's client_id is not the URL it was fetched from")
    uris = document.get("redirect_uris")
    if not isinstance(uris, list) or not uris or len(uris) > MAX_REDIRECT_URIS:
        raise Invalid(f"The client metadata document must list 1 to {MAX_REDIRECT_URIS} redirect_uris")
    if not all(isinstance(u, str) and urlsplit(u).scheme for u in uris):
        raise Invalid("The client metadata document's redirect_uris must be absolute URIs")
    method = document.get("token_endpoint_auth_method", "none")
    if method not in (None, "none"):
        raise Invalid("A client known by a metadata document must use token_endpoint_auth_method 'none'")
    kept: dict[str, Any] = {k: document[k] for k in KEPT_FIELDS if isinstance(document.get(k), str)}
    kept.update(
        client_id=url,
        redirect_uris=list(uris),
        token_endpoint_auth_method="none",  # noqa: S106 (a method name)
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
    )
    return OAuthClient(client_id=url, document=kept, created_at=clock.now())


class ClientDirectory:
    def __init__(
        self,
        store: OAuthStore,
        clock: Clock,
        fetcher: ClientDocumentFetcher | None,
        *,
        limits: RateLimitService | None = None,
        registrations_per_minute: int = 20,
        audit: AuditRecorder | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._clock = clock
        self._fetcher = fetcher
        self._limits = limits
        self._per_minute = registrations_per_minute
        self._audit = audit
        self._monotonic = monotonic
        self._documents: OrderedDict[str, tuple[float, OAuthClient]] = OrderedDict()

    async def check_registration(self, address: str) -> None:
        """RateLimited when this address registered too many clients in the last minute."""
        if self._limits is not None:
            await self._limits.check_key("oauth_register", address, self._per_minute)

    async def register(self, client_id: str, document: Mapping[str, Any], secret: str | None) -> None:
        kept = {k: v for k, v in document.items() if k != "client_secret"}
        secret_hash = hashlib.sha256(secret.encode()).hexdigest() if secret else None
        await self._store.save_client(OAuthClient(client_id, kept, self._clock.now(), secret_hash))
        if self._audit is not None:
            self._audit.record("oauth.register", "ok", 0.0, door="oauth")

    async def get(self, client_id: str, *, fetch: bool = True) -> OAuthClient | None:
        """A registered client, or a metadata-document client (fetched when ``fetch``; Invalid or
        Forbidden when its document cannot be had)."""
        if not is_metadata_url(client_id):
            return await self._store.get_client(client_id)
        cached = self._documents.get(client_id)
        if cached is not None and cached[0] > self._monotonic():
            return cached[1]
        if not fetch:
            return None
        if self._fetcher is None:
            raise Invalid("Client ID Metadata Documents are not accepted by this server")
        client = client_from_document(client_id, await self._fetcher.fetch(client_id), self._clock)
        self._documents[client_id] = (self._monotonic() + DOCUMENT_SECONDS, client)
        while len(self._documents) > MAX_CACHED_DOCUMENTS:
            self._documents.popitem(last=False)
        return client

    @staticmethod
    def secret_matches(client: OAuthClient, secret: str | None) -> bool:
        if client.secret_hash is None:
            return True
        if not secret:
            return False
        return hmac.compare_digest(client.secret_hash, hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest())
