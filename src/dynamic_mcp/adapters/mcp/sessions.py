"""Live MCP sessions by user: who owns which session, and how to reach it (docs/access.md, docs/deployment.md).

Every handshake-era session is also a stored record (``SessionRepository``), so a request for a
session opened on another instance is served here: the record says who owns it and what the client
declared, and the session host rebuilds it locally. Locally known sessions cost no store round
trip; closes made anywhere (DELETE, key reset, user deletion, single-session supersede, console)
remove the record, and every instance follows removals to close its own copy.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Protocol

import attrs
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_HANDSHAKE_VERSION

from dynamic_mcp.domain.events import (
    ChangeEvent,
    PromptListChanged,
    ResourceListChanged,
    ToolListChanged,
    UserSessionsRevoked,
)
from dynamic_mcp.domain.mcp_sessions import StoredSession, expiry, session_key
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.events import NoPresence, Presence
from dynamic_mcp.ports.mcp_sessions import RECHECK, SessionRepository
from dynamic_mcp.ports.metrics import Metrics, NoMetrics

log = logging.getLogger(__name__)

CURRENT_SESSION: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_mcp_session", default=None)
"""Set while a request of a session is being handled, so closing that session can wait for its reply."""

CLOSE_GRACE_SECONDS = 1.0
ID_PREFIX_LENGTH = 8  # as much of a session id as logs and audit entries show
MAX_TOUCH_INTERVAL_SECONDS = 60.0
NOTIFICATION_KINDS = {
    "send_tool_list_changed": "tools_list_changed",
    "send_prompt_list_changed": "prompts_list_changed",
    "send_resource_list_changed": "resources_list_changed",
}


class SessionHost(Protocol):
    """The transport side (the SDK session manager): closes and rebuilds sessions of this instance."""

    async def close_session(self, session_id: str) -> None: ...

    async def restore_session(self, session_id: str, record: StoredSession) -> bool: ...


@attrs.define
class LiveSession:
    session_id: str
    email: str
    opened_at: float
    last_used: float
    proxy: Any = None  # the SDK's ServerSession, once a message of the session has been seen
    client_name: str = "unknown-client"
    client_version: str = "unknown-version"
    key: str = ""
    touched_at: float = 0.0  # when this instance last wrote the record's last use
    last_written: Any = None  # the last-use time this instance wrote (a datetime)


class SessionRegistry:
    def __init__(
        self,
        store: SessionRepository,
        clock: Clock,
        *,
        single_session_per_user: bool = False,
        idle_timeout_seconds: int = 0,
        metrics: Metrics | None = None,
        instance: str | None = None,
        presence: Presence | None = None,
    ) -> None:
        self._metrics: Metrics = metrics or NoMetrics()
        self._presence: Presence = presence or NoPresence()
        self._instance = instance
        self._store = store
        self._clock = clock
        self._idle = idle_timeout_seconds
        # Writing each use would cost a store write per request; the record's expiry only needs
        # to stay well ahead of the idle timeout.
        self._touch_every = min(MAX_TOUCH_INTERVAL_SECONDS, max(idle_timeout_seconds / 10, 0.5))
        self._sessions: dict[str, LiveSession] = {}
        self._by_email: dict[str, set[str]] = defaultdict(set)
        self._by_key: dict[str, str] = {}
        self._revoked: set[str] = set()
        self._host: SessionHost | None = None
        self._single = single_session_per_user
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: dict[str, int] = defaultdict(int)
        self._restoring: dict[str, asyncio.Future[bool]] = {}
        self._stopping = False

    def attach_closer(self, host: SessionHost) -> None:
        self._host = host

    # -- admission --------------------------------------------------------------------------
    async def reserve(self, email: str, limit: int) -> bool:
        """Hold a place for a session being opened; False when ``email`` already has ``limit`` of them
        on any instance. Openings in flight here count too, so concurrent initializes cannot overshoot."""
        self._pending[email] += 1
        stored = len(await self._store.of_user(email, self._clock.now()))
        if stored + self._pending[email] > limit:
            self.release(email)
            return False
        return True

    def release(self, email: str) -> None:
        self._pending[email] -= 1
        if self._pending[email] <= 0:
            del self._pending[email]

    # -- lifecycle hooks called by the session manager ---------------------------------------
    async def opened(self, session_id: str, email: str, init: Mapping[str, Any] | None = None) -> None:
        """A session is being opened here: stored before its first answer goes out, so the
        client's next request may land on any instance."""
        now = self._clock.now()
        params = dict(init) if init else None
        record = StoredSession(
            key=session_key(session_id),
            email=email,
            protocol_version=negotiated_version(params),
            client_params=params,
            created_at=now,
            last_used_at=now,
            expires_at=expiry(now, self._idle),
            instance=self._instance,
            id_prefix=session_id[:ID_PREFIX_LENGTH],
        )
        await self._store.add(record)
        self._remember(session_id, record)

    def _remember(self, session_id: str, record: StoredSession) -> None:
        if session_id in self._sessions:
            self._forget(session_id)
        now = time.monotonic()
        self._sessions[session_id] = LiveSession(
            session_id, record.email, now, now, key=record.key, touched_at=now, last_written=record.last_used_at
        )
        self._by_email[record.email].add(session_id)
        self._by_key[record.key] = session_id
        self._presence.join(record.email)
        self._metrics.live_sessions(len(self._sessions))
        info = (record.client_params or {}).get("clientInfo")
        if isinstance(info, Mapping):
            self._sessions[session_id].client_name = str(info.get("name") or "unknown-client")
            self._sessions[session_id].client_version = str(info.get("version") or "unknown-version")

    async def abandoned(self, session_id: str) -> None:
        """The opening request failed: nothing was established, so the record goes too."""
        await self._store.remove(session_key(session_id))

    async def established(self, session_id: str) -> None:
        """The opening request of a session has been answered in full.

        With SINGLE_SESSION_PER_USER the newest session wins, on every instance: the records of
        the user's older sessions are removed (their instances close them), and a session whose
        own record is already gone lost to a newer one. Deciding only once answers are complete,
        and closing after a grace period, keeps concurrent initializes whole.
        """
        session = self._sessions.get(session_id)
        if session is None or not self._single:
            return
        records = await self._store.of_user(session.email, self._clock.now())
        mine = next((r for r in records if r.key == session.key), None)
        if mine is None:
            self._supersede({session_id})
            return
        for older in records:
            if (older.created_at, older.key) < (mine.created_at, mine.key):
                await self._store.remove(older.key)

    def closed(self, session_id: str) -> None:
        """The transport of a session ended here (DELETE, idle timeout, close, shutdown)."""
        session = self._forget(session_id)
        if session is not None and not self._stopping:
            # Idle here may still be busy elsewhere: the record goes only if nobody used it since.
            self._spawn(self._expire_if_unused(session))

    def _forget(self, session_id: str) -> LiveSession | None:
        session = self._sessions.pop(session_id, None)
        self._metrics.live_sessions(len(self._sessions))
        self._revoked.discard(session_id)
        if session is None:
            return None
        self._presence.leave(session.email)
        self._by_key.pop(session.key, None)
        ids = self._by_email.get(session.email)
        if ids is not None:
            ids.discard(session_id)
            if not ids:
                del self._by_email[session.email]
        return session

    async def _expire_if_unused(self, session: LiveSession) -> None:
        record = await self._store.get(session.key, self._clock.now())
        if record is not None and record.last_used_at <= session.last_written:
            await self._store.remove(session.key)

    def stopping(self) -> None:
        """This instance shuts down: its sessions stay stored, for the other instances to serve."""
        self._stopping = True

    async def ended_by_client(self, session_id: str) -> None:
        """The client closed the session (HTTP DELETE): closed for every instance."""
        await self._store.remove(session_key(session_id))

    # -- per-request ------------------------------------------------------------------------
    async def owner(self, session_id: str) -> str | None:
        """The user a session belongs to; None when unknown, ended or revoked. A session stored by
        another instance is rebuilt here first."""
        if session_id in self._revoked:
            return None
        session = self._sessions.get(session_id)
        if session is not None:
            await self._touch_record(session)
            return session.email
        if not await self._restore(session_id):
            return None
        restored = self._sessions.get(session_id)
        return restored.email if restored is not None else None

    async def _restore(self, session_id: str) -> bool:
        pending = self._restoring.get(session_id)
        if pending is not None:  # concurrent first requests: one restore
            return await asyncio.shield(pending)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._restoring[session_id] = future
        ok = False
        try:
            record = await self._store.get(session_key(session_id), self._clock.now())
            if record is not None and self._host is not None:
                self._remember(session_id, record)  # known before its connection reports in
                ok = await self._host.restore_session(session_id, record)
                if ok:
                    session = self._sessions[session_id]
                    session.touched_at = 0.0  # the first use here is written at once
                    await self._touch_record(session)
                else:
                    self._forget(session_id)
            return ok
        finally:
            del self._restoring[session_id]
            future.set_result(ok)

    async def _touch_record(self, session: LiveSession) -> None:
        now = time.monotonic()
        session.last_used = now
        if now - session.touched_at < self._touch_every:
            return
        session.touched_at = now
        at = self._clock.now()
        session.last_written = at
        await self._store.touch(session.key, at, expiry(at, self._idle), self._instance)

    def touch(self, session_id: str, proxy: Any, client_info: Any = None) -> None:
        session = self._sessions.get(session_id)
        if session is None:
            return
        session.last_used = time.monotonic()
        if session.proxy is None:
            session.proxy = proxy
        if client_info is not None:
            session.client_name = getattr(client_info, "name", None) or session.client_name
            session.client_version = getattr(client_info, "version", None) or session.client_version

    def sessions_of(self, email: str) -> list[LiveSession]:
        return [self._sessions[s] for s in self._by_email.get(email, ()) if s in self._sessions]

    def __len__(self) -> int:
        return len(self._sessions)

    def all_sessions(self) -> list[LiveSession]:
        return list(self._sessions.values())

    # -- closes made anywhere -----------------------------------------------------------------
    async def follow_removals(self) -> None:
        """Run for the app's lifetime: close here whatever was closed anywhere."""
        async for key in self._store.removals():
            if key == RECHECK:
                now = self._clock.now()
                for session in list(self._sessions.values()):
                    if await self._store.get(session.key, now) is None:
                        self._supersede({session.session_id})
                continue
            session_id = self._by_key.get(key)
            if session_id is not None:
                self._supersede({session_id})

    def _supersede(self, session_ids: set[str]) -> None:
        """Refuse further requests at once; close after the grace, so answers under way finish."""
        ids = session_ids - self._revoked
        if ids:
            self._revoked |= ids
            self._close_soon(ids, delay=CLOSE_GRACE_SECONDS)

    # -- change events ----------------------------------------------------------------------
    async def on_event(self, event: ChangeEvent) -> None:
        if isinstance(event, ToolListChanged):
            await self._notify(event.emails, "send_tool_list_changed")
        elif isinstance(event, PromptListChanged):
            await self._notify(event.emails, "send_prompt_list_changed")
        elif isinstance(event, ResourceListChanged):
            await self._notify(event.emails, "send_resource_list_changed")
        elif isinstance(event, UserSessionsRevoked):
            await self.revoke(event.email)

    async def _notify(self, emails: frozenset[str] | None, method: str) -> None:
        targets = list(self._sessions.values()) if emails is None else [s for e in emails for s in self.sessions_of(e)]
        for session in targets:
            if session.proxy is None or session.session_id in self._revoked:
                continue
            try:
                await getattr(session.proxy, method)()
                self._metrics.notification_sent(NOTIFICATION_KINDS[method])
            except Exception:
                # one unreachable client never fails the change or the other clients.
                log.warning("notification not delivered", extra={"session": session.session_id[:8]}, exc_info=True)

    async def revoke(self, email: str) -> None:
        """End every session of ``email``, on every instance. The session handling this very
        request is closed just after its reply has gone out; all of them refuse further requests at once."""
        ids = set(self._by_email.get(email, ()))
        self._revoked |= ids
        current = CURRENT_SESSION.get()
        self._close_soon(ids - {current}, delay=0.0)
        if current in ids:
            self._close_soon({current}, delay=CLOSE_GRACE_SECONDS)
        await self._store.remove_for(email)

    def _close_soon(self, session_ids: set[str], *, delay: float) -> None:
        if session_ids and self._host is not None:
            self._spawn(self._close(session_ids, delay))

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("session bookkeeping failed", exc_info=task.exception())

    async def _close(self, session_ids: set[str], delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        assert self._host is not None
        for session_id in session_ids:
            try:
                await self._host.close_session(session_id)
            except Exception:
                log.warning("could not close session", extra={"session": session_id[:8]}, exc_info=True)


def negotiated_version(params: Mapping[str, Any] | None) -> str:
    """The version the SDK answers an initialize with: the client's when served, else the latest."""

    requested = (params or {}).get("protocolVersion")
    return (
        requested
        if isinstance(requested, str) and requested in HANDSHAKE_PROTOCOL_VERSIONS
        else LATEST_HANDSHAKE_VERSION
    )
