"""Driving the OAuth endpoints by hand, as a client and a user with a browser would."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

REDIRECT = "http://127.0.0.1:8765/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field in the page"
    return match.group(1)


class Dance:
    """One client of a (sync) HTTP client on the server: register, authorize, consent, token."""

    def __init__(self, http: Any, resource: str) -> None:
        self.http = http
        self.resource = resource
        # Every code, verifier, token, client secret and key this client handled: none may be logged.
        self.secrets: set[str] = set()

    def register(self, redirect: str = REDIRECT, **extra: Any) -> dict[str, Any]:
        body = {"redirect_uris": [redirect], "client_name": "Test client", **extra}
        response = self.http.post("/register", json=body)
        assert response.status_code == 201, response.text
        self.secrets.add(str(response.json().get("client_secret") or ""))
        return dict(response.json())

    def authorize(self, client: dict[str, Any], challenge: str, **params: Any) -> httpx.Response:
        query = {
            "response_type": "code",
            "client_id": client["client_id"],
            "redirect_uri": client["redirect_uris"][0],
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "state-1",
            "scope": "mcp",
            "resource": self.resource,
            **params,
        }
        return self.http.get(
            "/authorize", params={k: v for k, v in query.items() if v is not None}, follow_redirects=False
        )

    def consent(self, consent_url: str, api_key: str | None, decision: str = "approve") -> httpx.Response:
        page = self.http.get(consent_url)
        assert page.status_code == 200, page.text
        form = {"csrf_token": hidden(page.text, "csrf_token"), "request": hidden(page.text, "request")}
        form["decision"] = decision
        if api_key is not None:
            form["api_key"] = api_key
            self.secrets.add(api_key)
        return self.http.post("/console/oauth/consent", data=form, follow_redirects=False)

    def code(self, client: dict[str, Any], api_key: str, scope: str = "mcp") -> tuple[str, str]:
        """(code, verifier) after the user approves with ``api_key``."""
        verifier, challenge = pkce()
        started = self.authorize(client, challenge, scope=scope)
        assert started.status_code == 302, started.text
        approved = self.consent(started.headers["location"], api_key)
        assert approved.status_code == 303, (approved.status_code, approved.text[-1500:])
        params = query_of(approved.headers["location"])
        assert params["state"] == "state-1"
        self.secrets |= {params["code"], verifier}
        return params["code"], verifier

    def code_redirect(self, client: dict[str, Any], api_key: str, scope: str = "mcp") -> dict[str, str]:
        """The parameters the client gets back after the user approves (a code, or an error)."""
        started = self.authorize(client, pkce()[1], scope=scope)
        approved = self.consent(started.headers["location"], api_key)
        assert approved.status_code == 303, (approved.status_code, approved.text[-1500:])
        return query_of(approved.headers["location"])

    def token(self, client: dict[str, Any], **form: Any) -> httpx.Response:
        data = {"client_id": client["client_id"], "client_secret": client.get("client_secret"), **form}
        response = self.http.post("/token", data={k: v for k, v in data.items() if v is not None})
        if response.status_code == 200:
            self.secrets |= {str(response.json().get(k) or "") for k in ("access_token", "refresh_token")}
        return response

    def exchange(self, client: dict[str, Any], code: str, verifier: str, **extra: Any) -> httpx.Response:
        form = {"redirect_uri": client["redirect_uris"][0], "resource": self.resource, **extra}
        return self.token(client, grant_type="authorization_code", code=code, code_verifier=verifier, **form)

    def tokens(self, client: dict[str, Any], api_key: str, scope: str = "mcp") -> dict[str, Any]:
        code, verifier = self.code(client, api_key, scope)
        response = self.exchange(client, code, verifier)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def refresh(self, client: dict[str, Any], refresh_token: str, **extra: Any) -> httpx.Response:
        form = {"resource": self.resource, **extra}
        return self.token(client, grant_type="refresh_token", refresh_token=refresh_token, **form)
