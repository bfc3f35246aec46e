"""Follow the store's change feed: what any writer changed reaches this instance's caches and the
clients connected here (docs/deployment.md, ADR 0010).

Each change refreshes exactly the cached entries it touched and publishes, on the local bus, the
same events the use case that made it publishes where it ran; the audience is worked out from the
record before and after the write, among the users live here (the only ones with a session or
listener to tell, application/audience.py), never by listing every user. Changes this process wrote itself
were announced when they were made and are skipped.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TypeVar

import attrs

from dynamic_mcp.application.background import cancel_and_wait
from dynamic_mcp.application.caching import CachedToolRepository, CachedUserRepository
from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.domain.events import (
    ChangeEvent,
    PromptListChanged,
    ResourceListChanged,
    ResourceUpdated,
    ToolListChanged,
    UserChanged,
    UserSessionsRevoked,
)
from dynamic_mcp.domain.prompts import Prompt
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.changes import (
    Change,
    ChangeFeed,
    PromptStored,
    ResourceStored,
    StoreReset,
    ToolStored,
    UserStored,
)
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.events import EventPublisher
from dynamic_mcp.ports.metrics import Metrics

log = logging.getLogger(__name__)

T = TypeVar("T", Tool, Prompt, Resource)

RETRY_SECONDS = 1.0


def _listed_alike(before: T | None, after: T | None) -> bool:
    """Same record apart from its timestamps: a restarting instance rewrites its package tools
    and prompts with a new updatedAt; nobody's listing changes."""
    if before is None or after is None:
        return before is after
    return attrs.evolve(before, created_at=None, updated_at=None) == attrs.evolve(
        after, created_at=None, updated_at=None
    )


def user_events(before: User | None, after: User | None, before_known: bool, email: str) -> list[ChangeEvent]:
    """The events a change of one user record implies, as the use cases publish them."""
    events: list[ChangeEvent] = [UserChanged(email)]
    audience = frozenset({email})
    if after is None:
        if before_known and before is None:
            return events  # nothing was there, nothing is: no session can care
        return [*events, UserSessionsRevoked(email)]
    if not before_known:
        return [*events, ToolListChanged(audience), PromptListChanged(audience), ResourceListChanged(audience)]
    if before is None:
        return events  # a new user has no session yet
    if before.api_key != after.api_key:
        events.append(UserSessionsRevoked(email))
    if (before.roles, before.shared_tools, before.hidden_tools) != (
        after.roles,
        after.shared_tools,
        after.hidden_tools,
    ):
        events.append(ToolListChanged(audience))
    if before.roles != after.roles:
        events.append(PromptListChanged(audience))
        events.append(ResourceListChanged(audience))
    return events


class ChangeFollower:
    def __init__(
        self,
        feed: ChangeFeed,
        users: CachedUserRepository,
        tools: CachedToolRepository,
        catalog: Catalog,
        events: EventPublisher,
        clock: Clock,
        metrics: Metrics,
    ) -> None:
        self._feed = feed
        self._users = users
        self._tools = tools
        self._catalog = catalog
        self._events = events
        self._clock = clock
        self._metrics = metrics
        self._task: asyncio.Task[None] | None = None
        self.following = False
        self.lag_seconds: float | None = None
        """Write to applied, for the last change seen (this process's own writes included)."""
        self.applied = 0
        self.resets = 0

    async def start(self) -> bool:
        """Open the feed (from now on no write is missed) and follow it in the background. A
        second start while following changes nothing: two readers of one feed would fight over
        its cursor (MongoDB answers "cursor in use")."""
        if self._task is not None and not self._task.done():
            return self.following
        self.following = await self._feed.open()
        if self.following:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="change-follower")
        return self.following

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)
        await self._feed.close()
        self.following = False

    async def _run(self) -> None:
        while True:
            try:
                async for change in self._feed.changes():
                    await self._apply_safely(change)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The feed resumes by itself; this guards against a bug, so that one bad change
                # never stops the instance from following the others.
                log.exception("change feed failed; resetting caches and following again")
                await self.apply(StoreReset("change feed failed"))
                await asyncio.sleep(RETRY_SECONDS)

    async def _apply_safely(self, change: Change) -> None:
        try:
            await self.apply(change)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not apply a change; resetting caches")
            await self.apply(StoreReset("a change could not be applied"))

    async def apply(self, change: Change) -> None:
        if isinstance(change, StoreReset):
            await self._reset(change.reason)
            return
        self._measure(change.written_at)
        if change.own:
            return  # cached state and clients were updated when this process wrote it
        if isinstance(change, UserStored):
            await self._user_changed(change)
        elif isinstance(change, ToolStored):
            await self._tool_changed(change)
        elif isinstance(change, PromptStored):
            await self._prompt_changed(change)
        elif isinstance(change, ResourceStored):
            await self._resource_changed(change)

    def _measure(self, written_at: datetime | None) -> None:
        self.applied += 1
        if written_at is None:
            return
        lag = max(0.0, self._clock.now().timestamp() - written_at.timestamp())
        self.lag_seconds = lag
        self._metrics.change_stream_lag(lag)

    async def _reset(self, reason: str) -> None:
        self.resets += 1
        log.warning("Change feed reset (%s): dropping every cached user and tool", reason)
        self._users.invalidate()
        self._tools.invalidate()
        await self._events.publish(ToolListChanged(None))
        await self._events.publish(PromptListChanged(None))
        await self._events.publish(ResourceListChanged(None))

    async def _user_changed(self, change: UserStored) -> None:
        # Emails are ids and never change; should a record's email change anyway, the old
        # email's user is gone and the new one's appeared.
        for email in {u.email for u in (change.before, change.after) if u is not None}:
            before = change.before if change.before is not None and change.before.email == email else None
            after = change.after if change.after is not None and change.after.email == email else None
            if not change.before_known:
                before = self._users.cached(email)
            known = change.before_known or before is not None
            if after is None:
                self._users.forget(email)
            else:
                self._users.invalidate(email)
            for event in user_events(before, after, known, email):
                await self._events.publish(event)

    async def _tool_changed(self, change: ToolStored) -> None:
        before: list[Tool | None] = [change.before]
        for tool in (change.before, change.after):
            if tool is not None:
                before.append(self._tools.cached(tool.creator, tool.name))
        for key in {(t.creator, t.name) for t in (change.before, change.after) if t is not None}:
            await self._tools.refresh(*key)
        if change.before_known and _listed_alike(change.before, change.after):
            return
        touched = [t for t in (*before, change.after) if t is not None]
        audience = await self._catalog.audience(touched)
        if audience:
            await self._events.publish(ToolListChanged(audience))

    async def _prompt_changed(self, change: PromptStored) -> None:
        touched = [p for p in (change.before, change.after) if p is not None]
        if change.before_known and _listed_alike(change.before, change.after):
            return
        if not change.before_known:
            await self._events.publish(PromptListChanged(None))  # prompts are not cached: who saw it is unknown
            return
        audience = await self._catalog.audience(touched)
        if audience:
            await self._events.publish(PromptListChanged(audience))

    async def _resource_changed(self, change: ResourceStored) -> None:
        """The events ``Catalog.announce_resource_change`` publishes where the write was made."""
        if change.before_known and _listed_alike(change.before, change.after):
            return
        touched = [r for r in (change.before, change.after) if r is not None]
        audience: frozenset[str] | None = await self._catalog.audience(touched)
        if not change.before_known:
            audience = None  # who reached the record before is unknown: every session refetches
        if audience is not None and not audience:
            return
        await self._events.publish(ResourceListChanged(audience))
        before, after = change.before, change.after
        content = (before is None) != (after is None) or (
            before is not None
            and after is not None
            and (before.text, before.blob, before.handler, before.mime_type)
            != (after.text, after.blob, after.handler, after.mime_type)
        )
        if content or not change.before_known:
            for uri in sorted({r.uri for r in touched if not r.template}):
                await self._events.publish(ResourceUpdated(uri, audience))
