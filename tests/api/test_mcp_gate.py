"""The /mcp gate in process: 401 challenges, the Origin and Host rule, the per-user session cap,
the key on every request of a session, short key prefixes and session ids kept out of the log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.config import Settings, SettingsError
from tests.api.conftest import ADMIN_KEY, API, LOCAL, USER, World, make_container

MCP = "/mcp"
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
MISSING = "Missing apiKey"
INVALID = "Invalid apiKey. Please contact the administrator to request access or a valid API key."


def challenge(error: str, description: str) -> str:
    return f'ApiKey realm="dynamic-mcp", error="{error}", error_description="{description}"'


def open_session(client: TestClient[Any], key: str) -> str:
    response = client.post(MCP, json=INIT, headers={**ACCEPT, "x-apikey": key})
    assert response.status_code == 200, response.text
    return str(response.headers["mcp-session-id"])


@pytest.mark.parametrize("body", [LIST, INIT, {"jsonrpc": "2.0", "method": "notifications/initialized"}])
def test_every_request_without_a_key_is_401_with_a_challenge(world: World, body: dict[str, Any]) -> None:
    response = world.client.post(MCP, json=body, headers=ACCEPT)
    assert response.status_code == 401
    assert response.json() == {"error": MISSING}
    assert response.headers["www-authenticate"] == challenge("invalid_request", MISSING)


def test_an_unknown_key_is_401_with_a_challenge(world: World) -> None:
    response = world.client.post(MCP, json=INIT, headers={**ACCEPT, "x-apikey": "nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == challenge("invalid_token", INVALID)


def test_a_session_request_must_carry_the_key_by_default(world: World) -> None:
    session = open_session(world.client, ADMIN_KEY)
    bare = world.client.post(MCP, json=LIST, headers={**ACCEPT, "mcp-session-id": session})
    assert bare.status_code == 401
    assert bare.headers["www-authenticate"] == challenge("invalid_request", MISSING)
    keyed = world.client.post(MCP, json=LIST, headers={**ACCEPT, "mcp-session-id": session, "x-apikey": ADMIN_KEY})
    assert keyed.status_code == 200
    other = world.client.post(
        MCP, json=LIST, headers={**ACCEPT, "mcp-session-id": session, "x-apikey": world.keys[USER]}
    )
    assert other.status_code == 401
    assert "does not belong" in other.headers["www-authenticate"]


def test_the_session_id_alone_is_enough_only_when_configured() -> None:
    with TestClient(create_app(make_container(require_key_on_every_request=False)), base_url=LOCAL) as client:
        session = open_session(client, ADMIN_KEY)
        response = client.post(MCP, json=LIST, headers={**ACCEPT, "mcp-session-id": session})
        assert response.status_code == 200


def test_no_user_may_open_more_than_their_share_of_sessions(world: World) -> None:
    with TestClient(create_app(make_container(max_sessions_per_user=3)), base_url=LOCAL) as client:
        sessions = [open_session(client, ADMIN_KEY) for _ in range(3)]
        refused = client.post(MCP, json=INIT, headers={**ACCEPT, "x-apikey": ADMIN_KEY})
        assert refused.status_code == 429
        assert refused.headers["retry-after"].isdigit()
        assert "MAX_SESSIONS_PER_USER" in refused.json()["error"]["message"]
        closed = client.delete(MCP, headers={**ACCEPT, "mcp-session-id": sessions[0], "x-apikey": ADMIN_KEY})
        assert closed.status_code == 200
        open_session(client, ADMIN_KEY)  # a closed session frees its place


def test_the_default_cap_is_fifty() -> None:
    assert Settings().max_sessions_per_user == 50
    assert Settings.from_env({"MAX_SESSIONS_PER_USER": "7"}, dotenv_path=None).max_sessions_per_user == 7


@pytest.mark.parametrize(
    ("headers", "setting"),
    [
        ({"origin": "http://evil.example"}, "ALLOWED_ORIGINS"),
        ({"origin": "null"}, "ALLOWED_ORIGINS"),
        ({"host": "evil.example"}, "ALLOWED_HOSTS"),
        ({"host": "evil.example:4001", "origin": "http://localhost:4001"}, "ALLOWED_HOSTS"),
    ],
)
def test_foreign_origins_and_hosts_are_refused_on_loopback(world: World, headers: dict[str, str], setting: str) -> None:
    for path, kwargs in ((MCP, {"json": INIT}), (f"{API}/me", {})):
        response = world.client.request(
            "POST" if path == MCP else "GET", path, headers={**ACCEPT, "x-apikey": ADMIN_KEY, **headers}, **kwargs
        )
        assert response.status_code == 403, (path, response.text)
        assert setting in response.text


@pytest.mark.parametrize(
    "origin", ["http://localhost:6274", "http://127.0.0.1:3000", "http://[::1]:8080", "https://app.localhost"]
)
def test_loopback_origins_pass_on_loopback(world: World, origin: str) -> None:
    response = world.client.post(MCP, json=INIT, headers={**ACCEPT, "x-apikey": ADMIN_KEY, "origin": origin})
    assert response.status_code == 200


def test_bound_elsewhere_only_the_configured_names_pass() -> None:
    container = make_container(
        host="0.0.0.0",
        server_url="https://mcp.example.com",
        allowed_origins=("https://app.example.com",),
    )
    with TestClient(create_app(container), base_url="https://mcp.example.com") as client:
        ok = client.post(MCP, json=INIT, headers={**ACCEPT, "x-apikey": ADMIN_KEY, "origin": "https://app.example.com"})
        assert ok.status_code == 200
        local = client.post(MCP, json=INIT, headers={**ACCEPT, "x-apikey": ADMIN_KEY, "origin": "http://localhost"})
        assert local.status_code == 403
        other_host = client.post(MCP, json=INIT, headers={**ACCEPT, "x-apikey": ADMIN_KEY, "host": "127.0.0.1"})
        assert other_host.status_code == 403


def test_short_admin_keys_are_refused_at_start() -> None:
    with pytest.raises(SettingsError, match="at least 24 characters"):
        Settings.from_env({"MCP_ADMIN_API_KEY": "short123"}, dotenv_path=None)
    assert Settings.from_env({"MCP_ADMIN_API_KEY": "x" * 24}, dotenv_path=None).admin_api_key == "x" * 24


def test_no_response_shows_more_than_eight_characters_of_a_key(world: World) -> None:
    me = world.as_(USER).ok("GET", "/me")
    assert len(me["apiKeyPrefix"]) <= 8 and world.keys[USER].startswith(me["apiKeyPrefix"])
    from dynamic_mcp.adapters.security.keys import Sha256KeyHasher
    from dynamic_mcp.domain.users import ApiKeyDigest

    assert Sha256KeyHasher().digest("short123").prefix == "sh"  # a third of a short key at most
    assert ApiKeyDigest(hash="h", prefix="0123456789abcdef").prefix == "01234567"  # even from an old database


def test_session_ids_reach_the_log_only_as_a_prefix(world: World, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        session = open_session(world.client, ADMIN_KEY)
        world.client.delete(MCP, headers={**ACCEPT, "mcp-session-id": session, "x-apikey": ADMIN_KEY})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert session[:8] in text  # the SDK did log it, shortened
    assert session not in text
