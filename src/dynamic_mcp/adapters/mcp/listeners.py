"""``subscriptions/listen`` streams of the 2026-07-28 era, per principal.

The SDK's ``ListenHandler`` serves one stream over a ``SubscriptionBus`` whose events name no
principal, and its in-memory bus hands every event to every stream. A per-user server must not
do that: here each listen request gets its own handler over a view of this registry that only
its caller's email feeds, so a change reaches exactly the streams of the users in its audience -
the same audience the handshake era's notifications use (``SessionRegistry``).

The registry is per instance; changes arrive through the application's change bus, which also
carries changes made elsewhere (other instances, the CLI), so every instance serves its own streams.
Each stream is also recorded in the shared ``InstanceDirectory`` under a random key, so an admin on
any instance sees it and can ask for it to be closed; this instance follows those requests.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.subscriptions import (
    ListenHandler,
    PromptsListChanged,
    ResourcesListChanged,
    ServerEvent,
    ToolsListChanged,
)
from mcp.server.subscriptions import ResourceUpdated as ResourceUpdatedEvent
from mcp.shared.exceptions import MCPError

from dynamic_mcp.domain.events import (
    ChangeEvent,
    PromptListChanged,
    ResourceListChanged,
    ResourceUpdated,
    ToolListChanged,
    UserSessionsRevoked,
)
from dynamic_mcp.domain.instances import ListenerRecord, lease
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.events import NoPresence, Presence
from dynamic_mcp.ports.instances import InstanceDirectory

log = logging.getLogger(__name__)

Listener = Callable[[ServerEvent], None]

MAX_STREAMS = 10_000
MAX_STREAMS_PER_USER = 1_024
# A stream whose client stopped reading is ended at this backlog (the client re-listens, refetches).
MAX_BUFFERED_EVENTS = 64
CLIENT_INFO = "io.modelcontextprotocol/clientInfo"
MAX_CLIENT_LENGTH = 120


class _PrincipalBus:
    """The ``SubscriptionBus`` one listen stream sees: the registry, narrowed to one email."""

    def __init__(self, registry: ListenerRegistry, email: str) -> None:
        self._registry = registry
        self._email = email

    async def publish(self, event: ServerEvent) -> None:  # pragma: no cover - events come from the change bus
        raise NotImplementedError("events reach listen streams through ListenerRegistry.on_event")

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self._registry.subscribe(self._email, listener)


class ListenerRegistry:
    def __init__(
        self,
        *,
        max_streams: int = MAX_STREAMS,
        max_streams_per_user: int = MAX_STREAMS_PER_USER,
        max_buffered_events: int = MAX_BUFFERED_EVENTS,
        directory: InstanceDirectory | None = None,
        instance: str = "",
        clock: Clock | None = None,
        heartbeat_seconds: float = 10.0,
        presence: Presence | None = None,
    ) -> None:
        self._presence: Presence = presence or NoPresence()
        self._directory = directory
        self._instance = instance
        self._clock = clock
        self._heartbeat = heartbeat_seconds
        self._by_key: dict[str, ListenHandler] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._listeners: dict[str, dict[object, Listener]] = defaultdict(dict)
        self._handlers: dict[str, set[ListenHandler]] = defaultdict(set)
        self._streams = 0
        self._revocations: dict[str, int] = defaultdict(int)
        self._max_streams = max_streams
        self._max_per_user = max_streams_per_user
        self._max_buffered = max_buffered_events

    # -- listeners ---------------------------------------------------------------------------
    def subscribe(self, email: str, listener: Listener) -> Callable[[], None]:
        """Register ``listener`` for ``email``'s events; returns an idempotent unsubscribe."""
        token = object()
        self._listeners[email][token] = listener
        self._presence.join(email)

        def unsubscribe() -> None:
            listeners = self._listeners.get(email)
            if listeners is not None and listeners.pop(token, None) is not None:
                self._presence.leave(email)
                if not listeners:
                    del self._listeners[email]

        return unsubscribe

    def listening(self) -> frozenset[str]:
        """Emails with at least one listener on this instance."""
        return frozenset(self._listeners)

    def streams_of(self, email: str) -> int:
        return len(self._handlers.get(email, ()))

    def deliver(self, emails: frozenset[str] | None, event: ServerEvent) -> None:
        """Hand ``event`` to every listener of the users in ``emails`` (``None``: every user)."""
        targets = list(self._listeners) if emails is None else [e for e in emails if e in self._listeners]
        for email in targets:
            for listener in list(self._listeners.get(email, {}).values()):
                try:
                    listener(event)
                except Exception:
                    # One broken stream never keeps the change from the others.
                    log.warning("listen event not delivered", exc_info=True)

    # -- change events -----------------------------------------------------------------------
    async def on_event(self, event: ChangeEvent) -> None:
        if isinstance(event, ToolListChanged):
            self.deliver(event.emails, ToolsListChanged())
        elif isinstance(event, PromptListChanged):
            self.deliver(event.emails, PromptsListChanged())
        elif isinstance(event, ResourceListChanged):
            self.deliver(event.emails, ResourcesListChanged())
        elif isinstance(event, ResourceUpdated):
            # each stream forwards it only when its listen request named this URI
            self.deliver(event.emails, ResourceUpdatedEvent(uri=event.uri))
        elif isinstance(event, UserSessionsRevoked):
            self.end_streams(event.email)

    def end_streams(self, email: str) -> None:
        """Close every listen stream of ``email`` (key reset, user deleted): each ends gracefully
        with its final result, and a new one needs the new key."""
        self._revocations[email] += 1
        for handler in list(self._handlers.get(email, ())):
            handler.close()

    def revocations(self, email: str) -> int:
        """How often ``email``'s streams were ended; taken when a request is authenticated, so a
        listen whose key was revoked while the request was on its way is refused."""
        return self._revocations.get(email, 0)

    # -- the subscriptions/listen request ----------------------------------------------------
    async def listen(
        self,
        email: str,
        ctx: ServerRequestContext[Any, Any],
        params: types.SubscriptionsListenRequestParams,
        *,
        authenticated_at: int | None = None,
    ) -> types.SubscriptionsListenResult:
        if authenticated_at is not None and authenticated_at != self.revocations(email):
            raise MCPError(types.INVALID_REQUEST, "The API key of this request is no longer valid")
        if self._streams >= self._max_streams or self.streams_of(email) >= self._max_per_user:
            raise MCPError(types.INTERNAL_ERROR, "Subscription limit reached")
        handler = ListenHandler(_PrincipalBus(self, email), max_subscriptions=1, max_buffered_events=self._max_buffered)
        self._handlers[email].add(handler)
        self._streams += 1
        key = secrets.token_urlsafe(12)
        self._by_key[key] = handler
        await self._announce(key, email, params)
        try:
            return await handler(ctx, params)
        finally:
            self._streams -= 1
            self._by_key.pop(key, None)
            handlers = self._handlers.get(email)
            if handlers is not None:
                handlers.discard(handler)
                if not handlers:
                    del self._handlers[email]
            self._spawn(self._withdraw(key))

    # -- the shared record of each stream -----------------------------------------------------
    async def _announce(self, key: str, email: str, params: types.SubscriptionsListenRequestParams) -> None:
        if self._directory is None or self._clock is None:
            return
        now = self._clock.now()
        record = ListenerRecord(key, email, self._instance, _client_of(params), now, lease(now, self._heartbeat))
        try:
            await self._directory.add_listener(record)
        except Exception:
            # The stream works without its record; it is only missing from the admin's list.
            log.warning("listen stream not recorded", exc_info=True)

    async def _withdraw(self, key: str) -> None:
        if self._directory is not None:
            try:
                await self._directory.remove_listener(key)
            except Exception:
                log.warning("listen stream record not removed (its lease will run out)", exc_info=True)

    def _spawn(self, work: Any) -> None:
        if self._directory is None:
            work.close()
            return
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def follow_closes(self) -> None:
        """Run for the app's lifetime: end the streams of this instance that an admin closed anywhere."""
        if self._directory is None:
            return
        async for key in self._directory.close_requests(self._instance):
            handler = self._by_key.get(key)
            if handler is not None:
                log.info("listen stream closed by an admin")
                handler.close()
            else:
                await self._withdraw(key)  # already ended here: drop its record


def _client_of(params: types.SubscriptionsListenRequestParams) -> str:
    """The client's name and version from the request's ``_meta``, if it sent them."""
    meta = params.model_dump(by_alias=True).get("_meta") or {}
    info = meta.get(CLIENT_INFO) if isinstance(meta, Mapping) else None
    if not isinstance(info, Mapping):
        return "unknown-client"
    text = f"{info.get('name') or 'unknown-client'} {info.get('version') or ''}".strip()
    return text[:MAX_CLIENT_LENGTH]
