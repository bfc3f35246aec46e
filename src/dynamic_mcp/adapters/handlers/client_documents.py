"""Fetching OAuth Client ID Metadata Documents through the outbound guard of http tools
(docs/oauth.md): the host must resolve to public addresses only (or be listed in
HTTP_TOOL_ALLOWED_HOSTS), the connection goes to the checked address, no redirect is followed,
and the answer is small JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from dynamic_mcp.adapters.handlers.outbound import OutboundPolicy
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.ports.oauth import ClientDocumentFetcher

TIMEOUT_SECONDS = 5.0
MAX_DOCUMENT_BYTES = 65_536


class HttpClientDocumentFetcher(ClientDocumentFetcher):
    def __init__(self, policy: OutboundPolicy, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._policy = policy
        self._transport = transport

    async def fetch(self, url: str) -> Mapping[str, Any]:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise Invalid("A client metadata document URL must be https")
        try:
            port = parts.port or 443
        except ValueError:
            raise Invalid("The client metadata document URL has an invalid port") from None
        address = await self._policy.resolve(parts.hostname, port)  # Forbidden for private addresses
        host = f"[{address}]" if ":" in address else address
        pinned = urlunsplit(("https", f"{host}:{port}", parts.path, parts.query, ""))
        headers = {"host": parts.netloc.rsplit("@", 1)[-1], "accept": "application/json"}
        async with httpx.AsyncClient(
            timeout=TIMEOUT_SECONDS, follow_redirects=False, transport=self._transport
        ) as client:
            request = client.build_request("GET", pinned, headers=headers)
            request.extensions["sni_hostname"] = parts.hostname
            try:
                async with asyncio.timeout(TIMEOUT_SECONDS):
                    response = await client.send(request, stream=True)
                    try:
                        body = await _read_capped(response)
                    finally:
                        await response.aclose()
            except (httpx.HTTPError, TimeoutError) as exc:
                raise Invalid(f"The client metadata document could not be fetched ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise Invalid(f"The client metadata document URL answered HTTP {response.status_code}")
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            raise Invalid("The client metadata document is not JSON") from None
        if not isinstance(document, dict):
            raise Invalid("The client metadata document is not a JSON object")
        return document


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_DOCUMENT_BYTES:
            raise Invalid(f"The client metadata document is larger than {MAX_DOCUMENT_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
