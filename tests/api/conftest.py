"""The admin REST API through Litestar's TestClient over a fresh in-memory container per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container
from dynamic_mcp.domain.events import ToolListChanged

ADMIN = "admin@example.com"
ADMIN_KEY = "admin-key-for-the-api-tests"
LOCAL = "http://testserver.localhost"  # the default Host rule accepts loopback names only
POWER = "power@example.com"
POWER2 = "power2@example.com"
USER = "user@example.com"
TARGET = "target@example.com"
API = "/api/v1"
PROBLEM = "application/problem+json"


# Suites make many requests per minute as one user; tests of the limits pass their own.
NO_RATE_LIMITS = {"rate_limit_tool_calls": 0, "rate_limit_api": 0, "rate_limit_sessions": 0}


def runtime_tool(name: str, **extra: Any) -> dict[str, Any]:
    """A user-created tool run by the built-in echo package."""
    return {
        "name": name,
        "description": f"{name} for tests",
        "inputSchema": {"type": "object", "properties": {"nameContains": {"type": "string"}}},
        "handler": {"type": "echo", "config": {}},
        **extra,
    }


def runtime_prompt(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{name} for tests",
        "handler": {"type": "echo", "config": {"secret": "only-for-the-creator"}},
        "arguments": [{"name": "topic", "required": True}],
        **extra,
    }


class Api:
    """Calls /api/v1 as one identity (an API key in the x-apikey header)."""

    def __init__(self, client: TestClient[Any], key: str | None) -> None:
        self.client = client
        self.key = key

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.key is not None:
            headers.setdefault("x-apikey", self.key)
        return self.client.request(method, f"{API}{path}", headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()


def assert_problem(response: httpx.Response, status: int, detail_contains: str = "") -> dict[str, Any]:
    """An RFC 9457 problem with the given status, and no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert detail_contains in body["detail"]
    assert "Traceback" not in response.text
    return dict(body)


class World:
    """An admin, two power users, a plain user and a target user, with a tool and prompt each for
    the power users. ``keys`` maps email to plain API key."""

    def __init__(self, container: Container, client: TestClient[Any]) -> None:
        self.container = container
        self.client = client
        self.keys: dict[str, str] = {ADMIN: ADMIN_KEY}
        admin = self.as_(ADMIN)
        for email, role in ((POWER, "power-user"), (POWER2, "power-user"), (USER, "user"), (TARGET, "user")):
            body = admin.ok("POST", "/users", 201, json={"email": email, "name": email.split("@")[0], "roles": [role]})
            self.keys[email] = body["apiKey"]
        self.as_(POWER).ok("POST", "/tools", 201, json=runtime_tool("p1-tool"))
        self.as_(POWER2).ok("POST", "/tools", 201, json=runtime_tool("p2-tool"))
        self.as_(POWER).ok("POST", "/prompts", 201, json=runtime_prompt("p1-prompt"))
        self.as_(POWER2).ok("POST", "/prompts", 201, json=runtime_prompt("p2-prompt", rolesPermitted=["admin"]))
        for email in self.keys:  # each holds a live MCP session here: changes are announced to live users
            container.live_audience().join(email)

    def as_(self, email: str | None) -> Api:
        return Api(self.client, self.keys[email] if email else None)

    def anonymous(self) -> Api:
        return Api(self.client, None)


class EventLog:
    def __init__(self) -> None:
        self.events: list[Any] = []

    async def __call__(self, event: Any) -> None:
        self.events.append(event)

    def tools_changed_for(self, email: str) -> bool:
        return any(isinstance(e, ToolListChanged) and (e.emails is None or email in e.emails) for e in self.events)


def make_container(**settings: Any) -> Container:
    return build_container(
        Settings(admin_email=ADMIN, admin_api_key=ADMIN_KEY, port=0, **{**NO_RATE_LIMITS, **settings})
    )


@pytest.fixture
def container() -> Container:
    return make_container()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(container), base_url=LOCAL) as test_client:
        yield test_client


@pytest.fixture
def world(container: Container, client: TestClient[Any]) -> World:
    return World(container, client)


@pytest.fixture
def events(container: Container, world: World) -> EventLog:
    """Change events published after the world was built."""
    log = EventLog()
    container.event_bus().subscribe(log)
    return log
