"""Authentication (the key sources of /mcp, docs/access.md), RFC 9457 problem details, and /schema."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.domain.errors import StorageUnavailable
from tests.api.conftest import ADMIN, ADMIN_KEY, API, LOCAL, PROBLEM, USER, World, assert_problem, make_container

MISSING = "Missing apiKey"
INVALID = "Invalid apiKey. Please contact the administrator to request access or a valid API key."


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({"x-apikey": ADMIN_KEY}, {}),
        ({"apikey": ADMIN_KEY}, {}),
        ({"authorization": f"Bearer {ADMIN_KEY}"}, {}),
        ({}, {"apiKey": ADMIN_KEY}),
        ({}, {"apikey": ADMIN_KEY}),
    ],
    ids=["x-apikey", "apikey header", "bearer", "apiKey query", "apikey query"],
)
def test_every_key_source_of_mcp_works(world: World, headers: dict[str, str], params: dict[str, str]) -> None:
    response = world.client.get(f"{API}/me", headers=headers, params=params)
    assert response.status_code == 200 and response.json()["email"] == ADMIN


def test_missing_and_unknown_keys_are_401_problems(world: World) -> None:
    anonymous = world.anonymous().get("/users")
    missing = assert_problem(anonymous, 401, MISSING)
    assert missing["title"] == "Unauthorized"
    assert anonymous.headers["www-authenticate"] == (
        f'ApiKey realm="dynamic-mcp", error="invalid_request", error_description="{MISSING}"'
    )
    response = world.client.get(f"{API}/users", headers={"x-apikey": "wrong"})
    assert_problem(response, 401, INVALID)
    assert response.headers["www-authenticate"] == (
        f'ApiKey realm="dynamic-mcp", error="invalid_token", error_description="{INVALID}"'
    )


def test_anonymous_callers_are_refused_before_the_body_is_read(world: World) -> None:
    assert_problem(world.anonymous().post("/users", content=b"{broken"), 401)


def test_query_keys_can_be_turned_off() -> None:
    with TestClient(create_app(make_container(allow_query_api_key=False)), base_url=LOCAL) as client:
        assert_problem(client.get(f"{API}/me", params={"apiKey": ADMIN_KEY}), 401, MISSING)
        assert client.get(f"{API}/me", headers={"x-apikey": ADMIN_KEY}).status_code == 200


def test_validation_problems_never_echo_the_query_string(world: World) -> None:
    response = world.client.get(f"{API}/users", params={"apiKey": ADMIN_KEY, "limit": "lots"})
    problem = assert_problem(response, 400)
    assert ADMIN_KEY not in response.text
    assert problem["instance"] == f"{API}/users"
    assert problem["errors"] == [{"message": "Expected `int`, got `str`", "key": "limit", "source": "query"}]


def test_unknown_paths_and_methods_under_the_api_are_problems_too(world: World) -> None:
    assert_problem(world.as_(ADMIN).get("/nothing-here"), 404)
    response = world.as_(ADMIN).request("PUT", "/users")
    assert_problem(response, 405)
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
    options = world.client.options(f"{API}/tools/anything")
    assert options.status_code == 204 and set(options.headers["allow"].split(", ")) == {
        "GET",
        "PATCH",
        "DELETE",
        "OPTIONS",
    }


def test_a_storage_outage_is_503(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    async def down(*_: Any, **__: Any) -> Any:
        raise StorageUnavailable("Storage is unavailable. Please retry shortly.")

    monkeypatch.setattr(world.container.users(), "list_users", down)
    assert_problem(world.as_(ADMIN).get("/users"), 503, "retry")
    monkeypatch.setattr(world.container.users(), "get_by_key_hash", down)
    assert_problem(world.as_(ADMIN).get("/me"), 503)


def test_an_unexpected_failure_is_a_bare_500_without_details(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    async def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret connection string mongodb://user:pass@host")

    monkeypatch.setattr(world.container.tools(), "reach", boom)  # the catalogue read a listing takes
    response = world.as_(USER).get("/tools")
    problem = assert_problem(response, 500)
    assert problem["detail"] == "The server could not complete the request"
    assert "secret" not in response.text and "mongodb" not in response.text


def test_schema_and_interactive_docs_are_served(world: World) -> None:
    docs = world.client.get("/schema")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    assert "swagger" in docs.text.lower()
    # every asset the page loads is served by this app (ADR 0013): no CDN
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", docs.text)
    assert assets and all(a.startswith("/static/swagger-ui/") for a in assets), assets
    assert all(world.client.get(a).status_code == 200 for a in assets)
    assert world.client.get("/schema/openapi.yaml").status_code == 200
    schema = world.client.get("/schema/openapi.json").json()
    paths = {p for p in schema["paths"] if p.startswith(API)}
    assert {f"{API}/users", f"{API}/tools/{{name}}", f"{API}/shares", f"{API}/me/hidden-tools"} <= paths
    assert "/mcp" not in schema["paths"] and "/health" not in schema["paths"]
    assert schema["components"]["securitySchemes"]["apiKeyHeader"] == {
        "type": "apiKey",
        "name": "x-apikey",
        "in": "header",
    }
    problem = schema["paths"][f"{API}/users"]["post"]["responses"]["403"]["content"]
    assert list(problem) == [PROBLEM]


def test_health_and_mcp_keep_their_own_error_bodies(world: World) -> None:
    assert world.client.get("/health").json() == {"status": "ok"}
    assert world.client.get("/nowhere").headers["content-type"].startswith("application/json")
