"""The session registry over a shared store, as two instances see it (no transport: a fake host)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from dynamic_mcp.adapters.mcp import sessions as sessions_module
from dynamic_mcp.adapters.mcp.sessions import SessionRegistry
from dynamic_mcp.adapters.memory.mcp_sessions import InMemorySessionRepository
from dynamic_mcp.domain.mcp_sessions import StoredSession, session_key

INIT = {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "c", "version": "1"}}


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


class Host:
    def __init__(self) -> None:
        self.restored: list[tuple[str, StoredSession]] = []
        self.closed: list[str] = []

    async def close_session(self, session_id: str) -> None:
        self.closed.append(session_id)

    async def restore_session(self, session_id: str, record: StoredSession) -> bool:
        self.restored.append((session_id, record))
        return True


def instance(store: InMemorySessionRepository, clock: Clock, **kwargs: object) -> tuple[SessionRegistry, Host]:
    registry = SessionRegistry(store, clock, idle_timeout_seconds=600, **kwargs)  # type: ignore[arg-type]
    host = Host()
    registry.attach_closer(host)
    return registry, host


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_session_opened_on_one_instance_is_rebuilt_on_another_with_its_params() -> None:
    store, clock = InMemorySessionRepository(), Clock()
    a, _ = instance(store, clock)
    b, b_host = instance(store, clock)
    await a.opened("s1", "u@x.io", INIT)
    assert await b.owner("s1") == "u@x.io"
    ((session_id, record),) = b_host.restored
    assert session_id == "s1" and record.protocol_version == "2025-03-26" and record.client_params == INIT
    assert await b.owner("s1") == "u@x.io" and len(b_host.restored) == 1  # rebuilt once
    assert await b.owner("unknown") is None


async def test_idle_here_keeps_the_record_another_instance_used_since() -> None:
    store, clock = InMemorySessionRepository(), Clock()
    a, _ = instance(store, clock)
    b, _ = instance(store, clock)
    await a.opened("busy", "u@x.io", INIT)
    await a.opened("idle", "u@x.io", INIT)
    clock.at += timedelta(seconds=5)
    assert await b.owner("busy") == "u@x.io"  # b writes its first use at once
    a.closed("busy")
    a.closed("idle")
    await settle()
    assert await store.get(session_key("busy"), clock.now()) is not None
    assert await store.get(session_key("idle"), clock.now()) is None


async def test_a_stopping_instance_leaves_its_sessions_to_the_others() -> None:
    store, clock = InMemorySessionRepository(), Clock()
    a, _ = instance(store, clock)
    await a.opened("s1", "u@x.io", INIT)
    a.stopping()
    a.closed("s1")
    await settle()
    assert await store.get(session_key("s1"), clock.now()) is not None


async def test_a_close_anywhere_refuses_at_once_and_closes_after_the_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sessions_module, "CLOSE_GRACE_SECONDS", 0.05)
    store, clock = InMemorySessionRepository(), Clock()
    a, a_host = instance(store, clock)
    b, _ = instance(store, clock)
    following = asyncio.create_task(a.follow_removals())
    await settle()
    await a.opened("s1", "u@x.io", INIT)
    assert await b.owner("s1") == "u@x.io"
    await b.ended_by_client("s1")  # the DELETE reached b
    await settle()
    assert await a.owner("s1") is None and a_host.closed == []
    await asyncio.sleep(0.2)
    assert a_host.closed == ["s1"]
    following.cancel()


async def test_the_per_user_cap_counts_sessions_on_every_instance() -> None:
    store, clock = InMemorySessionRepository(), Clock()
    a, _ = instance(store, clock)
    b, _ = instance(store, clock)
    for i in range(2):
        assert await a.reserve("u@x.io", 3)
        await a.opened(f"s{i}", "u@x.io", INIT)
        a.release("u@x.io")
    assert await b.reserve("u@x.io", 3)  # the third, held while it opens
    assert not await b.reserve("u@x.io", 3)
    assert await b.reserve("other@x.io", 3)


async def test_single_session_mode_keeps_the_newest_on_every_instance() -> None:
    store, clock = InMemorySessionRepository(), Clock()
    a, _ = instance(store, clock, single_session_per_user=True)
    b, _ = instance(store, clock, single_session_per_user=True)
    await a.opened("old", "u@x.io", INIT)
    clock.at += timedelta(seconds=1)
    await b.opened("new", "u@x.io", INIT)
    await b.established("new")
    await a.established("old")  # answered last, but opened first: it lost
    assert [s.key for s in await store.of_user("u@x.io", clock.now())] == [session_key("new")]
    assert await a.owner("old") is None
