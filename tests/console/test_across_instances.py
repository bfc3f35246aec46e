"""Two server instances over one MongoDB database, as behind a load balancer without affinity:
a console session opened on one is served by the other, and signing out on either ends it.

With real server processes, the Sessions and Health pages of one instance listing and closing
what another holds: tests/integration/test_stored_sessions.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app
from tests.console.conftest import ADMIN, ADMIN_KEY, Browser, make_container

pytestmark = pytest.mark.mongo


def test_a_console_session_works_on_every_instance(mongo_uri: str, fresh_database_name: Callable[[str], str]) -> None:
    settings = {"mongodb_uri": mongo_uri, "mongodb_db": fresh_database_name("console")}
    first, second = make_container(**settings), make_container(**settings)
    with TestClient(create_app(first)) as one, TestClient(create_app(second)) as two:
        browser = Browser(one)
        browser.sign_in(ADMIN_KEY)
        other = Browser(two)
        other.cookies = browser.cookies  # the same browser, routed to the other instance
        page = other.get("/console/users", follow_redirects=False)
        assert page.status_code == 200 and ADMIN in page.text
        other.csrf = browser.csrf  # the CSRF token is the session's, wherever it is checked
        assert other.post("/console/sign-out", follow_redirects=False).status_code == 303
        browser.cookies = other.cookies
        stale = Browser(one)
        stale.cookies.set("dmcp_console", page.request.headers["cookie"].split("dmcp_console=")[1].split(";")[0],
                          domain="testserver.local", path="/console")  # fmt: skip
        assert stale.get("/console/users", follow_redirects=False).status_code == 303
