"""The principal-aware listen registry: a change reaches exactly the listen streams of its audience.

The streams are the SDK's own ``ListenHandler``s, served over a recording stand-in for the
transport's session (the one piece that would write to HTTP)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import mcp_types as types
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError

from dynamic_mcp.adapters.mcp.listeners import ListenerRegistry
from dynamic_mcp.adapters.memory.instances import InMemoryInstanceDirectory
from dynamic_mcp.adapters.system.clock import SystemClock
from dynamic_mcp.domain.events import PromptListChanged, ToolListChanged, UserChanged, UserSessionsRevoked
from dynamic_mcp.domain.instances import InstanceRecord

EMAILS = ("ada@example.com", "bob@example.com", "cy@example.com", "di@example.com")
TOOLS = "notifications/tools/list_changed"
PROMPTS = "notifications/prompts/list_changed"
ACK = "notifications/subscriptions/acknowledged"


class RecordingSession:
    """Stands in for the SDK's per-request ServerSession: keeps what a stream would write."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.acked = asyncio.Event()

    async def send_notification(self, notification: Any, related_request_id: Any = None) -> None:
        self.sent.append(notification.method)
        if notification.method == ACK:
            self.acked.set()

    def count(self, method: str) -> int:
        return self.sent.count(method)


class Stream:
    def __init__(self, registry: ListenerRegistry, email: str, request_id: int, *, tools: bool, prompts: bool) -> None:
        self.email = email
        self.session = RecordingSession()
        ctx: ServerRequestContext[Any, Any] = ServerRequestContext(
            session=self.session,  # type: ignore[arg-type]
            lifespan_context=None,
            protocol_version="2026-07-28",
            method="subscriptions/listen",
            request_id=request_id,
        )
        wanted = types.SubscriptionFilter(tools_list_changed=tools or None, prompts_list_changed=prompts or None)
        params = types.SubscriptionsListenRequestParams(notifications=wanted)
        self.task = asyncio.get_running_loop().create_task(registry.listen(email, ctx, params))

    async def opened(self) -> None:
        await asyncio.wait_for(self.session.acked.wait(), 5)


async def settle() -> None:
    for _ in range(5):  # let every stream task drain its buffer onto its session
        await asyncio.sleep(0)


audiences = st.one_of(st.none(), st.frozensets(st.sampled_from(EMAILS)))
changes = st.lists(
    st.tuples(st.sampled_from(["tools", "prompts"]), audiences),
    min_size=1,
    max_size=5,
)
listeners = st.lists(st.tuples(st.sampled_from(EMAILS), st.booleans(), st.booleans()), max_size=8)


@settings(max_examples=60)
@given(listeners=listeners, changes=changes)
def test_delivered_set_is_the_audience_among_the_listeners(
    listeners: list[tuple[str, bool, bool]], changes: list[tuple[str, frozenset[str] | None]]
) -> None:
    async def scenario() -> None:
        registry = ListenerRegistry()
        streams = [Stream(registry, e, i, tools=t, prompts=p) for i, (e, t, p) in enumerate(listeners)]
        for stream in streams:
            await stream.opened()
        for kind, audience in changes:
            event = ToolListChanged(audience) if kind == "tools" else PromptListChanged(audience)
            await registry.on_event(event)
            await settle()
        for stream, (_, wanted_tools, wanted_prompts) in zip(streams, listeners, strict=True):
            reached = [kind for kind, audience in changes if audience is None or stream.email in audience]
            assert stream.session.count(TOOLS) == (reached.count("tools") if wanted_tools else 0)
            assert stream.session.count(PROMPTS) == (reached.count("prompts") if wanted_prompts else 0)
            assert stream.session.sent[0] == ACK  # the acknowledgement is always the first frame
        listening = {e for e, _, _ in listeners}
        assert registry.listening() == listening
        for stream in streams:
            stream.task.cancel()
        await asyncio.gather(*(s.task for s in streams), return_exceptions=True)
        assert registry.listening() == frozenset()

    asyncio.run(scenario())


async def test_revocation_ends_only_that_users_streams_gracefully() -> None:
    registry = ListenerRegistry()
    ada_laptop = Stream(registry, EMAILS[0], 1, tools=True, prompts=False)
    ada_phone = Stream(registry, EMAILS[0], 2, tools=True, prompts=True)
    bob = Stream(registry, EMAILS[1], 3, tools=True, prompts=False)
    for stream in (ada_laptop, ada_phone, bob):
        await stream.opened()
    before = registry.revocations(EMAILS[0])
    await registry.on_event(UserSessionsRevoked(EMAILS[0]))
    for stream in (ada_laptop, ada_phone):
        result = await asyncio.wait_for(stream.task, 5)
        assert isinstance(result, types.SubscriptionsListenResult)  # the graceful final frame
    assert not bob.task.done() and registry.streams_of(EMAILS[1]) == 1 and registry.streams_of(EMAILS[0]) == 0
    await registry.on_event(ToolListChanged(None))
    await settle()
    assert bob.session.count(TOOLS) == 1
    # A listen authenticated before the reset but arriving after it is refused.
    ctx: ServerRequestContext[Any, Any] = ServerRequestContext(
        session=RecordingSession(),  # type: ignore[arg-type]
        lifespan_context=None,
        protocol_version="2026-07-28",
        method="subscriptions/listen",
        request_id=9,
    )
    params = types.SubscriptionsListenRequestParams(notifications=types.SubscriptionFilter(tools_list_changed=True))
    with pytest.raises(MCPError):
        await registry.listen(EMAILS[0], ctx, params, authenticated_at=before)
    bob.task.cancel()


async def test_other_events_and_unknown_users_deliver_nothing() -> None:
    registry = ListenerRegistry()
    stream = Stream(registry, EMAILS[0], 1, tools=True, prompts=True)
    await stream.opened()
    await registry.on_event(UserChanged(EMAILS[0]))
    await registry.on_event(ToolListChanged(frozenset({EMAILS[1]})))
    await registry.on_event(UserSessionsRevoked(EMAILS[2]))
    await settle()
    assert stream.session.sent == [ACK] and not stream.task.done()
    stream.task.cancel()


async def test_stream_limits_are_enforced_per_user_and_in_total() -> None:
    registry = ListenerRegistry(max_streams=3, max_streams_per_user=2)
    streams = [Stream(registry, EMAILS[0], 1, tools=True, prompts=False)]
    streams.append(Stream(registry, EMAILS[0], 2, tools=True, prompts=False))
    for stream in streams:
        await stream.opened()
    third = Stream(registry, EMAILS[0], 3, tools=True, prompts=False)
    with pytest.raises(MCPError, match="limit"):
        await third.task
    streams.append(Stream(registry, EMAILS[1], 4, tools=True, prompts=False))
    await streams[-1].opened()
    fourth = Stream(registry, EMAILS[2], 5, tools=True, prompts=False)
    with pytest.raises(MCPError, match="limit"):
        await fourth.task
    for stream in streams:
        stream.task.cancel()


async def test_each_stream_is_recorded_and_a_close_asked_anywhere_ends_it_gracefully() -> None:
    directory = InMemoryInstanceDirectory()
    clock = SystemClock()
    now = clock.now()
    await directory.beat(InstanceRecord("here", "1", now, now, now + timedelta(minutes=1)))
    registry = ListenerRegistry(directory=directory, instance="here", clock=clock, heartbeat_seconds=20)
    follower = asyncio.get_running_loop().create_task(registry.follow_closes())
    ada, bob = (
        Stream(registry, EMAILS[0], 1, tools=True, prompts=False),
        Stream(registry, EMAILS[1], 2, tools=True, prompts=False),
    )
    await ada.opened()
    await bob.opened()
    records = await directory.listeners(clock.now())
    assert [(r.email, r.instance) for r in records] == [(EMAILS[0], "here"), (EMAILS[1], "here")]
    assert await directory.request_close(records[0].key, clock.now())
    result = await asyncio.wait_for(ada.task, 5)
    assert isinstance(result, types.SubscriptionsListenResult)  # the graceful final frame
    assert not bob.task.done()
    for _ in range(20):
        await asyncio.sleep(0)
    assert [r.email for r in await directory.listeners(clock.now())] == [EMAILS[1]]
    bob.task.cancel()
    follower.cancel()
