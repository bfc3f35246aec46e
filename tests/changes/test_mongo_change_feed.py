"""Changes written by another writer reach this instance through MongoDB change streams.

Two containers on one database play two instances in one process: "here" follows the change
feed, "there" (or a third that never follows, like the CLI) writes through the same use cases.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from dynamic_mcp.application.changes import ChangeFollower
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container, prepare_storage, start_following, stop_following
from dynamic_mcp.domain.events import (
    ChangeEvent,
    PromptListChanged,
    ToolListChanged,
    UserChanged,
    UserSessionsRevoked,
)

ADMIN = "admin@example.com"
ADMIN_KEY = "change-feed-admin-key-0123456789"
BOB = "bob@example.com"
CAROL = "carol@example.com"
WITHIN = 5.0  # generous on a loaded machine; the deployment test holds the 1 s target


class Recorder:
    def __init__(self) -> None:
        self.events: list[ChangeEvent] = []

    async def __call__(self, event: ChangeEvent) -> None:
        self.events.append(event)

    def tool_audiences(self) -> list[frozenset[str] | None]:
        return [e.emails for e in self.events if isinstance(e, ToolListChanged)]

    def told(self, email: str) -> bool:
        """A tools/list_changed reached (or would reach) ``email``."""
        return any(a is None or email in a for a in self.tool_audiences())


async def eventually(check: Callable[[], Any], within: float = WITHIN) -> float:
    """Poll ``check`` (sync or async) until truthy; the seconds it took."""
    start = time.monotonic()
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return time.monotonic() - start
        if time.monotonic() - start > within:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(0.01)


async def open_instance(uri: str, db: str, *, follow: bool) -> tuple[Container, Recorder]:
    container = build_container(Settings(mongodb_uri=uri, mongodb_db=db, admin_email=ADMIN, admin_api_key=ADMIN_KEY))
    await prepare_storage(container)
    if follow:
        await start_following(container)
    await container.lifecycle().start()
    recorder = Recorder()
    container.event_bus().subscribe(recorder)
    if follow:
        container.live_audience().join(ADMIN)  # the admin holds a session here
    return container, recorder


async def call(container: Container, caller: str, tool: str, /, **args: Any) -> str:
    outcome = await container.call_service().call_tool(caller, tool, args)
    assert not outcome.is_error, outcome.text
    return outcome.text


def follower(container: Container) -> ChangeFollower:
    found = container.change_follower()
    assert found is not None
    return found


@pytest.fixture
async def two_instances(mongo_uri: str, fresh_database_name: Callable[[str], str]) -> AsyncIterator[Any]:
    db = fresh_database_name("changes")
    there, _ = await open_instance(mongo_uri, db, follow=False)
    here, recorder = await open_instance(mongo_uri, db, follow=True)
    try:
        yield here, recorder, there
    finally:
        await stop_following(here)
        await here.mongo_client().close()
        await there.mongo_client().close()


async def add_user(container: Container, email: str, role: str = "user") -> str:
    outcome = await container.call_service().call_tool(ADMIN, "add-user", {"email": email, "roles": [role]})
    assert not outcome.is_error, outcome.text
    return str(re.search(r'"apiKey": ?"([^"]+)"', outcome.text).group(1))  # type: ignore[union-attr]


async def add_tool(container: Container, name: str, **extra: Any) -> None:
    definition = {"name": name, "inputSchema": {"type": "object"}, "handler": {"type": "echo", "config": {}}, **extra}
    outcome = await container.call_service().call_tool(ADMIN, "add-tool", {"toolDefinition": definition})
    assert not outcome.is_error, outcome.text


async def test_a_share_made_elsewhere_refreshes_the_user_and_notifies_them(two_instances: Any) -> None:
    here, recorder, there = two_instances
    await add_user(there, BOB)
    await add_tool(there, "greet")
    assert "greet" not in [t.name for t in await here.call_service().list_tools(BOB)]
    here.live_audience().join(BOB)  # bob holds a session here
    recorder.events.clear()

    await call(there, ADMIN, "share-tool", email=BOB, toolId=f"{ADMIN}:greet", accessLevel="read")

    await eventually(lambda: frozenset({BOB}) in recorder.tool_audiences())
    assert UserChanged(BOB) in recorder.events
    assert "greet" in [t.name for t in await here.call_service().list_tools(BOB)]


async def test_a_key_reset_elsewhere_refuses_the_old_key_here(two_instances: Any) -> None:
    here, recorder, there = two_instances
    old_key = await add_user(there, BOB)
    assert await here.authenticator().authenticate(old_key) is not None  # cached here now

    await call(there, ADMIN, "reset-api-key", email=BOB, userConfirmed=True)

    async def refused() -> bool:
        return await here.authenticator().authenticate(old_key) is None

    await eventually(refused)
    await eventually(lambda: UserSessionsRevoked(BOB) in recorder.events)


async def test_a_deleted_user_is_forgotten_and_their_sessions_revoked(two_instances: Any) -> None:
    here, recorder, there = two_instances
    key = await add_user(there, BOB)
    assert await here.authenticator().authenticate(key) is not None

    await call(there, ADMIN, "delete-user", email=BOB)

    await eventually(lambda: UserSessionsRevoked(BOB) in recorder.events)
    assert await here.authenticator().authenticate(key) is None
    assert here.users().cached(BOB) is None


async def test_a_tool_added_elsewhere_is_announced_to_the_known_users_who_can_reach_it(two_instances: Any) -> None:
    here, recorder, there = two_instances
    await add_user(there, BOB, "user")
    await add_user(there, CAROL, "power-user")
    for email in (BOB, CAROL):
        await here.call_service().list_tools(email)
        here.live_audience().join(email)  # each holds a session here
    recorder.events.clear()

    await add_tool(there, "for-power-users", rolesPermitted=["power-user"])

    await eventually(lambda: recorder.tool_audiences())
    # bob's role does not reach power-user tools (roles nest upwards only, ADR 0015); the admin
    # (live here) reaches every tool
    assert recorder.tool_audiences() == [frozenset({CAROL, ADMIN})]
    assert "for-power-users" in [t.name for t in await here.call_service().list_tools(CAROL)]

    recorder.events.clear()
    await call(there, ADMIN, "delete-tool", name=f"{ADMIN}:for-power-users")
    await eventually(lambda: recorder.told(CAROL))
    assert "for-power-users" not in [t.name for t in await here.call_service().list_tools(CAROL)]


async def test_a_prompt_added_elsewhere_is_announced(two_instances: Any) -> None:
    here, recorder, there = two_instances
    await add_user(there, BOB)
    here.live_audience().join(BOB)
    recorder.events.clear()
    prompt = {
        "name": "hello",
        "description": "Hi",
        "handler": {"type": "echo", "config": {}},
        "rolesPermitted": ["user"],
    }
    outcome = await there.call_service().call_tool(ADMIN, "add-prompt", prompt)
    assert not outcome.is_error, outcome.text
    await eventually(lambda: PromptListChanged(frozenset({BOB, ADMIN})) in recorder.events)


async def test_own_writes_are_announced_once(two_instances: Any) -> None:
    here, recorder, there = two_instances
    await add_user(here, BOB)
    await add_tool(here, "mine")
    await here.call_service().list_tools(BOB)
    applied = follower(here).applied
    recorder.events.clear()

    await call(here, ADMIN, "share-tool", email=BOB, toolId=f"{ADMIN}:mine", accessLevel="read")
    await call(here, ADMIN, "hide-tool", toolId=[f"{ADMIN}:mine"])
    # the follower has seen both writes come back from the stream...
    await eventually(lambda: follower(here).applied >= applied + 2)
    await asyncio.sleep(0.2)
    # ...and announced nothing more than the use cases did when they made them
    assert recorder.tool_audiences() == [frozenset({BOB}), frozenset({ADMIN})]


async def test_a_standalone_server_is_followed_by_no_one_and_says_so(
    caplog: pytest.LogCaptureFixture, fresh_database_name: Callable[[str], str]
) -> None:
    from tests.support.mongod import MongodProcess

    server = MongodProcess(replica_set=False).start()
    try:
        container = build_container(
            Settings(mongodb_uri=server.uri, mongodb_db="standalone", admin_email=ADMIN, admin_api_key=ADMIN_KEY)
        )
        await prepare_storage(container)
        with caplog.at_level(logging.WARNING):
            await start_following(container)
        assert not follower(container).following
        assert any("not a replica set" in r.getMessage() for r in caplog.records)
        await container.lifecycle().start()  # still serves as one instance
        await container.mongo_client().close()
    finally:
        server.stop()


@pytest.fixture
def own_mongod() -> Any:
    from tests.support.mongod import MongodProcess

    server = MongodProcess().start()
    try:
        yield server
    finally:
        server.stop()


async def test_the_feed_resumes_after_a_mongod_restart(own_mongod: Any) -> None:
    db = f"restart-{uuid.uuid4().hex[:6]}"
    there, _ = await open_instance(own_mongod.uri, db, follow=False)
    here, recorder = await open_instance(own_mongod.uri, db, follow=True)
    try:
        key = await add_user(there, BOB)
        assert await here.authenticator().authenticate(key) is not None
        await asyncio.to_thread(own_mongod.stop, keep_data=True)
        await asyncio.to_thread(own_mongod.restart)
        resets = follower(here).resets

        await call(there, ADMIN, "reset-api-key", email=BOB, userConfirmed=True)

        await eventually(lambda: UserSessionsRevoked(BOB) in recorder.events, within=30)
        assert await here.authenticator().authenticate(key) is None
        assert follower(here).resets == resets  # resumed from the token: nothing was lost, nothing reset
    finally:
        await stop_following(here)
        await here.mongo_client().close()
        await there.mongo_client().close()


async def test_a_lost_history_resets_every_cache(own_mongod: Any) -> None:
    db = f"lost-{uuid.uuid4().hex[:6]}"
    here, recorder = await open_instance(own_mongod.uri, db, follow=True)
    try:
        assert await here.authenticator().authenticate(ADMIN_KEY) is not None
        # The database is replaced by an empty one (a restore elsewhere, a new cluster): the
        # resume token points into a history this server never had.
        await asyncio.to_thread(own_mongod.replace_with_empty)
        other, _ = await open_instance(own_mongod.uri, db, follow=False)  # bootstraps the admin again
        await call(other, ADMIN, "reset-api-key", email=ADMIN, userConfirmed=True)

        await eventually(lambda: follower(here).resets >= 1, within=30)
        assert None in recorder.tool_audiences()  # every session here re-lists

        async def refused() -> bool:
            return await here.authenticator().authenticate(ADMIN_KEY) is None

        await eventually(refused)  # once the new database's own changes have been applied too
        await other.mongo_client().close()
    finally:
        await stop_following(here)
        await here.mongo_client().close()


async def test_a_stream_closed_under_the_feed_is_opened_again(two_instances: Any) -> None:
    """A stream whose cursor the server killed mid-read (what two readers of one cursor caused)
    marks itself closed and then answers None at once, forever: the feed must reopen it."""
    here, _, there = two_instances
    stream = follower(here)._feed._stream  # the test reaches into the adapter on purpose
    assert stream is not None
    await stream._cursor.close()  # as pymongo leaves it: the cursor dead, the stream closed
    stream._closed = True
    started = time.process_time()
    await asyncio.sleep(1.0)
    assert time.process_time() - started < 0.5, "the feed spins on a closed stream"
    await here.tools().snapshot()  # the catalogue is loaded here, so the change must patch it
    await add_tool(there, "after-close")
    await eventually(lambda: here.tools().cached(ADMIN, "after-close") is not None)
