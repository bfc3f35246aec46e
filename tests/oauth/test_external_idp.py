"""An external identity provider (OAUTH_ISSUER, docs/oauth.md): JWTs this test signs itself,
with a JWKS served on loopback; signature, iss, aud, exp and nbf checked, key rotation followed,
unknown users provisioned only when asked, and the user's roles bounding what a token reaches."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from tests.api.conftest import ADMIN, API, LOCAL, make_container
from tests.support.loopback import json_api

ISSUER = "https://idp.example"
AUDIENCE = "dynamic-mcp-test"
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
}


class Provider:
    """The identity provider: its signing keys, and the JWKS it publishes (rotatable)."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.published: list[str] = []
        self.fetches = 0
        self.rotate()

    def rotate(self) -> str:
        kid = f"key-{len(self.keys) + 1}"
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.published = [kid]  # the old key is withdrawn
        return kid

    def jwks(self, _: Any) -> dict[str, Any]:
        self.fetches += 1
        return {
            "keys": [
                {**RSAAlgorithm.to_jwk(self.keys[k].public_key(), as_dict=True), "kid": k, "alg": "RS256", "use": "sig"}
                for k in self.published
            ]
        }

    def token(self, email: str | None, kid: str | None = None, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300, "sub": f"sub-{email}", **claims}
        if email is not None:
            body.setdefault("email", email)
        kid = kid or self.published[0]
        return jwt.encode(body, self.keys[kid], algorithm="RS256", headers={"kid": kid})


PROVIDER = Provider()


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    with json_api(PROVIDER.jwks) as port:
        yield f"http://127.0.0.1:{port}/jwks"


def _client(jwks_url: str, **settings: Any) -> Iterator[TestClient[Any]]:
    container = make_container(
        oauth_enabled=True,
        server_url=LOCAL,
        oauth_issuer=ISSUER,
        oauth_audience=AUDIENCE,
        oauth_jwks_url=jwks_url,
        **settings,
    )
    with TestClient(create_app(container), base_url=LOCAL) as client:
        yield client


@pytest.fixture(scope="module")
def client(jwks_url: str) -> Iterator[TestClient[Any]]:
    yield from _client(jwks_url, oauth_auto_provision=True)


def mcp(client: TestClient[Any], token: str) -> Any:
    return client.post("/mcp", json=INIT, headers={**MCP_HEADERS, "authorization": f"Bearer {token}"})


def test_the_protected_resource_metadata_names_the_provider_and_no_own_endpoints_exist(client: TestClient[Any]) -> None:
    body = client.get("/.well-known/oauth-protected-resource/mcp").json()
    assert body["resource"] == f"{LOCAL}/mcp"
    assert [s.rstrip("/") for s in body["authorization_servers"]] == [ISSUER]
    assert client.get("/.well-known/oauth-authorization-server").status_code == 404
    assert client.post("/token", data={}).status_code in (404, 405)
    challenge = client.post("/mcp", json=INIT, headers=MCP_HEADERS).headers.get_list("www-authenticate")
    assert any("resource_metadata=" in c for c in challenge)


def test_a_valid_token_signs_in_its_email_as_that_user(client: TestClient[Any]) -> None:
    assert mcp(client, PROVIDER.token(ADMIN)).status_code == 200


@pytest.mark.parametrize(
    ("label", "claims"),
    [
        ("wrong issuer", {"iss": "https://other-idp.example"}),
        ("wrong audience", {"aud": "another-service"}),
        # times as offsets from when the test runs: a long run starts tests long after collection
        ("expired", {"exp": -120}),
        ("not yet valid", {"nbf": 600}),
        ("no email", {"email": None}),
    ],
)
def test_a_token_failing_a_check_is_refused_with_invalid_token(
    client: TestClient[Any], label: str, claims: dict[str, Any]
) -> None:
    claims = {k: int(time.time()) + v if k in ("exp", "nbf") else v for k, v in claims.items()}
    email = claims.pop("email", ADMIN) if "email" in claims else ADMIN
    token = PROVIDER.token(None, **claims) if email is None else PROVIDER.token(email, **claims)
    response = mcp(client, token)
    assert response.status_code == 401, label
    assert 'error="invalid_token"' in response.headers.get_list("www-authenticate")[-1]


def test_a_signature_by_an_unpublished_key_is_refused(client: TestClient[Any]) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60, "email": ADMIN},
        stranger,
        algorithm="RS256",
        headers={"kid": PROVIDER.published[0]},
    )
    assert mcp(client, forged).status_code == 401


def test_a_rotated_key_is_fetched_once_and_the_withdrawn_one_refused(client: TestClient[Any]) -> None:
    old = PROVIDER.published[0]
    assert mcp(client, PROVIDER.token(ADMIN)).status_code == 200
    before = PROVIDER.fetches
    new = PROVIDER.rotate()
    time.sleep(1.1)  # the verifier refetches at most once a second
    assert mcp(client, PROVIDER.token(ADMIN, kid=new)).status_code == 200
    assert PROVIDER.fetches == before + 1
    assert mcp(client, PROVIDER.token(ADMIN, kid=old)).status_code == 401


def test_auto_provisioning_creates_an_unknown_user_with_role_user(client: TestClient[Any]) -> None:
    email = f"new-{time.monotonic_ns()}@example.com"
    assert mcp(client, PROVIDER.token(email)).status_code == 200
    admin = client.get(f"{API}/users/{email}", headers={"x-apikey": "admin-key-for-the-api-tests"}).json()
    assert admin["roles"] == ["user"]


def test_without_auto_provisioning_an_unknown_user_is_refused(jwks_url: str) -> None:
    for plain in _client(jwks_url):
        assert mcp(plain, PROVIDER.token("stranger@example.com")).status_code == 401
        assert mcp(plain, PROVIDER.token(ADMIN)).status_code == 200


def test_the_rest_api_needs_the_admin_scope_and_an_admin(client: TestClient[Any]) -> None:
    def me(token: str) -> int:
        return client.get(f"{API}/me", headers={"authorization": f"Bearer {token}"}).status_code

    assert me(PROVIDER.token(ADMIN, scope="openid admin")) == 200
    assert me(PROVIDER.token(ADMIN, scope="openid mcp")) == 401
    user = f"plain-{time.monotonic_ns()}@example.com"
    assert mcp(client, PROVIDER.token(user)).status_code == 200  # provisioned with role user
    assert me(PROVIDER.token(user, scp=["admin"])) == 401
