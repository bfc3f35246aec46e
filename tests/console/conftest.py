"""The console through Litestar's TestClient over a fresh in-memory container per test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container

ADMIN = "admin@example.com"
ADMIN_KEY = "admin-key-for-console-tests"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# Suites make many requests per minute as one user; tests of the limits pass their own.
NO_RATE_LIMITS = {
    "rate_limit_tool_calls": 0,
    "rate_limit_api": 0,
    "rate_limit_sessions": 0,
    "console_sign_in_rate_limit": 0,
}


def csrf_of(response: httpx.Response) -> str:
    found = CSRF.search(response.text)
    assert found, f"no CSRF token in {response.request.url}"
    return found.group(1)


class Browser:
    """One browser on a shared TestClient: its own cookie jar and the CSRF token of its last page."""

    def __init__(self, client: TestClient[Any]) -> None:
        self.client = client
        self.csrf = ""
        self.cookies = httpx.Cookies()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies = self.cookies
        try:
            response = self.client.request(method, path, **kwargs)
        finally:
            self.cookies = httpx.Cookies(self.client.cookies)
            self.client.cookies = httpx.Cookies()
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def sign_in(self, key: str) -> httpx.Response:
        self.get("/console/sign-in")
        response = self.post("/console/sign-in", {"api_key": key}, follow_redirects=False)
        assert response.status_code == 303, response.text
        self.get("/console/my-tools")
        return response


def make_container(**settings: Any) -> Container:
    # The test client's host name, which the default Host rule of /api/v1 does not know.
    settings.setdefault("allowed_hosts", ("testserver.local",))
    return build_container(
        Settings(admin_email=ADMIN, admin_api_key=ADMIN_KEY, port=0, **{**NO_RATE_LIMITS, **settings})
    )


@pytest.fixture
def container(request: pytest.FixtureRequest) -> Container:
    """Settings overrides come from indirect parametrization (``{"extra_roles": (...)}``), if any."""
    return make_container(**getattr(request, "param", {}))


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(container)) as test_client:
        yield test_client


@pytest.fixture
def admin(client: TestClient[Any]) -> Browser:
    browser = Browser(client)
    browser.sign_in(ADMIN_KEY)
    return browser


def add_user(admin: Browser, email: str, *roles: str) -> str:
    """Add a user through the console; returns the key it showed once."""
    admin.get("/console/users")
    response = admin.post("/console/users", {"email": email, "name": email.split("@")[0], "roles": list(roles)})
    assert response.status_code == 200, response.text
    found = re.search(r'<output id="issued-key">([^<]+)</output>', response.text)
    assert found, response.text
    return found.group(1)
