"""Signing in to the console: cookie flags, CSRF, refusals, sign-out and revocation."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.adapters.http.console.session import SESSION_COOKIE
from dynamic_mcp.container import Container
from tests.console.conftest import ADMIN, ADMIN_KEY, Browser, add_user, csrf_of


def test_sign_in_form_has_a_labelled_key_input_and_a_sign_in_button(client: TestClient[Any]) -> None:
    page = client.get("/console/sign-in")
    assert page.status_code == 200
    assert '<label for="api-key">API key</label>' in page.text
    assert 'id="api-key" name="api_key" type="password"' in page.text
    assert '<button type="submit">Sign in</button>' in page.text


def test_sign_in_sets_an_httponly_strict_cookie_holding_only_a_random_id(client: TestClient[Any]) -> None:
    browser = Browser(client)
    response = browser.sign_in(ADMIN_KEY)
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")]
    assert len(cookies) == 1
    cookie = cookies[0]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    assert ADMIN_KEY not in value and len(value) >= 40
    assert ADMIN_KEY not in response.text and ADMIN_KEY not in str(response.headers)
    assert ADMIN_KEY not in browser.get("/console/my-key").text


def test_the_cookie_is_secure_when_served_over_https(container: Container) -> None:
    with TestClient(create_app(container), base_url="https://testserver.local") as client:
        response = Browser(client).sign_in(ADMIN_KEY)
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}="))
        assert "Secure" in cookie


def test_an_unknown_key_is_refused_and_never_echoed(client: TestClient[Any]) -> None:
    browser = Browser(client)
    browser.get("/console/sign-in")
    response = browser.post("/console/sign-in", {"api_key": "not-a-key-at-all-12345"})
    assert response.status_code == 401
    assert "not-a-key-at-all-12345" not in response.text
    assert not any(c.startswith(f"{SESSION_COOKIE}=") for c in response.headers.get_list("set-cookie"))


def test_a_page_without_the_cookie_sends_the_browser_to_sign_in(client: TestClient[Any]) -> None:
    response = client.get("/console/users?q=a", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?next=/console/users%3Fq%3Da"
    assert "admin@" not in response.text


def test_a_change_without_the_cookie_is_refused(client: TestClient[Any]) -> None:
    response = Browser(client).request("POST", "/console/users", data={"email": "x@example.com"})
    assert response.status_code == 401
    assert client.get("/api/v1/users/x@example.com", headers={"x-apikey": ADMIN_KEY}).status_code == 404


def test_every_console_change_needs_the_csrf_token(client: TestClient[Any], admin: Browser) -> None:
    app = client.app
    unsafe = [
        (route.path, method)
        for route in app.routes
        if route.path.startswith("/console")
        for method in getattr(route, "methods", ())
        if method not in ("GET", "HEAD", "OPTIONS")
    ]
    assert len(unsafe) >= 15
    for path, method in unsafe:
        concrete = path.replace("{email:str}", ADMIN).replace("{tool_id:str}", "x:y").replace("{kind:str}", "tool")
        concrete = concrete.replace("{name:str}", "p")
        assert "{" not in concrete, concrete
        without = admin.request(method, concrete, data={"email": "csrf@example.com"})
        wrong = admin.request(method, concrete, data={"email": "csrf@example.com", "csrf_token": "wrong"})
        assert without.status_code == 403, (path, without.status_code)
        assert wrong.status_code == 403, (path, wrong.status_code)
    # and the header form htmx uses works with the right token
    ok = admin.request(
        "POST", "/console/validate/tool", data={"definition": "{}"}, headers={"x-csrf-token": admin.csrf}
    )
    assert ok.status_code == 200


def test_sign_in_itself_needs_its_form_token(client: TestClient[Any]) -> None:
    browser = Browser(client)
    browser.get("/console/sign-in")
    response = browser.request("POST", "/console/sign-in", data={"api_key": ADMIN_KEY}, follow_redirects=False)
    assert response.status_code == 403
    token = csrf_of(browser.get("/console/sign-in"))
    stranger = Browser(client)  # another browser: no sign-in cookie, a token copied from elsewhere
    response = stranger.request("POST", "/console/sign-in", data={"api_key": ADMIN_KEY, "csrf_token": token})
    assert response.status_code == 403


def test_sign_out_ends_the_session_on_the_server(client: TestClient[Any], admin: Browser) -> None:
    session_id = admin.cookies.get(SESSION_COOKIE)
    assert session_id
    response = admin.post("/console/sign-out", follow_redirects=False)
    assert response.status_code == 303
    assert admin.cookies.get(SESSION_COOKIE) is None
    copy = Browser(client)  # a copy of the cookie kept by an attacker
    copy.cookies.set(SESSION_COOKIE, session_id, domain="testserver.local", path="/console")
    assert copy.get("/console/my-tools", follow_redirects=False).status_code == 303


def test_a_key_reset_ends_that_users_console_sessions(container: Container, admin: Browser) -> None:
    key = add_user(admin, "bob@example.com", "user")
    bob = Browser(admin.client)
    bob.sign_in(key)
    assert bob.get("/console/my-key", follow_redirects=False).status_code == 200
    admin.get("/console/users/bob@example.com/reset-key")
    assert admin.post("/console/users/bob@example.com/reset-key").status_code == 200
    assert bob.get("/console/my-key", follow_redirects=False).status_code == 303


def test_resetting_your_own_key_keeps_you_signed_in_with_the_new_one(admin: Browser) -> None:
    admin.get("/console/my-key/reset")
    response = admin.post("/console/my-key/reset")
    assert response.status_code == 200 and "New API key" in response.text
    assert admin.get("/console/my-key", follow_redirects=False).status_code == 200
    assert admin.client.get("/api/v1/me", headers={"x-apikey": ADMIN_KEY}).status_code == 401


def test_the_next_target_never_leaves_the_console(client: TestClient[Any]) -> None:
    browser = Browser(client)
    browser.get("/console/sign-in?next=//evil.example/x")
    response = browser.post(
        "/console/sign-in", {"api_key": ADMIN_KEY, "next": "//evil.example/x"}, follow_redirects=False
    )
    assert response.headers["location"] == "/console/"


def test_pages_forbid_framing_inline_script_and_caching(admin: Browser) -> None:
    response = admin.get("/console/users")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["cache-control"] == "no-store"
    assert ADMIN in response.text
