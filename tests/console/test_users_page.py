"""The Users page: the same use cases as MCP and REST, with their rights and their events."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from dynamic_mcp.container import Container
from dynamic_mcp.domain.events import UserSessionsRevoked
from tests.console.conftest import ADMIN_KEY, Browser, add_user


def rows(html: str) -> list[str]:
    return re.findall(r'<td data-label="Email"><a href="[^"]+">([^<]+)</a>', html)


def test_the_users_page_has_an_add_user_form_and_a_table(admin: Browser) -> None:
    page = admin.get("/console/users")
    assert '<label for="new-email">Email</label>' in page.text
    assert '<button type="submit">Add user</button>' in page.text
    assert "<table" in page.text and rows(page.text) == ["admin@example.com"]


def test_adding_a_user_shows_the_key_once_and_lists_the_user_with_roles(
    client: TestClient[Any], admin: Browser
) -> None:
    key = add_user(admin, "carol@example.com", "power-user")
    assert client.get("/api/v1/me", headers={"x-apikey": key}).json()["roles"] == ["power-user"]
    listing = admin.get("/console/users")
    assert "carol@example.com" in rows(listing.text)
    assert key not in listing.text
    assert '<span class="tag">power-user</span>' in listing.text


def test_a_duplicate_or_invalid_email_is_explained_on_the_page(admin: Browser) -> None:
    add_user(admin, "dup@example.com")
    again = admin.post("/console/users", {"email": "dup@example.com"})
    assert "already exists" in again.text and "issued-key" not in again.text
    bad = admin.post("/console/users", {"email": "not-an-email"})
    assert "is not a valid email address" in bad.text


def test_search_filters_by_email_or_name(admin: Browser) -> None:
    add_user(admin, "dave@example.com")
    add_user(admin, "erin@example.com")
    assert rows(admin.get("/console/users?q=dav").text) == ["dave@example.com"]
    fragment = admin.get("/console/users?q=erin", headers={"hx-request": "true"})
    assert fragment.text.lstrip().startswith('<div id="users-table"') and rows(fragment.text) == ["erin@example.com"]


@pytest.mark.parametrize("container", [{"extra_roles": ("ops", "qa")}], indirect=True)
def test_editing_name_and_roles_goes_through_update_user(client: TestClient[Any], admin: Browser) -> None:
    """Other roles must be configured (EXTRA_ROLES): the same role rule as every other door."""
    key = add_user(admin, "frank@example.com")
    admin.get("/console/users/frank@example.com")
    response = admin.post(
        "/console/users/frank@example.com", {"name": "Frank F", "roles": ["power-user"], "other_roles": "ops, qa"}
    )
    assert response.status_code == 200 and "The user was updated." in response.text
    me = client.get("/api/v1/me", headers={"x-apikey": key}).json()
    assert me["name"] == "Frank F" and me["roles"] == ["power-user", "ops", "qa"]
    refused = admin.post("/console/users/frank@example.com", {"name": "Frank F", "other_roles": "god"})
    assert "Unknown role(s): god" in refused.text
    assert client.get("/api/v1/me", headers={"x-apikey": key}).json()["roles"] == ["power-user", "ops", "qa"]


def test_reset_key_asks_first_then_shows_the_new_key_once(client: TestClient[Any], admin: Browser) -> None:
    old = add_user(admin, "gina@example.com")
    confirm = admin.get("/console/users/gina@example.com/reset-key")
    assert "Reset key" in confirm.text and client.get("/api/v1/me", headers={"x-apikey": old}).status_code == 200
    issued = admin.post("/console/users/gina@example.com/reset-key")
    new = re.search(r'<output id="issued-key">([^<]+)</output>', issued.text)
    assert new and new.group(1) != old
    assert client.get("/api/v1/me", headers={"x-apikey": old}).status_code == 401
    assert client.get("/api/v1/me", headers={"x-apikey": new.group(1)}).status_code == 200


def test_delete_asks_first_and_revokes_the_users_sessions(container: Container, admin: Browser) -> None:
    key = add_user(admin, "hank@example.com")
    events: list[Any] = []

    async def record(event: Any) -> None:
        events.append(event)

    container.event_bus().subscribe(record)
    confirm = admin.get("/console/users/hank@example.com/delete")
    assert "cannot be undone" in confirm.text
    assert "hank@example.com" in rows(admin.get("/console/users").text)
    done = admin.post("/console/users/hank@example.com/delete")
    assert "The user was deleted." in done.text and "hank@example.com" not in rows(done.text)
    assert UserSessionsRevoked("hank@example.com") in events
    assert admin.client.get("/api/v1/me", headers={"x-apikey": key}).status_code == 401


def test_a_non_admin_gets_the_use_cases_refusal(client: TestClient[Any], admin: Browser) -> None:
    key = add_user(admin, "ivy@example.com", "power-user")
    ivy = Browser(client)
    ivy.sign_in(key)
    assert "/console/users" not in ivy.get("/console/my-tools").text  # not offered in the navigation
    listing = ivy.get("/console/users")
    assert listing.status_code == 403 and "Only admins" in listing.text
    added = ivy.post("/console/users", {"email": "sneaky@example.com"})
    assert added.status_code == 403 and "Only admins can add users" in added.text
    assert ivy.post("/console/users/admin@example.com/delete").status_code == 403
    assert client.get("/api/v1/users/sneaky@example.com", headers={"x-apikey": ADMIN_KEY}).status_code == 404
