"""The console in headless Chromium against a real server process, with an official SDK client
holding a live MCP session for the recipient of a share."""

from __future__ import annotations

import json
import re

import anyio
import httpx
import pytest

from tests.e2e.browser import PHONE, chromium, low_contrast, recorded_context, sign_in, unlabelled
from tests.integration.harness import ADMIN_KEY, TOOLS_CHANGED, ServerProcess, connect

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RECIPIENT = "robin@example.com"
GREET = {
    "name": "greet-from-console",
    "description": "Say hello",
    "inputSchema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
    "handler": {"type": "echo", "config": {"message": "Hello {{name}}"}},
    "rolesPermitted": ["admin"],
}
TOOL_ID = f"admin@example.com:{GREET['name']}"


async def test_sign_in_add_user_create_share_notify_hide_sign_out(server: ServerProcess) -> None:
    base = server.url
    async with chromium() as browser, recorded_context(browser) as (context, recorder):
        page = await context.new_page()
        await sign_in(page, base, ADMIN_KEY)

        cookies = {c["name"]: c for c in await context.cookies()}
        session = cookies["dmcp_console"]
        assert session["httpOnly"] and session["sameSite"] == "Strict" and session["path"] == "/console"
        assert ADMIN_KEY not in session["value"] and not session["secure"]  # http here
        assert ADMIN_KEY not in await page.content()

        # Add a user: the key is shown once, with a copy button.
        await page.get_by_role("link", name="Users", exact=True).click()
        await page.get_by_label("Email").fill(RECIPIENT)
        await page.get_by_role("button", name="Add user").click()
        key = (await page.locator("#issued-key").inner_text()).strip()
        await page.get_by_role("button", name="Copy key").click()
        await page.get_by_text("Copied to the clipboard.").wait_for()
        assert RECIPIENT in await page.locator("#users-table").inner_text()

        async with connect(base, key, client_name="e2e-recipient") as recipient:
            assert GREET["name"] not in await recipient.tool_names()

            # Create a tool in the JSON editor; the live check explains a syntax error inline.
            await page.get_by_role("link", name="Tools", exact=True).click()
            await page.get_by_role("link", name="New tool").click()
            await page.wait_for_url(f"{base}/console/tools/new")
            await page.wait_for_function("() => window.htmx !== undefined")  # the live check is wired
            editor = page.get_by_label("Tool definition (JSON)")
            await editor.fill('{"name": "broken",\n  "inputSchema": }')
            await page.locator("#editor-problems li").get_by_text("Line 2, column 18").wait_for()
            await editor.fill(json.dumps(GREET, indent=2))
            await page.get_by_text("matches the schema").wait_for()
            await page.get_by_role("button", name="Save").click()
            await page.get_by_text("The tool was saved").wait_for()

            # Share it; the recipient's live SDK session hears list_changed and now lists it.
            await page.get_by_label("Share with (email)").fill(RECIPIENT)
            await page.get_by_role("button", name="Share", exact=True).click()
            await page.get_by_text("The tool was shared").wait_for()
            assert await recipient.wait_for(TOOLS_CHANGED, timeout=20)
            assert GREET["name"] in await recipient.tool_names()

            # CSRF: the same browser, signed in, but a request without the token is refused.
            logged = len(recorder.console_errors)
            status = await page.evaluate(
                """() => fetch('/console/my-tools/hide', {method: 'POST',
                     body: new URLSearchParams({tool_id: 'x:y'})}).then(r => r.status)"""
            )
            assert status == 403
            expected = recorder.console_errors[logged:]  # the browser logs the refused fetch itself
            assert all("403" in e for e in expected)
            del recorder.console_errors[logged:]

            await page.get_by_role("button", name="Sign out").click()
            await page.get_by_text("You are signed out.").wait_for()

            # The recipient hides it; their MCP session is told again and no longer lists it.
            await sign_in(page, base, key)
            seen = recipient.count(TOOLS_CHANGED)
            await page.get_by_role("button", name=f"Hide {TOOL_ID}").click()
            await page.get_by_text("Hidden from your MCP tool list.").wait_for()
            assert await recipient.wait_for(TOOLS_CHANGED, at_least=seen + 1, timeout=20)
            assert GREET["name"] not in await recipient.tool_names()

            await page.get_by_role("button", name="Sign out").click()
            await page.get_by_text("You are signed out.").wait_for()
            await page.goto(f"{base}/console/my-tools")
            assert "/console/sign-in" in page.url

        assert recorder.console_errors == []
        assert recorder.external == [] and recorder.hosts == {"127.0.0.1"}

    async with httpx.AsyncClient(base_url=base) as plain:  # no cookie at all
        assert (await plain.get("/console/users")).status_code == 303
        assert (await plain.post("/console/users", data={"email": "x@example.com"})).status_code == 401


ADMIN_PAGES = (
    "my-tools",
    "tools",
    "tools/new",
    f"tools/{TOOL_ID}",
    f"tools/{TOOL_ID}/edit",
    "prompts",
    "prompts/new",
    "users",
    "connect",
    "my-key",
)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
async def test_pages_make_no_external_requests_log_no_errors_and_label_every_input(
    server: ServerProcess, viewport: dict[str, int] | None
) -> None:
    async with (
        chromium() as browser,
        recorded_context(browser, **({"viewport": viewport} if viewport else {})) as (
            context,
            recorder,
        ),
    ):
        async with httpx.AsyncClient(base_url=server.url, headers={"x-apikey": ADMIN_KEY}) as api:
            (await api.post("/api/v1/tools", json=GREET)).raise_for_status()  # the tool page below
        page = await context.new_page()
        # Keyboard only: the key field has focus on arrival, Enter submits.
        await page.goto(f"{server.url}/console/")
        signing_in = [*await unlabelled(page), *await low_contrast(page)]
        assert signing_in == [], signing_in
        if viewport:
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
        await page.keyboard.type(ADMIN_KEY)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{server.url}/console/my-tools")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
        # The users table follows the search box as one types (htmx), without a page load.
        await page.goto(f"{server.url}/console/users")
        await page.wait_for_function("() => window.htmx !== undefined")
        await page.get_by_label("Search users").press_sequentially("admin@")
        await page.locator("#users-table caption").get_by_text("1 user matching").wait_for()
        problems: dict[str, list[str]] = {}
        for path in (*ADMIN_PAGES, *EXTRA_PAGES):
            response = await page.goto(f"{server.url}/console/{path}")
            assert response is not None and response.status == 200, (path, response and response.status)
            await page.wait_for_load_state("networkidle")
            missing = [*await unlabelled(page), *await low_contrast(page)]
            if missing:
                problems[path] = missing
            if viewport:  # nothing wider than a phone: no sideways scrolling of the page itself
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"] + 1, (path, width)
        await page.goto(f"{server.url}/schema")
        await page.locator(".swagger-ui .info .title").wait_for(timeout=30_000)
        with anyio.move_on_after(5):
            await page.wait_for_load_state("networkidle")
        assert problems == {}
        assert recorder.console_errors == []
        assert recorder.external == [], recorder.external
        assert recorder.hosts == {"127.0.0.1"}


EXTRA_PAGES = ("sessions", "health", "audit")


async def test_an_admin_sees_a_live_sdk_session_and_closes_it(server: ServerProcess) -> None:
    async with (
        httpx.AsyncClient(base_url=server.url) as web,
        connect(server.url, ADMIN_KEY, client_name="e2e-doomed") as mcp,
    ):
        token = re.search(r'name="csrf_token" value="([^"]+)"', (await web.get("/console/sign-in")).text)
        assert token
        await web.post("/console/sign-in", data={"api_key": ADMIN_KEY, "csrf_token": token.group(1)})
        listing = await web.get("/console/sessions")
        assert "e2e-doomed 1.0" in listing.text
        handle = re.search(r'name="handle" value="([0-9a-f]+)"', listing.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', listing.text)
        assert handle and csrf
        closed = await web.post(
            "/console/sessions/close", data={"handle": handle.group(1), "csrf_token": csrf.group(1)}
        )
        assert closed.status_code == 303
        with pytest.raises(Exception):
            with anyio.fail_after(20):
                await mcp.session.list_tools()
        assert "e2e-doomed" not in (await web.get("/console/sessions")).text
