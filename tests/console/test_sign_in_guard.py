"""Sign-in attempts are rate limited and audited; console actions are audited as door "console"."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.domain.limits import RateLimited
from tests.console.conftest import ADMIN, ADMIN_KEY, Browser, add_user, make_container
from tests.console.test_tools_pages import GREET, create

TOOL = f"{ADMIN}:greet"
WRONG_KEY = "11111111-2222-3333-4444-555555555555"


def rows(page: str) -> list[tuple[str, str, str, str]]:
    """(user, door, action, outcome) of each audit entry shown."""
    body = page.split('id="audit-entries"', 1)[1] if 'id="audit-entries"' in page else ""
    found = re.findall(
        r'<td data-label="User">(.*?)</td>\s*<td data-label="Door">(.*?)</td>\s*'
        r'<td data-label="Action"><code>(.*?)</code></td>\s*<td data-label="Outcome"><span class="tag">(.*?)</span>',
        body,
    )
    return [tuple(html.unescape(cell) for cell in row) for row in found]  # type: ignore[misc]


def attempt(browser: Browser, key: str) -> Any:
    browser.get("/console/sign-in")
    return browser.post("/console/sign-in", {"api_key": key}, follow_redirects=False)


@pytest.fixture
def limited() -> Any:
    with TestClient(create_app(make_container(console_sign_in_rate_limit=3))) as client:
        yield client


def test_sign_in_attempts_beyond_the_limit_get_429_with_retry_after(limited: TestClient[Any]) -> None:
    browser = Browser(limited)
    assert [attempt(browser, WRONG_KEY).status_code for _ in range(3)] == [401, 401, 401]
    refused = attempt(browser, ADMIN_KEY)  # even the right key waits once the address is spent
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "Too many sign-in attempts" in refused.text and 'role="alert"' in refused.text
    assert ADMIN_KEY not in refused.text and "dmcp_console=" not in refused.headers.get("set-cookie", "")


async def test_the_key_bucket_holds_across_addresses() -> None:
    container = make_container(console_sign_in_rate_limit=2)
    await container.lifecycle().start()
    auth = container.console_auth()
    assert await auth.sign_in(WRONG_KEY, "10.0.0.1") is None
    assert await auth.sign_in(WRONG_KEY, "10.0.0.2") is None
    with pytest.raises(RateLimited):
        await auth.sign_in(WRONG_KEY, "10.0.0.3")  # same prefix, a new address
    assert await auth.sign_in(ADMIN_KEY, "10.0.0.4") is not None  # another prefix, another address


def test_sign_ins_are_audited_without_the_key(limited: TestClient[Any]) -> None:
    stranger = Browser(limited)
    attempt(stranger, WRONG_KEY)
    admin = Browser(limited)
    admin.sign_in(ADMIN_KEY)
    page = admin.get("/console/audit", params={"tool": "console sign-in"})
    shown = rows(page.text)
    assert ("—", "console", "console sign-in", "denied") in shown
    assert (ADMIN, "console", "console sign-in", "ok") in shown
    assert WRONG_KEY not in page.text and WRONG_KEY[:12] not in page.text and ADMIN_KEY not in page.text
    for _ in range(3):
        attempt(stranger, WRONG_KEY)
    limited_rows = rows(admin.get("/console/audit", params={"outcome": "rate_limited"}).text)
    assert ("—", "console", "console sign-in", "rate_limited") in limited_rows


def test_console_actions_and_test_calls_are_audited_as_the_console_door(admin: Browser) -> None:
    create(admin, GREET)
    admin.post(f"/console/tools/{TOOL}/call", {"arg.name": "Ann"})
    add_user(admin, "new@example.com", "user")
    shown = rows(admin.get("/console/audit", params={"user": ADMIN}).text)
    assert (ADMIN, "console", TOOL, "ok") in shown
    assert (ADMIN, "console", "POST /console/users", "ok") in shown
    assert any(action.startswith("POST /console/tools") for _, _, action, _ in shown)
    assert all(door == "console" for _, door, _, _ in shown)
