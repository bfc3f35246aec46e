"""The OAuth flow through the sign-in page in headless Chromium (docs/oauth.md): the official SDK
OAuth client discovers, registers and sends the user's browser to the authorization URL; the
user types their API key and allows; Chromium follows the redirect back to the client (which the
page's form-action policy must permit), and the client lists and calls tools as that user."""

from __future__ import annotations

import asyncio

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata
from playwright.async_api import Route

from tests.e2e.browser import chromium, recorded_context, unlabelled
from tests.oauth.support import REDIRECT, query_of
from tests.oauth.test_sdk_client import MemoryStorage, add_user, oauth_server

pytestmark = pytest.mark.e2e


async def test_a_user_signs_in_and_allows_a_client_in_chromium() -> None:
    async with (
        oauth_server() as url,
        httpx.AsyncClient(timeout=30.0) as plain,
        chromium() as browser,
        recorded_context(browser) as (context, recorder),
    ):
        email, key = await add_user(plain, url, "user")
        returned: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def callback_route(route: Route) -> None:
            if not returned.done():
                returned.set_result(route.request.url)
            await route.fulfill(status=200, content_type="text/html", body="<p>You can close this window.</p>")

        await context.route(f"{REDIRECT}*", callback_route)  # registered last: wins over the recorder
        page = await context.new_page()
        problems: list[list[str]] = []

        async def redirect_handler(authorization_url: str) -> None:
            await page.goto(authorization_url)
            await page.wait_for_url("**/console/oauth/consent?*")
            problems.append(await unlabelled(page))
            await page.get_by_label("Your API key").fill(key)
            await page.get_by_role("button", name="Allow").click()

        async def callback_handler() -> AuthorizationCodeResult:
            params = query_of(await asyncio.wait_for(returned, 30))
            return AuthorizationCodeResult(code=params["code"], state=params.get("state"), iss=params.get("iss"))

        provider = OAuthClientProvider(
            server_url=f"{url}/mcp",
            client_metadata=OAuthClientMetadata(client_name="browser acceptance", redirect_uris=[REDIRECT]),
            storage=MemoryStorage(),
            redirect_handler=redirect_handler,
            callback_handler=callback_handler,
        )
        async with (
            httpx2.AsyncClient(auth=provider, timeout=httpx2.Timeout(30.0)) as http,
            streamable_http_client(f"{url}/mcp", http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            names = {t.name for t in (await session.list_tools()).tools}
            assert "user-info" in names and "add-tool" not in names  # a plain user's tools
            info = await session.call_tool("user-info", {})
            assert email in info.content[0].text

        assert problems == [[]], "every control on the sign-in page has a label"
        assert recorder.external == [], "the sign-in page loads nothing from elsewhere"
        assert not [e for e in recorder.console_errors if "Content Security Policy" in e]
