"""The operator's switches, in process: METRICS_ENABLED, METRICS_TOKEN, AUDIT_ENABLED and
AUDIT_ARGUMENTS=keys (the real-server tests run the defaults and AUDIT_ARGUMENTS=full)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app

from .conftest import ADMIN_KEY, API, LOCAL, make_container

MODERN = "2026-07-28"
ENVELOPE = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
HEADERS = {"x-apikey": ADMIN_KEY, "accept": "application/json, text/event-stream", "mcp-protocol-version": MODERN}


def running(**settings: Any) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(make_container(**settings)), base_url=LOCAL) as client:
        yield client


def call(client: TestClient[Any], name: str, arguments: dict[str, Any]) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"_meta": ENVELOPE, "name": name}}
    body["params"]["arguments"] = arguments
    headers = {**HEADERS, "mcp-method": "tools/call", "mcp-name": name}
    assert client.post("/mcp", json=body, headers=headers).status_code == 200


def audit(client: TestClient[Any]) -> list[dict[str, Any]]:
    response = client.get(f"{API}/audit", headers={"x-apikey": ADMIN_KEY}, params={"limit": 500})
    assert response.status_code == 200, response.text
    return list(response.json()["entries"])


def test_metrics_disabled_is_a_404_and_counts_nothing() -> None:
    for client in running(metrics_enabled=False):
        call(client, "list-users", {})
        response = client.get("/metrics")
        assert response.status_code == 404
        assert "METRICS_ENABLED=false" in response.text


def test_a_metrics_token_is_required_once_set() -> None:
    for client in running(metrics_token="scrape-me"):
        call(client, "list-users", {})
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"authorization": "Bearer scrape-me "}).status_code == 401
        assert client.get("/metrics", headers={"authorization": "Basic scrape-me"}).status_code == 401
        scraped = client.get("/metrics", headers={"authorization": "Bearer scrape-me"})
        assert scraped.status_code == 200
        assert 'dynamic_mcp_tool_calls_total{outcome="ok",tool="user-management:list-users"} 1.0' in scraped.text
        refusals = [(e["door"], e["action"], e["outcome"]) for e in audit(client) if e["door"] != "mcp"]
        assert refusals == [("metrics", "authenticate", "denied")] * 3


def test_audit_disabled_records_nothing() -> None:
    for client in running(audit_enabled=False):
        call(client, "list-users", {})
        assert client.patch(f"{API}/users/admin@example.com", json={"name": "A"}, headers=HEADERS).status_code == 200
        assert client.get(f"{API}/me", headers={"x-apikey": "wrong"}).status_code == 401
        assert audit(client) == []


def test_audit_arguments_keys_stores_only_the_names() -> None:
    for client in running(audit_arguments="keys"):
        call(client, "list-users", {"nameContains": "secret-value-4f3a", "limit": 3})
        (entry,) = [e for e in audit(client) if e["action"] == "user-management:list-users"]
        assert entry["arguments"] == ["limit", "nameContains"]
        assert "secret-value-4f3a" not in str(audit(client))


def test_audit_arguments_are_absent_by_default() -> None:
    for client in running():
        call(client, "list-users", {"nameContains": "plain"})
        (entry,) = [e for e in audit(client) if e["action"] == "user-management:list-users"]
        assert entry.get("arguments") is None
