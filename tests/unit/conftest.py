"""Fixtures for application-level unit tests: a started in-memory container per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from dependency_injector import providers

from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container
from dynamic_mcp.domain.users import User

from .support import ADMIN, CUSTOM, POWER, POWER2, USER, USER2, Caller, EventRecorder, TickingClock, echo_package

ROLES_OF = {POWER: ["power-user"], POWER2: ["power-user"], USER: ["user"], USER2: ["user"], CUSTOM: ["custom"]}


@pytest.fixture
async def container() -> AsyncIterator[Container]:
    """Admin bootstrapped, built-ins and the tool-less ``echo`` package registered; nobody else yet."""
    built = build_container(Settings())
    built.clock.override(providers.Object(TickingClock()))
    await built.lifecycle().start(extra_packages=[echo_package()])
    yield built
    built.clock.reset_override()


@pytest.fixture
async def keys(container: Container) -> dict[str, str]:
    """The cast of every application test, added through add-user; their plain keys by email."""
    admin = Caller(container, ADMIN)
    issued = {}
    for email, roles in ROLES_OF.items():
        if email == CUSTOM:
            continue
        envelope = await admin.ok("add-user", email=email, name=email.split("@")[0].upper(), roles=roles)
        issued[email] = envelope["result"]["apiKey"]
    # add-user accepts only the built-in roles (its schema's enum); other role strings are stored data (docs/access.md).
    key = container.key_issuer().issue()
    await container.users().add(User(email=CUSTOM, name="C", roles=("custom",), api_key=key.digest))
    issued[CUSTOM] = key.plain
    # Each of them (and the admin) holds a live session here: changes are announced to live users.
    for email in (ADMIN, *issued):
        container.live_audience().join(email)
    return issued


@pytest.fixture
def events(container: Container) -> EventRecorder:
    recorder = EventRecorder()
    container.event_bus().subscribe(recorder)
    return recorder


@pytest.fixture
def admin(container: Container) -> Caller:
    return Caller(container, ADMIN)


@pytest.fixture
def power(container: Container, keys: dict[str, str]) -> Caller:
    return Caller(container, POWER)


@pytest.fixture
def power2(container: Container, keys: dict[str, str]) -> Caller:
    return Caller(container, POWER2)


@pytest.fixture
def user(container: Container, keys: dict[str, str]) -> Caller:
    return Caller(container, USER)


@pytest.fixture
def user2(container: Container, keys: dict[str, str]) -> Caller:
    return Caller(container, USER2)


@pytest.fixture
def custom(container: Container, keys: dict[str, str]) -> Caller:
    return Caller(container, CUSTOM)
