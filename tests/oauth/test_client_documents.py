"""Client ID Metadata Documents (docs/oauth.md): fetched through the outbound guard, pinned to the
checked address with the original Host and SNI, validated, and kept for a few minutes."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from dynamic_mcp.adapters.handlers.client_documents import HttpClientDocumentFetcher
from dynamic_mcp.adapters.handlers.outbound import OutboundPolicy
from dynamic_mcp.adapters.memory.oauth import InMemoryOAuthStore
from dynamic_mcp.application.oauth_clients import ClientDirectory
from dynamic_mcp.domain.errors import Forbidden, Invalid

URL = "https://localhost/oauth/client.json"


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)


def directory(
    document: dict[str, object], seen: list[httpx.Request], allowed: tuple[str, ...] = ("localhost",)
) -> ClientDirectory:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=document)

    fetcher = HttpClientDocumentFetcher(OutboundPolicy.from_entries(allowed), transport=httpx.MockTransport(answer))
    return ClientDirectory(InMemoryOAuthStore(), Clock(), fetcher)


async def test_a_document_naming_itself_becomes_a_public_client_and_is_cached() -> None:
    seen: list[httpx.Request] = []
    clients = directory(
        {"client_id": URL, "client_name": "Doc client", "redirect_uris": ["https://app.example/cb"]}, seen
    )
    client = await clients.get(URL)
    assert client is not None and client.name == "Doc client"
    assert client.redirect_uris == ("https://app.example/cb",)
    assert client.document["token_endpoint_auth_method"] == "none" and client.secret_hash is None
    assert await clients.get(URL) == client
    assert len(seen) == 1  # kept, not fetched again
    request = seen[0]
    assert request.url.host == "127.0.0.1" and request.headers["host"] == "localhost"
    assert request.extensions["sni_hostname"] == "localhost"


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"client_id": "https://elsewhere.example/c.json", "redirect_uris": ["https://a.example/cb"]}, "client_id"),
        ({"client_id": URL}, "redirect_uris"),
        (
            {
                "client_id": URL,
                "redirect_uris": ["https://a.example/cb"],
                "token_endpoint_auth_method": "client_secret_post",
            },
            "none",
        ),
    ],
)
async def test_a_document_that_does_not_fit_is_refused(document: dict[str, object], reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        await directory(document, []).get(URL)


async def test_without_an_allowance_a_loopback_host_is_refused_before_any_request() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(Forbidden, match="non-public"):
        await directory({"client_id": URL, "redirect_uris": ["https://a.example/cb"]}, seen, allowed=()).get(URL)
    assert seen == []
