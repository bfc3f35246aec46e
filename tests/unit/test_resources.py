"""Resource use cases (docs/resources.md): rights, content rules, packages, handlers, audiences."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from dependency_injector import providers

from dynamic_mcp.adapters.handlers.outbound import OutboundPolicy
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.resources import ResourceNotFound
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container
from dynamic_mcp.domain.errors import Forbidden
from dynamic_mcp.domain.events import ResourceListChanged, ResourceUpdated
from dynamic_mcp.ports.handlers import ResourceContext

from .support import ADMIN, POWER, POWER2, USER, Caller, EventRecorder, TickingClock, echo_handler
from .test_http_tool import upstream

__all__ = ["upstream"]


def text_resource(uri: str = "test://notes", **extra: Any) -> dict[str, Any]:
    return {"resourceDefinition": {"uri": uri, "name": "notes", "text": "hello", "rolesPermitted": ["user"], **extra}}


async def test_power_user_adds_a_resource_users_read_and_plain_users_cannot_add(
    container: Container, power: Caller, user: Caller
) -> None:
    await power.ok("add-resource", **text_resource())
    assert [r.uri for r in await container.resource_service().list_resources(USER)] == ["test://notes"]
    assert (await container.resource_service().read(USER, "test://notes"))[0].text == "hello"
    assert "not found or not authorized" in await user.fails("add-resource", **text_resource("test://mine"))
    plain = await container.users().get(USER)
    assert plain is not None
    with pytest.raises(Forbidden, match="Only admins and power users"):  # the use case checks it for every door
        await container.resource_admin().add_resource(plain, text_resource("test://mine"))


async def test_only_creator_and_admins_change_or_delete_and_package_resources_are_fixed(
    container: Container, power: Caller, power2: Caller, admin: Caller
) -> None:
    await power.ok("add-resource", **text_resource())
    assert "not found or you don't have permission" in await power2.fails(
        "update-resource", uri="test://notes", updates={"text": "x"}
    )
    await admin.ok("update-resource", uri="test://notes", updates={"text": "by admin"})
    assert (await container.resource_service().read(POWER, "test://notes"))[0].text == "by admin"
    await power.ok("delete-resource", uri="test://notes")
    with pytest.raises(ResourceNotFound):
        await container.resource_service().read(POWER, "test://notes")


async def test_content_rules_and_the_size_cap(power: Caller) -> None:
    assert "exactly one of text, blob" in await power.fails("add-resource", **text_resource(blob="aGk="))
    assert "valid base64" in await power.fails(
        "add-resource", resourceDefinition={"uri": "a:b", "name": "n", "blob": "***"}
    )
    assert "absolute URI" in await power.fails("add-resource", **text_resource("no scheme"))
    assert "MAX_RESOURCE_BYTES" in await power.fails("add-resource", **text_resource(text="x" * (1024 * 1024 + 1)))
    assert "not a valid RFC 6570" in await power.fails(
        "add-resource", resourceDefinition={"uriTemplate": "a://{x", "name": "n", "text": "t"}
    )
    assert "Unknown handler type" in await power.fails(
        "add-resource", resourceDefinition={"uri": "a:b", "name": "n", "handler": {"type": "nope"}}
    )
    assert "management handler" in await power.fails(
        "add-resource", resourceDefinition={"uri": "a:b", "name": "n", "handler": {"type": "user-management"}}
    )


async def test_a_small_cap_refuses_larger_blobs() -> None:
    built = build_container(Settings(max_resource_bytes=4))
    built.clock.override(providers.Object(TickingClock()))
    await built.lifecycle().start()
    admin = Caller(built, ADMIN)
    big = base64.b64encode(b"12345").decode()
    assert "MAX_RESOURCE_BYTES" in await admin.fails(
        "add-resource", resourceDefinition={"uri": "a:b", "name": "n", "blob": big}
    )
    await admin.ok(
        "add-resource", resourceDefinition={"uri": "a:b", "name": "n", "blob": base64.b64encode(b"1234").decode()}
    )


async def test_changes_reach_exactly_who_reaches_the_resource(
    container: Container, power: Caller, events: EventRecorder, keys: dict[str, str]
) -> None:
    events.clear()
    await power.ok("add-resource", **text_resource(rolesPermitted=["power-user"]))
    changed = [e for e in events.events if isinstance(e, ResourceListChanged)]
    assert changed == [ResourceListChanged(frozenset({ADMIN, POWER, POWER2}))]  # a plain user is not reached
    events.clear()
    await power.ok("update-resource", uri="test://notes", updates={"description": "d"})
    assert not any(isinstance(e, ResourceUpdated) for e in events.events)  # the content did not change
    await power.ok("update-resource", uri="test://notes", updates={"text": "v2"})
    assert ResourceUpdated("test://notes", frozenset({ADMIN, POWER, POWER2})) in events.events


async def reader(uri: str, variables: dict[str, str], context: ResourceContext, config: Any) -> dict[str, Any]:
    return {"text": f"{config['greeting']} {variables.get('id', '-')} for {context.user.email}", "mimeType": "text/x"}


DOCS = HandlerPackage(
    name="docs",
    tools=[],
    handler=echo_handler,
    resources=[
        {"uri": "docs://readme", "name": "readme", "text": "Read me", "rolesPermitted": ["user"]},
        {
            "uriTemplate": "docs://items/{id}",
            "name": "item",
            "handler": {"type": "docs", "config": {"greeting": "Item"}},
            "rolesPermitted": ["user"],
            "completions": {"id": ["a1", "a2", "b1"]},
        },
    ],
    resource_handler=reader,
)


async def test_a_package_declares_resources_and_produces_dynamic_content(container: Container, keys: Any) -> None:
    await container.registrar().register(DOCS, announce=True)
    service = container.resource_service()
    assert [r.uri for r in await service.list_resources(USER)] == ["docs://readme"]
    assert [r.uri for r in await service.list_templates(USER)] == ["docs://items/{id}"]
    contents = await service.read(USER, "docs://items/42")
    assert (contents[0].uri, contents[0].text, contents[0].mime_type) == (
        "docs://items/42",
        f"Item 42 for {USER}",
        "text/x",
    )
    assert await service.complete(USER, "docs://items/{id}", "id", "a") == ["a1", "a2"]
    assert "Package resources cannot be changed" in await Caller(container, ADMIN).fails(
        "delete-resource", uri="docs://readme"
    )
    await container.resource_registration().store(DOCS, [], announce=True)  # a restart declaring none
    assert await service.list_resources(USER) == []  # no longer declared: pruned


async def test_the_http_package_backs_a_resource(container: Container, power: Caller, upstream: int) -> None:
    from dynamic_mcp.adapters.handlers import http_tool

    policy = OutboundPolicy.from_entries((f"127.0.0.1:{upstream}",))
    container.registry()._packages["http"] = http_tool.build_package(policy)  # allow the local upstream
    await power.ok(
        "add-resource",
        resourceDefinition={
            "uriTemplate": "weather://{city}",
            "name": "weather",
            "handler": {
                "type": "http",
                "config": {"url": f"http://127.0.0.1:{upstream}/w", "query": {"q": "{{city}}"}},
            },
            "rolesPermitted": ["user"],
        },
    )
    contents = await container.resource_service().read(USER, "weather://Paris")
    assert contents[0].mime_type == "application/json" and "q=Paris" in (contents[0].text or "")
