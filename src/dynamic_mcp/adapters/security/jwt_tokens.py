"""Verifying an external identity provider's JWTs with PyJWT (ADR 0025): signature by a key from
the provider's JWKS (cached; an unknown ``kid`` fetches the set again, so key rotation needs no
restart), then ``iss``, ``aud``, ``exp`` and ``nbf``. The JWKS is fetched without blocking the
event loop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx
import jwt

from dynamic_mcp.ports.oauth import JwtVerifier

log = logging.getLogger(__name__)

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
CACHE_SECONDS = 300.0
# An unknown kid fetches the set again (a rotation), but one kid at most every 30 s and any kid
# at most once a second, so tokens with made-up kids cannot hammer the provider.
KID_RETRY_SECONDS = 30.0
MIN_REFETCH_SECONDS = 1.0
MAX_TRIED_KIDS = 1_000
LEEWAY_SECONDS = 30
TIMEOUT_SECONDS = 5.0


class JwksVerifier(JwtVerifier):
    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_url: str = "",
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        monotonic: Any = time.monotonic,
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._jwks_url = jwks_url
        self._transport = transport
        self._monotonic = monotonic
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched = -float("inf")
        self._tried: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def claims(self, token: str) -> Mapping[str, Any] | None:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        kid = header.get("kid")
        key = await self._key(kid if isinstance(kid, str) else "")
        if key is None:
            return None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[key.algorithm_name] if key.algorithm_name in ALGORITHMS else ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            log.info("bearer JWT refused: %s", type(exc).__name__)  # never the token itself
            return None
        return claims

    async def _key(self, kid: str) -> jwt.PyJWK | None:
        if self._monotonic() - self._fetched > CACHE_SECONDS or (
            kid and kid not in self._keys and self._may_retry(kid)
        ):
            async with self._lock:
                if self._monotonic() - self._fetched > MIN_REFETCH_SECONDS:
                    await self._refresh()
        if kid:
            return self._keys.get(kid)
        return next(iter(self._keys.values())) if len(self._keys) == 1 else None

    def _may_retry(self, kid: str) -> bool:
        now = self._monotonic()
        if now - self._fetched <= MIN_REFETCH_SECONDS or now - self._tried.get(kid, -float("inf")) <= KID_RETRY_SECONDS:
            return False
        if len(self._tried) >= MAX_TRIED_KIDS:
            self._tried.clear()
        self._tried[kid] = now
        return True

    async def _refresh(self) -> None:
        self._fetched = self._monotonic()
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, transport=self._transport) as client:
                url = self._jwks_url or await self._discover(client)
                response = await client.get(url)
                response.raise_for_status()
                keys = jwt.PyJWKSet.from_dict(response.json()).keys
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            log.warning("the identity provider's JWKS could not be fetched: %s", type(exc).__name__)
            return  # keep the keys we had
        self._keys = {k.key_id or f"key-{i}": k for i, k in enumerate(keys)}

    async def _discover(self, client: httpx.AsyncClient) -> str:
        base = self._issuer.rstrip("/")
        for path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
            response = await client.get(base + path)
            if response.status_code == 200:
                uri = response.json().get("jwks_uri")
                if isinstance(uri, str) and uri:
                    self._jwks_url = uri
                    return uri
        raise ValueError("no jwks_uri in the provider's metadata")
