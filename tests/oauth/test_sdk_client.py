"""The official Python SDK's OAuth client against a real server on a loopback port, in this
process (docs/oauth.md): discovery from the 401, dynamic registration, authorization with PKCE
(the test posts the sign-in form as the user's browser would), token, refresh, then tools as that
user. Nothing that could be replayed reaches any log record, even at debug level."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

from dynamic_mcp.api import DynamicMcpServer
from dynamic_mcp.config import Settings
from tests.integration.harness import ADMIN_EMAIL, ADMIN_KEY, free_port
from tests.oauth.support import REDIRECT, hidden, query_of

pytestmark = pytest.mark.integration
CLIENT_LOGGERS = ("httpcore", "httpx", "mcp.client")  # also httpcore2, httpx2


class MemoryStorage:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


class Browser:
    """The user's browser: follows the authorization URL to the sign-in page and posts it."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.result: AuthorizationCodeResult | None = None
        self.seen: list[str] = []

    async def redirect(self, authorization_url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=False, timeout=30.0) as browser:
            started = await browser.get(authorization_url)
            assert started.status_code == 302, started.text
            page = await browser.get(started.headers["location"])
            assert page.status_code == 200 and "Allow access" in page.text
            form = {
                "csrf_token": hidden(page.text, "csrf_token"),
                "request": hidden(page.text, "request"),
                "api_key": self.api_key,
                "decision": "approve",
            }
            approved = await browser.post(str(page.url.copy_with(query=None)), data=form)
            assert approved.status_code == 303, approved.text
            location = approved.headers["location"]
            assert location.startswith(REDIRECT)
            params = query_of(location)
            self.seen += [params["code"], hidden(page.text, "request")]
            self.result = AuthorizationCodeResult(code=params["code"], state=params.get("state"), iss=params.get("iss"))

    async def callback(self) -> AuthorizationCodeResult:
        assert self.result is not None
        return self.result


@contextlib.asynccontextmanager
async def oauth_server() -> AsyncIterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        admin_email=ADMIN_EMAIL,
        admin_api_key=ADMIN_KEY,
        port=port,
        server_url=url,
        oauth_enabled=True,
        rate_limit_tool_calls=0,
        rate_limit_api=0,
        rate_limit_sessions=0,
    )
    server = DynamicMcpServer(settings=settings)
    await server.start(host="127.0.0.1", port=port)
    try:
        yield url
    finally:
        await server.stop()


async def add_user(http: httpx.AsyncClient, url: str, role: str) -> tuple[str, str]:
    email = f"{role}-{time.monotonic_ns()}@example.com"
    created = await http.post(
        f"{url}/api/v1/users", json={"email": email, "roles": [role]}, headers={"x-apikey": ADMIN_KEY}
    )
    assert created.status_code == 201, created.text
    return email, str(created.json()["apiKey"])


async def test_the_sdk_oauth_client_signs_in_refreshes_and_uses_the_users_tools(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with oauth_server() as url, httpx.AsyncClient(timeout=30.0) as plain:
        await _flow(url, plain, caplog)


async def _flow(url: str, plain: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    email, key = await add_user(plain, url, "power-user")
    tool = {
        "name": "oauth-echo",
        "description": "echo",
        "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
        "handler": {"type": "echo", "config": {}},
    }
    assert (await plain.post(f"{url}/api/v1/tools", json=tool, headers={"x-apikey": key})).status_code == 201
    browser, storage = Browser(key), MemoryStorage()
    provider = OAuthClientProvider(
        server_url=f"{url}/mcp",
        client_metadata=OAuthClientMetadata(client_name="sdk acceptance", redirect_uris=[REDIRECT]),
        storage=storage,
        redirect_handler=browser.redirect,
        callback_handler=browser.callback,
    )
    async with (
        httpx2.AsyncClient(auth=provider, timeout=httpx2.Timeout(30.0)) as http,
        streamable_http_client(f"{url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        assert storage.client is not None and storage.client.client_id  # registered dynamically
        first = storage.tokens
        assert first is not None and first.scope == "mcp" and first.refresh_token
        names = {t.name for t in (await session.list_tools()).tools}
        assert "oauth-echo" in names and "user-info" in names
        assert "add-user" not in names  # a power user's tools, not an admin's
        info = await session.call_tool("user-info", {})
        assert email in info.content[0].text
        echoed = await session.call_tool("oauth-echo", {"text": "hello"})
        assert "hello" in echoed.content[0].text and not echoed.is_error

        provider.context.token_expiry_time = time.time() - 1  # the client refreshes before its next request
        again = await session.call_tool("user-info", {})
        assert email in again.content[0].text
        second = storage.tokens
        assert second is not None
        assert second.access_token != first.access_token and second.refresh_token != first.refresh_token

    old = await plain.post(
        f"{url}/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}},
        headers={"authorization": f"Bearer {first.access_token}", "accept": "application/json, text/event-stream"},
    )
    assert old.status_code == 401  # rotated out by the refresh
    listed = (await plain.get(f"{url}/api/v1/me/oauth-clients", headers={"x-apikey": key})).json()["clients"]
    assert [c["clientName"] for c in listed] == ["sdk acceptance"]

    secrets_seen = [first.access_token, first.refresh_token, second.access_token, second.refresh_token, key]
    secrets_seen += [*browser.seen, storage.client.client_secret or "no-secret"]
    # The test's own HTTP clients (httpcore, httpx, the SDK client) log their traffic at debug level;
    # the server's loggers (dynamic_mcp, mcp.server, uvicorn, litestar) must never hold a secret.
    server_records = [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]
    assert any(r.name.startswith("dynamic_mcp") for r in server_records)
    for secret in secrets_seen:
        leaks = [r.name for r in server_records if secret in f"{r.getMessage()} {r.__dict__}"]
        assert secret and not leaks, leaks
