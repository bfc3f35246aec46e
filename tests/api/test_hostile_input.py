"""Hostile input at the edges gets a clear 4xx, never a 500, in both storage modes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.application.users import MAX_SKIP
from dynamic_mcp.cli import main as cli_main

from .conftest import ADMIN_KEY, API, LOCAL, assert_problem, make_container, runtime_prompt, runtime_tool

MCP_HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
DEEP_ARRAY = b"[" * 200_000 + b"]" * 200_000


@pytest.fixture(scope="module", params=["memory", pytest.param("mongo", marks=pytest.mark.mongo)])
def storage(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "memory":
        return {}
    return {
        "mongodb_uri": request.getfixturevalue("mongo_uri"),
        "mongodb_db": request.getfixturevalue("fresh_database_name")("hostile"),
    }


@pytest.fixture(scope="module")
def admin(storage: dict[str, Any]) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(make_container(**storage)), base_url=LOCAL) as client:
        client.headers["x-apikey"] = ADMIN_KEY
        yield client


def _send_json(client: TestClient[Any], method: str, path: str, body: Any) -> Any:
    # Raw JSON text: the test client would refuse to encode some of these values itself.
    return client.request(
        method, f"{API}{path}", content=json.dumps(body), headers={"content-type": "application/json"}
    )


# -- /mcp -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, ADMIN_KEY], ids=["no-key", "key"])
@pytest.mark.parametrize("version", [None, "2025-06-18", "2026-07-28"])
def test_deeply_nested_mcp_body_is_a_client_error(key: str | None, version: str | None) -> None:
    headers = {
        **MCP_HEADERS,
        **({"x-apikey": key} if key else {}),
        **({"mcp-protocol-version": version} if version else {}),
    }
    with TestClient(create_app(make_container()), base_url=LOCAL) as client:
        response = client.post("/mcp", content=DEEP_ARRAY, headers=headers)
        assert 400 <= response.status_code < 500, response.text
        response = client.post("/mcp", content=b'{"a":' * 100_000 + b"1" + b"}" * 100_000, headers=headers)
        assert 400 <= response.status_code < 500, response.text


# -- integers bounded at the edge --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "skip"),
    [(path, 2**63) for path in ("/users", "/tools", "/prompts", "/me/shares", "/me/shares/given")]
    + [("/users", 2**63 - 1), ("/users", MAX_SKIP + 1)],
)
def test_a_skip_past_the_bound_is_refused(admin: TestClient[Any], path: str, skip: int) -> None:
    response = admin.get(f"{API}{path}", params={"skip": str(skip)})
    body = assert_problem(response, 400)
    assert [e["key"] for e in body["errors"]] == ["skip"]


def test_the_largest_skip_allowed_still_answers(admin: TestClient[Any]) -> None:
    body = admin.get(f"{API}/users", params={"skip": str(MAX_SKIP)}).json()
    assert body["users"] == []


def test_the_cli_bounds_skip_before_connecting() -> None:
    result = CliRunner().invoke(cli_main, ["users", "list", "--skip", str(2**63), "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "--skip" in result.output


# -- values no store can keep ------------------------------------------------------------------


UNSTORABLE = [
    ({"a\x00b": 1}, "NUL"),
    ({"nested": {"\x00": "x"}}, "NUL"),
    ({"big": 2**63}, "64-bit"),
    ({"small": -(2**63) - 1}, "64-bit"),
]


@pytest.mark.parametrize(("config", "detail"), UNSTORABLE)
def test_a_tool_config_no_store_can_keep_is_422(admin: TestClient[Any], config: Any, detail: str) -> None:
    tool = runtime_tool("unstorable", handler={"type": "echo", "config": config})
    assert_problem(_send_json(admin, "POST", "/tools", tool), 422, detail)
    admin.post(f"{API}/tools", json=runtime_tool("storable"))
    update = {"handler": {"type": "echo", "config": config}}
    assert_problem(_send_json(admin, "PATCH", "/tools/storable", update), 422, detail)
    assert admin.get(f"{API}/tools/storable").json()["handler"]["config"] == {}


@pytest.mark.parametrize(("config", "detail"), UNSTORABLE[:1])
def test_a_prompt_config_no_store_can_keep_is_422(admin: TestClient[Any], config: Any, detail: str) -> None:
    prompt = runtime_prompt("unstorable", handler={"type": "prompt-management", "config": config})
    assert_problem(_send_json(admin, "POST", "/prompts", prompt), 422, detail)


def test_a_schema_key_with_nul_is_422(admin: TestClient[Any]) -> None:
    tool = runtime_tool("schema-nul", inputSchema={"type": "object", "properties": {"a\x00": {"type": "string"}}})
    assert_problem(_send_json(admin, "POST", "/tools", tool), 422, "NUL")
