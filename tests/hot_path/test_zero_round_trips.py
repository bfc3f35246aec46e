"""a steady-state tools/list and tools/call does no store round trip.

Memory: the stores are wrapped in call counters. Mongo: pymongo command monitoring counts every
command the driver sends. Both count after a warm-up call: the rest must be zero.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dependency_injector import providers
from pymongo import AsyncMongoClient, monitoring

from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container, prepare_storage

ADMIN = "admin@example.com"
KEY = "hot-path-admin-key"
REPEATS = 25


class Counting:
    """Forwards every coroutine method to ``inner`` and counts the calls."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target):
            return target

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return await target(*args, **kwargs)

        return counted


class CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in ("hello", "isMaster", "ping", "endSessions"):
            self.commands.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def prepare_world(container: Container) -> tuple[str, str]:
    """An admin-made tool on the echo package, shared (read) with a plain user."""
    await prepare_storage(container)
    await container.lifecycle().start()
    calls = container.call_service()
    user = f"user-{uuid.uuid4().hex[:6]}@example.com"
    added = await calls.call_tool(ADMIN, "add-user", {"email": user, "roles": ["user"]})
    assert not added.is_error, added.text
    tool = {"name": "hot", "inputSchema": {"type": "object"}, "handler": {"type": "echo", "config": {}}}
    assert not (await calls.call_tool(ADMIN, "add-tool", {"toolDefinition": tool})).is_error
    shared = await calls.call_tool(ADMIN, "share-tool", {"email": user, "toolId": "hot", "accessLevel": "read"})
    assert not shared.is_error, shared.text
    return user, f"{ADMIN}:hot"


async def steady_state(container: Container, user: str, key_hash: str) -> None:
    """What every request of a live session does: authenticate, then list or call."""
    assert await container.users().get_by_key_hash(key_hash) is not None
    calls = container.call_service()
    assert "hot" in [t.name for t in await calls.list_tools(user)]
    outcome = await calls.call_tool(user, "hot", {"x": 1})
    assert not outcome.is_error, outcome.text


@pytest.fixture
async def memory_world() -> AsyncIterator[tuple[Container, Counting, Counting]]:
    container = build_container(Settings(admin_email=ADMIN, admin_api_key=KEY))
    users = Counting(container.user_store())
    tools = Counting(container.tool_store())
    container.user_store.override(providers.Object(users))
    container.tool_store.override(providers.Object(tools))
    yield container, users, tools


async def test_memory_steady_state_calls_touch_no_store(memory_world: tuple[Container, Counting, Counting]) -> None:
    container, users, tools = memory_world
    user, _ = await prepare_world(container)
    key_hash = container.hasher().digest(KEY).hash
    await steady_state(container, user, key_hash)  # warm-up
    users.calls.clear()
    tools.calls.clear()
    for _ in range(REPEATS):
        await steady_state(container, user, key_hash)
    assert users.calls == [] and tools.calls == []


async def test_memory_changes_still_show_up_on_the_next_request(
    memory_world: tuple[Container, Counting, Counting],
) -> None:
    container, _, _ = memory_world
    user, tool_id = await prepare_world(container)
    calls = container.call_service()
    assert "hot" in [t.name for t in await calls.list_tools(user)]
    await calls.call_tool(ADMIN, "unshare-tool", {"email": user, "toolId": tool_id})
    assert "hot" not in [t.name for t in await calls.list_tools(user)]
    await calls.call_tool(ADMIN, "share-tool", {"email": user, "toolId": tool_id, "accessLevel": "read"})
    await calls.call_tool(ADMIN, "update-tool", {"name": tool_id, "updates": {"description": "new"}})
    listed = {t.name: t for t in await calls.list_tools(user)}
    assert listed["hot"].description == "new"
    await calls.call_tool(ADMIN, "delete-user", {"email": user})
    outcome = await calls.call_tool(user, "hot", {})
    assert outcome.is_error  # a deleted user's calls fail at once (docs/access.md)


@pytest.mark.mongo
async def test_mongo_steady_state_calls_send_no_database_command(mongo_uri: str) -> None:
    counter = CommandCounter()
    settings = Settings(
        mongodb_uri=mongo_uri, mongodb_db=f"hot-{uuid.uuid4().hex[:8]}", admin_email=ADMIN, admin_api_key=KEY
    )
    container = build_container(settings)
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri, tz_aware=True, event_listeners=[counter])
    container.mongo_client.override(providers.Object(client))
    try:
        user, _ = await prepare_world(container)
        key_hash = container.hasher().digest(KEY).hash
        await steady_state(container, user, key_hash)
        counter.commands.clear()
        for _ in range(REPEATS):
            await steady_state(container, user, key_hash)
        assert counter.commands == []
    finally:
        await client.drop_database(settings.mongodb_db)
        await client.close()
