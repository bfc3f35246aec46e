"""A 2026-07-28 tools/list answered from cached wire forms is byte for byte what the SDK's own
pipeline makes of the handler's result (ordering, resultType, cache hints, serverInfo stamp)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.adapters.mcp import tool_lists
from dynamic_mcp.config import Settings
from dynamic_mcp.container import build_container

ADMIN = "admin@example.com"
KEY = "modern-list-admin-key"
ENVELOPE = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
HEADERS = {
    "x-apikey": KEY,
    "accept": "application/json, text/event-stream",
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": "tools/list",
}


def tool(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{name} for tests",
        "inputSchema": {"type": "object", "properties": {"q": {"type": "string", "description": "ü"}}},
        "handler": {"type": "echo", "config": {}},
        **extra,
    }


def listed(client: TestClient[Any]) -> Any:
    body = {"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {"_meta": ENVELOPE}}
    response = client.post("/mcp", json=body, headers=HEADERS)
    assert response.status_code == 200, response.text
    return response.json()


def test_modern_tools_list_matches_the_sdk_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(build_container(Settings(admin_email=ADMIN, admin_api_key=KEY)))
    with TestClient(app, base_url="http://127.0.0.1:4001") as client:
        for definition in (
            tool("zeta"),
            tool("alpha", annotations={"readOnlyHint": True, "title": "Alpha"}),
            tool("mid", annotations={"destructiveHint": "not a bool"}),  # malformed hints are dropped
        ):
            created = client.post("/api/v1/tools", json=definition, headers={"x-apikey": KEY})
            assert created.status_code == 201, created.text
        fast = listed(client)
        again = listed(client)  # from the cache of wire forms
        monkeypatch.setattr(tool_lists, "_answerable", lambda ctx: False)
        sdk = listed(client)
    assert fast == again == sdk
    result = fast["result"]
    names = [t["name"] for t in result["tools"]]
    assert names == sorted(names) and {"alpha", "mid", "zeta"} <= set(names)
    assert result["resultType"] == "complete" and result["cacheScope"] == "private" and result["ttlMs"] > 0
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"]
