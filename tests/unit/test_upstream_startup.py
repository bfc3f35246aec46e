"""Upstream rules that need no upstream: SECRET_KEY at start-up, the outbound guard, who may import."""

from __future__ import annotations

import pytest

from dynamic_mcp.application.upstreams import UpstreamStartupError
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container
from dynamic_mcp.domain.errors import Forbidden, Invalid
from dynamic_mcp.domain.upstreams import PER_USER, SHARED, Upstream, UpstreamCredential
from dynamic_mcp.domain.users import User

KEY = "unit-test-secret-key-0123456789"


async def started(settings: Settings) -> tuple[Container, User]:
    container = build_container(settings)
    await container.lifecycle().start()
    admin = await container.users().get(settings.admin_email)
    assert admin is not None
    return container, admin


async def test_start_up_refuses_stored_per_user_upstreams_without_secret_key() -> None:
    container, _ = await started(Settings(admin_api_key="admin-key-for-upstream-unit-tests"))
    service = container.upstream_service()
    await service.check_startup()  # nothing stored: fine
    await container.upstream_store().add(Upstream("ok", "https://example.com/mcp", "a@example.com", SHARED))
    await service.check_startup()  # a shared upstream without headers needs no key
    await container.upstream_store().add(Upstream("mine", "https://example.com/mcp", "a@example.com", PER_USER))
    with pytest.raises(UpstreamStartupError, match="SECRET_KEY"):
        await service.check_startup()


async def test_per_user_or_header_imports_need_secret_key() -> None:
    container, admin = await started(Settings(admin_api_key="admin-key-for-upstream-unit-tests"))
    service = container.upstream_service()
    for definition in (
        {"name": "a", "url": "https://example.com/mcp", "credentialMode": "per-user"},
        {"name": "b", "url": "https://example.com/mcp", "headers": {"Authorization": "Bearer x"}},
    ):
        with pytest.raises(Invalid, match="SECRET_KEY"):
            await service.import_upstream(admin, definition)


INSIDE = [
    "http://127.0.0.1:9/mcp",
    "http://169.254.169.254/latest",
    "http://[::ffff:10.0.0.1]/mcp",
    "http://localhost/",
]


async def test_upstream_urls_pass_the_outbound_guard_of_http_tools() -> None:
    container, admin = await started(Settings(admin_api_key="admin-key-for-upstream-unit-tests", secret_key=KEY))
    for url in INSIDE:
        with pytest.raises(Forbidden, match="HTTP_TOOL_ALLOWED_HOSTS"):
            await container.upstream_service().import_upstream(admin, {"name": "inside", "url": url})
    assert await container.upstream_store().list_all() == []


MALFORMED = [
    ({"name": "x y", "url": "https://example.com/mcp"}, "upstream name"),
    ({"name": "x", "url": "ftp://example.com/"}, "http"),
    ({"name": "x", "url": "https://user:pw@example.com/mcp"}, "credentials"),
    ({"name": "x", "url": "https://example.com/mcp", "credentialMode": "both"}, "credentialMode"),
    ({"name": "x", "url": "https://example.com/mcp", "headers": {"Host": "evil"}}, "transport"),
    ({"name": "x", "url": "https://example.com/mcp", "headers": {"A": "b\r\nC: d"}}, "line break"),
    ({"name": "x", "url": "https://example.com/mcp", "callTimeoutSeconds": 0}, "callTimeoutSeconds"),
    ({"name": "x", "url": "https://example.com/mcp", "namePrefix": "a:b"}, "namePrefix"),
    ({"name": "x", "url": "https://example.com/mcp", "surprise": 1}, "Unknown"),
]


async def test_malformed_upstream_definitions_are_refused_before_any_connection() -> None:
    container, admin = await started(Settings(admin_api_key="admin-key-for-upstream-unit-tests", secret_key=KEY))
    for definition, message in MALFORMED:
        with pytest.raises(Invalid, match=message):
            await container.upstream_service().import_upstream(admin, definition)
    assert container.upstream_gateway().opened == 0


async def test_plain_users_cannot_import() -> None:
    container, admin = await started(Settings(admin_api_key="admin-key-for-upstream-unit-tests", secret_key=KEY))
    user = User(email="u@example.com", name="u", roles=("user",))
    with pytest.raises(Forbidden, match="power users"):
        await container.upstream_service().import_upstream(user, {"name": "x", "url": "https://example.com/mcp"})


async def test_deleting_a_user_deletes_their_credentials_and_upstreams() -> None:
    container, admin = await started(Settings(admin_api_key="admin-key-for-upstream-unit-tests", secret_key=KEY))
    users, store = container.user_service(), container.upstream_store()
    for email in ("ann@example.com", "bob@example.com"):
        await users.add_user(admin, email, None, ["power-user"])
    await store.add(Upstream("anns", "https://example.com/mcp", "ann@example.com", PER_USER))
    await store.add(Upstream("bobs", "https://example.com/mcp", "bob@example.com", PER_USER))
    for upstream in ("anns", "bobs"):
        for email in ("ann@example.com", "bob@example.com"):
            await store.put_credential(UpstreamCredential(upstream, email, "v1.sealed"))
    await users.delete_user(admin, "ann@example.com")
    assert [u.name for u in await store.list_all()] == ["bobs"]
    assert await store.get_credential("bobs", "ann@example.com") is None
    assert await store.get_credential("bobs", "bob@example.com") is not None
