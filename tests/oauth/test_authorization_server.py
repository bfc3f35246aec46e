"""The authorization server in process (docs/oauth.md): discovery, the 401 challenge, dynamic
registration, PKCE, exact redirect URIs, RFC 8707 resources, scopes within the user's roles,
single-use codes, rotating refresh tokens, expiry and every way a token is revoked."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.container import Container
from tests.api.conftest import ADMIN, ADMIN_KEY, API, LOCAL, POWER, USER, Api, World, make_container, runtime_tool
from tests.oauth.support import REDIRECT, Dance, hidden, pkce, query_of

RESOURCE = f"{LOCAL}/mcp"
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
}


class Clock:
    """Starts at the wall clock (the SDK's token endpoint checks code expiry against it too)."""

    def __init__(self) -> None:
        now = datetime.now(UTC)
        self.now_value = now.replace(microsecond=now.microsecond // 1000 * 1000)

    def now(self) -> datetime:
        return self.now_value

    def advance(self, **delta: float) -> None:
        self.now_value += timedelta(**delta)


SHARED_CLOCK = Clock()


@pytest.fixture
def clock() -> Clock:
    """One clock for the module's server, set back to the wall clock for every test."""
    SHARED_CLOCK.__init__()  # type: ignore[misc]
    return SHARED_CLOCK


@pytest.fixture(scope="module")
def container() -> Container:
    built = make_container(oauth_enabled=True, server_url=LOCAL, rate_limit_oauth=0)
    built.clock.override(providers.Object(SHARED_CLOCK))
    return built


@pytest.fixture(scope="module")
def client(container: Container) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(container), base_url=LOCAL) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def world(container: Container, client: TestClient[Any]) -> World:
    """Shared by the module: tests that reset a key or delete a user make a user of their own."""
    return World(container, client)


@pytest.fixture(autouse=True)
def nothing_replayable_is_logged(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test here runs at debug level; afterwards no secret its client handled may be in a log line."""
    caplog.set_level(logging.DEBUG)
    yield
    dance = request.node.funcargs.get("dance")
    secrets_seen = {s for s in (dance.secrets if isinstance(dance, Dance) else ()) if len(s) >= 8}
    records = [*caplog.get_records("setup"), *caplog.get_records("call")]  # teardown sees its own only
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in records)
    leaked = sorted(s[:4] + "..." for s in secrets_seen if s in logged)
    assert not leaked, f"logged whole: {leaked}"


@pytest.fixture
def dance(world: World, clock: Clock) -> Dance:
    return Dance(world.client, RESOURCE)


def new_user(world: World) -> tuple[str, str]:
    email = f"user-{secrets.token_hex(4)}@example.com"
    body = world.as_(ADMIN).ok("POST", "/users", 201, json={"email": email, "roles": ["user"]})
    return email, body["apiKey"]


def mcp_status(client: TestClient[Any], token: str) -> int:
    return client.post("/mcp", json=INIT, headers={**MCP_HEADERS, "authorization": f"Bearer {token}"}).status_code


# -- discovery --------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"])
def test_protected_resource_metadata_names_the_resource_and_this_server(world: World, path: str) -> None:
    body = world.client.get(path).json()
    assert body["resource"] == RESOURCE
    assert body["authorization_servers"] == [LOCAL] or body["authorization_servers"] == [f"{LOCAL}/"]
    assert body["scopes_supported"] == ["mcp", "admin"]
    assert body["bearer_methods_supported"] == ["header"]


def test_authorization_server_metadata_lists_the_endpoints_s256_and_metadata_documents(world: World) -> None:
    body = world.client.get("/.well-known/oauth-authorization-server").json()
    assert body["issuer"].rstrip("/") == LOCAL
    for name, path in (
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("registration_endpoint", "/register"),
        ("revocation_endpoint", "/revoke"),
    ):
        assert body[name] == f"{LOCAL}{path}"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["client_id_metadata_document_supported"] is True


def test_a_401_from_mcp_names_the_resource_metadata_beside_the_api_key_challenge(world: World) -> None:
    response = world.client.post("/mcp", json=INIT, headers=MCP_HEADERS)
    assert response.status_code == 401
    challenges = response.headers.get_list("www-authenticate")
    assert challenges[0].startswith("ApiKey ")
    assert challenges[1] == (
        f'Bearer resource_metadata="{LOCAL}/.well-known/oauth-protected-resource/mcp", scope="mcp"'
    )
    refused = world.client.post("/mcp", json=INIT, headers={**MCP_HEADERS, "authorization": "Bearer dmcp_at_nope"})
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers.get_list("www-authenticate")[1]


def test_without_oauth_there_is_no_bearer_challenge_and_no_discovery() -> None:
    with TestClient(create_app(make_container()), base_url=LOCAL) as plain:
        response = plain.post("/mcp", json=INIT, headers=MCP_HEADERS)
        assert response.headers.get_list("www-authenticate") == [response.headers["www-authenticate"]]
        assert "Bearer" not in response.headers["www-authenticate"]
        assert plain.get("/.well-known/oauth-authorization-server").status_code == 404


# -- the whole flow, and the identity it yields -----------------------------------------------------
def test_a_token_stands_for_exactly_the_user_of_the_api_key(world: World, dance: Dance) -> None:
    world.as_(POWER).ok("POST", "/tools", 201, json=runtime_tool("power-own"))
    client = dance.register()
    tokens = dance.tokens(client, world.keys[POWER])
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600 and tokens["scope"] == "mcp"
    assert tokens["access_token"].startswith("dmcp_at_") and tokens["refresh_token"].startswith("dmcp_rt_")
    headers = {**MCP_HEADERS, "authorization": f"Bearer {tokens['access_token']}"}
    opened = world.client.post("/mcp", json=INIT, headers=headers)
    assert opened.status_code == 200
    session = {"mcp-session-id": opened.headers["mcp-session-id"], **headers}
    listed = world.client.post("/mcp", json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, headers=session)
    by_key = world.client.post("/mcp", json=INIT, headers={**MCP_HEADERS, "x-apikey": world.keys[POWER]}).headers[
        "mcp-session-id"
    ]
    listed_by_key = world.client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        headers={**MCP_HEADERS, "x-apikey": world.keys[POWER], "mcp-session-id": by_key},
    )
    assert "power-own" in listed.text
    assert _names(listed.text) == _names(listed_by_key.text)


def _names(sse: str) -> list[str]:
    data = next(line[5:] for line in sse.splitlines() if line.startswith("data:"))
    return sorted(t["name"] for t in json.loads(data)["result"]["tools"])


def test_scopes_never_exceed_the_users_roles(world: World, dance: Dance) -> None:
    client = dance.register()
    user_tokens = dance.tokens(client, world.keys[USER], scope="mcp admin")
    assert user_tokens["scope"] == "mcp"
    refused = world.client.get(f"{API}/me", headers={"authorization": f"Bearer {user_tokens['access_token']}"})
    assert refused.status_code == 401
    admin_tokens = dance.tokens(client, ADMIN_KEY, scope="mcp admin")
    assert admin_tokens["scope"] == "mcp admin"
    me = world.client.get(f"{API}/me", headers={"authorization": f"Bearer {admin_tokens['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == ADMIN
    only_admin = dance.code_redirect(client, world.keys[USER], scope="admin")
    assert only_admin["error"] == "invalid_scope"


def test_an_unknown_scope_is_refused_with_invalid_scope(world: World, dance: Dance) -> None:
    client = dance.register()
    response = dance.authorize(client, pkce()[1], scope="mcp openid")
    assert response.status_code == 302
    assert query_of(response.headers["location"])["error"] == "invalid_scope"


def test_a_wrong_api_key_on_the_sign_in_page_is_refused_and_not_echoed(world: World, dance: Dance) -> None:
    client = dance.register()
    started = dance.authorize(client, pkce()[1])
    refused = dance.consent(started.headers["location"], "not-a-key-of-anyone")
    assert refused.status_code == 401
    assert "not-a-key-of-anyone" not in refused.text


def test_sign_in_attempts_on_the_page_are_rate_limited_per_address() -> None:
    container = make_container(oauth_enabled=True, server_url=LOCAL, rate_limit_oauth=3)
    with TestClient(create_app(container), base_url=LOCAL) as limited:
        dance = Dance(limited, RESOURCE)
        client = dance.register()
        statuses = []
        for _ in range(4):
            started = dance.authorize(client, pkce()[1])
            statuses.append(dance.consent(started.headers["location"], "not-a-key-of-anyone").status_code)
        assert statuses == [401, 401, 401, 429]


def test_the_sign_in_form_needs_its_csrf_token(world: World, dance: Dance) -> None:
    client = dance.register()
    started = dance.authorize(client, pkce()[1])
    page = world.client.get(started.headers["location"])
    request_id = page.text.split('name="request" value="')[1].split('"')[0]
    forged = world.client.post(
        "/console/oauth/consent",
        data={"request": request_id, "api_key": ADMIN_KEY, "decision": "approve"},
        follow_redirects=False,
    )
    assert forged.status_code == 403


def test_denying_returns_access_denied_to_the_client(world: World, dance: Dance) -> None:
    client = dance.register()
    started = dance.authorize(client, pkce()[1])
    denied = dance.consent(started.headers["location"], None, decision="deny")
    assert denied.status_code == 303
    params = query_of(denied.headers["location"])
    assert params["error"] == "access_denied" and params["state"] == "state-1"


# -- PKCE, codes, redirects, resources --------------------------------------------------------------
def test_a_wrong_pkce_verifier_is_invalid_grant(world: World, dance: Dance) -> None:
    client = dance.register()
    code, _ = dance.code(client, world.keys[USER])
    response = dance.exchange(client, code, pkce()[0])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_plain_pkce_is_refused(world: World, dance: Dance) -> None:
    client = dance.register()
    verifier, _ = pkce()
    response = dance.authorize(client, verifier, code_challenge_method="plain")
    assert response.status_code == 302
    assert query_of(response.headers["location"])["error"] == "invalid_request"


def test_a_reused_code_is_invalid_grant_and_revokes_what_it_gave(world: World, dance: Dance) -> None:
    client = dance.register()
    code, verifier = dance.code(client, world.keys[USER])
    first = dance.exchange(client, code, verifier)
    assert first.status_code == 200
    assert mcp_status(world.client, first.json()["access_token"]) == 200
    second = dance.exchange(client, code, verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert mcp_status(world.client, first.json()["access_token"]) == 401
    assert dance.refresh(client, first.json()["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_code_of_another_client_is_invalid_grant(world: World, dance: Dance) -> None:
    mine, other = dance.register(), dance.register()
    code, verifier = dance.code(mine, world.keys[USER])
    response = dance.exchange(other, code, verifier, redirect_uri=REDIRECT)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "redirect",
    [
        "https://evil.example/callback",
        "http://127.0.0.1:8765/callback/../../evil",
        "http://127.0.0.1:8765/callback?next=https://evil.example",
        "http://127.0.0.1:8765@evil.example/callback",
        "http://127.0.0.1:8766/callback",
        "http://127.0.0.1:8765/Callback",
    ],
)
def test_open_redirect_attempts_are_refused_on_the_page_never_redirected(
    world: World, dance: Dance, redirect: str
) -> None:
    client = dance.register()
    response = dance.authorize(client, pkce()[1], redirect_uri=redirect)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.json()["error"] == "invalid_request"


def test_a_redirect_uri_changed_at_the_token_endpoint_is_refused(world: World, dance: Dance) -> None:
    client = dance.register(redirect=REDIRECT)
    code, verifier = dance.code(client, world.keys[USER])
    response = dance.exchange(client, code, verifier, redirect_uri="http://127.0.0.1:8765/other")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_wrong_resource_is_invalid_target(world: World, dance: Dance) -> None:
    client = dance.register()
    at_authorize = dance.authorize(client, pkce()[1], resource="https://other.example/mcp")
    assert at_authorize.status_code == 302
    assert query_of(at_authorize.headers["location"])["error"] == "invalid_target"
    code, verifier = dance.code(client, world.keys[USER])
    at_token = dance.exchange(client, code, verifier, resource="https://other.example/mcp")
    assert at_token.status_code == 400
    assert at_token.json()["error"] == "invalid_target"
    tokens = dance.tokens(client, world.keys[USER])
    at_refresh = dance.refresh(client, tokens["refresh_token"], resource="https://other.example/mcp")
    assert at_refresh.json()["error"] == "invalid_target"


def test_a_wrong_client_secret_is_invalid_client(world: World, dance: Dance) -> None:
    client = dance.register()
    code, verifier = dance.code(client, world.keys[USER])
    response = dance.exchange({**client, "client_secret": "wrong"}, code, verifier)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


# -- refresh, expiry, revocation --------------------------------------------------------------------
def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_authorization(world: World, dance: Dance) -> None:
    client = dance.register()
    first = dance.tokens(client, world.keys[USER])
    second = dance.refresh(client, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert mcp_status(world.client, first["access_token"]) == 401  # the old access token went with it
    assert mcp_status(world.client, second["access_token"]) == 200
    replayed = dance.refresh(client, first["refresh_token"])
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant"
    assert mcp_status(world.client, second["access_token"]) == 401
    assert dance.refresh(client, second["refresh_token"]).json()["error"] == "invalid_grant"


def test_access_tokens_expire_after_an_hour_and_refresh_tokens_after_thirty_days(
    world: World, dance: Dance, clock: Clock
) -> None:
    client = dance.register()
    tokens = dance.tokens(client, world.keys[USER])
    clock.advance(minutes=59)
    assert mcp_status(world.client, tokens["access_token"]) == 200
    clock.advance(minutes=1)
    assert mcp_status(world.client, tokens["access_token"]) == 401
    renewed = dance.refresh(client, tokens["refresh_token"]).json()
    clock.advance(days=30)
    expired = dance.refresh(client, renewed["refresh_token"])
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"


def test_an_expired_code_is_invalid_grant(world: World, dance: Dance, clock: Clock) -> None:
    client = dance.register()
    code, verifier = dance.code(client, world.keys[USER])
    clock.advance(minutes=5)
    assert dance.exchange(client, code, verifier).json()["error"] == "invalid_grant"


def test_the_revocation_endpoint_ends_both_tokens(world: World, dance: Dance) -> None:
    client = dance.register()
    tokens = dance.tokens(client, world.keys[USER])
    revoked = world.client.post(
        "/revoke",
        data={
            "token": tokens["refresh_token"],
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        },
    )
    assert revoked.status_code == 200
    assert mcp_status(world.client, tokens["access_token"]) == 401
    assert dance.refresh(client, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_user_lists_and_revokes_their_clients(world: World, dance: Dance) -> None:
    email, key = new_user(world)
    one, two = dance.register(client_name="One"), dance.register(client_name="Two")
    first, second = dance.tokens(one, key), dance.tokens(two, key)
    me = Api(world.client, key)
    listed = me.ok("GET", "/me/oauth-clients")["clients"]
    assert sorted(c["clientName"] for c in listed) == ["One", "Two"]
    assert all(c["scopes"] == ["mcp"] for c in listed)
    assert Api(world.client, new_user(world)[1]).ok("GET", "/me/oauth-clients") == {"clients": []}
    assert me.ok("DELETE", f"/me/oauth-clients?clientId={one['client_id']}")["success"] is True
    assert mcp_status(world.client, first["access_token"]) == 401
    assert mcp_status(world.client, second["access_token"]) == 200
    me.ok("DELETE", "/me/oauth-clients")
    assert mcp_status(world.client, second["access_token"]) == 401
    assert me.ok("GET", "/me/oauth-clients") == {"clients": []}


def test_a_key_reset_ends_the_users_tokens(world: World, dance: Dance) -> None:
    email, key = new_user(world)
    client = dance.register()
    tokens = dance.tokens(client, key)
    Api(world.client, key).ok("POST", f"/users/{email}/api-key/reset", json={"confirm": True})
    assert mcp_status(world.client, tokens["access_token"]) == 401
    assert dance.refresh(client, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_deleting_the_user_ends_their_tokens(world: World, dance: Dance) -> None:
    email, key = new_user(world)
    client = dance.register()
    tokens = dance.tokens(client, key)
    world.as_(ADMIN).ok("DELETE", f"/users/{email}")
    assert mcp_status(world.client, tokens["access_token"]) == 401
    assert dance.refresh(client, tokens["refresh_token"]).json()["error"] == "invalid_grant"


# -- registration and client metadata documents -----------------------------------------------------
def test_registration_is_rate_limited_per_address() -> None:
    container = make_container(oauth_enabled=True, server_url=LOCAL, rate_limit_oauth=3)
    with TestClient(create_app(container), base_url=LOCAL) as limited:
        statuses = [limited.post("/register", json={"redirect_uris": [REDIRECT]}).status_code for _ in range(4)]
        assert statuses == [201, 201, 201, 429]


@pytest.mark.parametrize(
    "client_id",
    [
        "https://127.0.0.1/client.json",
        "https://localhost/oauth/client.json",
        "https://[::1]/c.json",
        "https://10.0.0.8/c",
    ],
)
def test_a_client_metadata_url_on_a_private_address_is_refused(world: World, client_id: str) -> None:
    response = world.client.get(
        "/authorize",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT,
            "code_challenge": pkce()[1],
            "code_challenge_method": "S256",
            "state": "s",
        },
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "location" not in response.headers
    body = response.json()
    assert body["error"] == "invalid_request"
    assert "non-public" in body["error_description"]


# -- one-time sign-in links -------------------------------------------------------------------------
def test_a_sign_in_link_signs_the_user_in_once_and_lets_them_approve_without_a_key(world: World, dance: Dance) -> None:
    email, _ = new_user(world)
    assert world.as_(USER).post(f"/users/{email}/sign-in-link").status_code == 403
    link = world.as_(ADMIN).ok("POST", f"/users/{email}/sign-in-link", 201)
    assert link["expiresInSeconds"] == 900 and link["url"].startswith(f"{LOCAL}/console/oauth/link?token=dmcp_sl_")
    shown = world.client.get(link["url"])
    assert shown.status_code == 200 and email in shown.text
    form = {"csrf_token": hidden(shown.text, "csrf_token"), "token": hidden(shown.text, "token")}
    opened = world.client.post("/console/oauth/link", data=form, follow_redirects=False)
    assert opened.status_code == 303 and "dmcp_console" in opened.headers["set-cookie"]
    assert world.client.post("/console/oauth/link", data=form, follow_redirects=False).status_code == 404
    client = dance.register()
    started = dance.authorize(client, pkce()[1])
    page = world.client.get(started.headers["location"])
    assert f"Signed in as <strong>{email}</strong>" in page.text
    params = query_of(dance.consent(started.headers["location"], None).headers["location"])
    world.client.cookies.clear()
    assert "code" in params
    verifier_less = dance.exchange(client, params["code"], pkce()[0])
    assert verifier_less.json()["error"] == "invalid_grant"  # the code is real; the verifier is not
