"""The change follower turns another writer's change into cache refreshes and local events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from dynamic_mcp.adapters.memory.events import InMemoryEventBus
from dynamic_mcp.adapters.memory.repositories import InMemoryToolRepository, InMemoryUserRepository
from dynamic_mcp.application.audience import LiveAudience
from dynamic_mcp.application.caching import CachedToolRepository, CachedUserRepository
from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.changes import ChangeFollower, user_events
from dynamic_mcp.application.packages import HandlerRegistry
from dynamic_mcp.domain.events import (
    PromptListChanged,
    ResourceListChanged,
    ToolListChanged,
    UserChanged,
    UserSessionsRevoked,
)
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import HandlerRef, Tool
from dynamic_mcp.domain.users import ApiKeyDigest, User
from dynamic_mcp.ports.changes import Change, StoreReset, ToolStored, UserStored
from dynamic_mcp.ports.metrics import NoMetrics
from tests.unit.support import EventRecorder, TickingClock

BOB = User("bob@x.io", roles=("user",), api_key=ApiKeyDigest("h1", "p1"))
CAROL = User("carol@x.io", roles=("power-user",), api_key=ApiKeyDigest("h2", "p2"))
TOOL = Tool("t", "carol@x.io", {"type": "object"}, HandlerRef("echo"), roles_permitted=("user",))


class NoListing(InMemoryUserRepository):
    async def list_users(self, *args: Any, **kwargs: Any) -> list[User]:
        raise AssertionError("a change must never list every user")


class IdleFeed:
    async def open(self) -> bool:
        return True

    async def changes(self) -> AsyncIterator[Change]:
        return
        yield

    async def close(self) -> None:
        return None


@attrs.define
class World:
    follower: ChangeFollower
    users: CachedUserRepository
    store: NoListing
    tools: CachedToolRepository
    tool_store: InMemoryToolRepository
    recorder: EventRecorder
    live: LiveAudience


@pytest.fixture
async def world() -> World:
    clock = TickingClock()
    store = NoListing(clock)
    tool_store = InMemoryToolRepository(clock)
    users, tools = CachedUserRepository(store), CachedToolRepository(tool_store)
    bus = InMemoryEventBus()
    recorder = EventRecorder()
    bus.subscribe(recorder)
    live = LiveAudience(users)
    bus.subscribe(live.on_event)
    catalog = Catalog(users, tools, HandlerRegistry(), bus, live)
    follower = ChangeFollower(IdleFeed(), users, tools, catalog, bus, clock, NoMetrics())
    for user in (BOB, CAROL):
        await store.add(user)
    return World(follower, users, store, tools, tool_store, recorder, live)


def stored(before: Any, after: Any, *, own: bool = False, before_known: bool = True) -> Any:
    kind = ToolStored if isinstance(before or after, Tool) else UserStored
    return kind(written_at=None, own=own, before_known=before_known, before=before, after=after)


async def test_a_tool_change_is_announced_to_live_users_who_reach_it(world: World) -> None:
    world.live.join(BOB.email)
    world.live.join(CAROL.email)
    await world.tools.snapshot()
    await world.tool_store.upsert(TOOL)  # written by another instance: this cache has not seen it

    await world.follower.apply(stored(None, TOOL))

    assert world.recorder.tool_audiences() == [frozenset({BOB.email, CAROL.email})]
    assert [t.name for t in await world.tools.list_all()] == ["t"]


async def test_users_without_a_live_session_here_are_not_told(world: World) -> None:
    await world.users.get(CAROL.email)  # known here, but no session or listener left
    world.live.join(BOB.email)
    world.live.join(CAROL.email)
    world.live.leave(CAROL.email)
    await world.follower.apply(stored(None, TOOL))
    assert world.recorder.tool_audiences() == [frozenset({BOB.email})]


async def test_an_own_write_changes_nothing(world: World) -> None:
    await world.users.get(BOB.email)
    await world.follower.apply(stored(BOB, attrs.evolve(BOB, roles=("admin",)), own=True))
    assert world.recorder.events == []
    assert world.users.cached(BOB.email) is not None


async def test_a_reset_drops_every_cache_and_tells_everyone(world: World) -> None:
    await world.users.get(BOB.email)
    await world.tools.snapshot()
    version = world.tools.version
    await world.follower.apply(StoreReset("history lost"))
    assert world.users.cached(BOB.email) is None
    assert world.tools.version != version
    assert ToolListChanged(None) in world.recorder.events and PromptListChanged(None) in world.recorder.events


SHARE = Share("carol@x.io:t", "carol@x.io", AccessLevel.READ, None)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (attrs.evolve(BOB, name="Bob"), [UserChanged(BOB.email)]),
        (attrs.evolve(BOB, api_key=ApiKeyDigest("h9", "p9")), [UserChanged(BOB.email), UserSessionsRevoked(BOB.email)]),
        (
            attrs.evolve(BOB, shared_tools=(SHARE,)),
            [UserChanged(BOB.email), ToolListChanged(frozenset({BOB.email}))],
        ),
        (
            attrs.evolve(BOB, hidden_tools=("carol@x.io:t",)),
            [UserChanged(BOB.email), ToolListChanged(frozenset({BOB.email}))],
        ),
        (
            attrs.evolve(BOB, roles=("admin",)),
            [
                UserChanged(BOB.email),
                ToolListChanged(frozenset({BOB.email})),
                PromptListChanged(frozenset({BOB.email})),
                ResourceListChanged(frozenset({BOB.email})),
            ],
        ),
        (None, [UserChanged(BOB.email), UserSessionsRevoked(BOB.email)]),
    ],
)
def test_user_changes_imply_the_events_the_use_cases_publish(after: User | None, expected: list[Any]) -> None:
    assert user_events(BOB, after, True, BOB.email) == expected


def test_an_unknown_earlier_state_tells_the_user_everything_may_have_changed() -> None:
    events = user_events(None, BOB, False, BOB.email)
    assert ToolListChanged(frozenset({BOB.email})) in events and PromptListChanged(frozenset({BOB.email})) in events


async def test_a_remote_user_change_drops_the_cached_record_and_its_key(world: World) -> None:
    assert await world.users.get_by_key_hash("h1") is not None
    await world.store.set_api_key(BOB.email, ApiKeyDigest("h9", "p9"))
    await world.follower.apply(stored(BOB, attrs.evolve(BOB, api_key=ApiKeyDigest("h9", "p9"))))
    assert await world.users.get_by_key_hash("h1") is None
    assert UserSessionsRevoked(BOB.email) in world.recorder.events


async def test_each_change_reports_its_lag_to_the_metrics() -> None:
    lags: list[float] = []

    class Recording(NoMetrics):
        def change_stream_lag(self, seconds: float) -> None:
            lags.append(seconds)

    clock = TickingClock()
    users, tools = CachedUserRepository(NoListing(clock)), CachedToolRepository(InMemoryToolRepository(clock))
    bus = InMemoryEventBus()
    catalog = Catalog(users, tools, HandlerRegistry(), bus, LiveAudience(users))
    follower = ChangeFollower(IdleFeed(), users, tools, catalog, bus, clock, Recording())
    written = clock.now()
    await follower.apply(UserStored(written_at=written, own=True, before_known=True, before=BOB, after=BOB))
    assert len(lags) == 1 and 0 < lags[0] < 1
    assert follower.lag_seconds == lags[0]


async def test_a_rewrite_that_only_moves_timestamps_tells_nobody(world: World) -> None:
    """A restarting instance rewrites its package tools: no listing changes, no notification."""
    world.live.join(BOB.email)
    await world.tools.snapshot()
    stamped = attrs.evolve(TOOL, updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    await world.follower.apply(stored(TOOL, stamped))
    assert world.recorder.tool_audiences() == []
    await world.follower.apply(stored(stamped, attrs.evolve(stamped, description="new")))
    assert world.recorder.tool_audiences() == [frozenset({BOB.email})]


async def test_a_tool_written_elsewhere_resolves_before_its_change_arrives(world: World) -> None:
    """A call or share right after a create on another instance finds the tool (one store read),
    and the read-through never widens anyone's rights."""
    catalog = Catalog(world.users, world.tools, HandlerRegistry(), InMemoryEventBus(), world.live)
    bob, carol = await catalog.current_user(BOB.email), await catalog.current_user(CAROL.email)
    assert await catalog.resolve(carol, "t") is None  # toolsets built and cached, without the tool
    written = await world.tool_store.upsert(TOOL)  # another instance's write; the feed is behind
    await world.tool_store.upsert(attrs.evolve(TOOL, name="private", roles_permitted=None))

    assert await catalog.resolve(carol, "t") == written  # her own, by plain name
    assert await catalog.resolve(bob, "carol@x.io:t") == written  # by id, through his role
    assert await catalog.resolve(bob, "carol@x.io:private") is None  # found, but not his to reach
    assert await catalog.resolve(bob, "private") is None
    assert await catalog.resolve(bob, "nobody@x.io:t") is None


async def test_toolsets_are_bounded_by_the_tools_they_hold_together(world: World) -> None:
    """Per-user views of a big catalogue are evicted by weight, least recent first."""
    catalog = Catalog(world.users, world.tools, HandlerRegistry(), InMemoryEventBus(), world.live, max_tool_entries=20)
    for i in range(20):
        await world.tools.upsert(attrs.evolve(TOOL, name=f"t{i}"))  # Carol's 20 tools, open to Bob's role
    bob, carol = await catalog.current_user(BOB.email), await catalog.current_user(CAROL.email)
    await catalog.toolset(bob)  # weighs 1: he shares his role's tuple
    await catalog.toolset(carol)  # 1 + 21 entries of her own > 20: Bob's, the older, goes
    builds = catalog.builds
    await catalog.toolset(carol)
    assert catalog.builds == builds
    await catalog.toolset(bob)
    assert catalog.builds == builds + 1


async def test_users_who_reach_tools_by_roles_alone_share_one_tuple_until_the_catalogue_changes(world: World) -> None:
    catalog = Catalog(world.users, world.tools, HandlerRegistry(), InMemoryEventBus(), world.live)
    await world.tools.upsert(TOOL)
    dave = User("dave@x.io", roles=("user",), api_key=ApiKeyDigest("h3", "p3"))
    await world.store.add(dave)
    bob, dave = await catalog.current_user(BOB.email), await catalog.current_user(dave.email)
    first, second = await catalog.toolset(bob), await catalog.toolset(dave)
    assert first.accessible is second.accessible and first.lookup is second.lookup is not None
    assert second.resolve("t") == second.resolve("carol@x.io:t") == await world.tools.get(TOOL.creator, "t")
    await world.tools.upsert(attrs.evolve(TOOL, name="u"))
    again = await catalog.toolset(dave)
    assert again.accessible is not first.accessible
    assert [t.name for t in again.accessible] == ["t", "u"]


async def test_a_second_start_leaves_one_reader_on_the_feed() -> None:
    class CountingFeed(IdleFeed):
        opened = 0

        async def open(self) -> bool:
            CountingFeed.opened += 1
            return True

        async def changes(self) -> AsyncIterator[Change]:
            await asyncio.Event().wait()  # follows until stopped
            yield StoreReset("never")

    clock = TickingClock()
    users, tools = (
        CachedUserRepository(InMemoryUserRepository(clock)),
        CachedToolRepository(InMemoryToolRepository(clock)),
    )
    bus = InMemoryEventBus()
    catalog = Catalog(users, tools, HandlerRegistry(), bus, LiveAudience(users))
    follower = ChangeFollower(CountingFeed(), users, tools, catalog, bus, clock, NoMetrics())
    assert await follower.start() and await follower.start()
    assert CountingFeed.opened == 1
    await follower.stop()
