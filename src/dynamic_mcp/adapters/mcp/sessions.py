"""Live MCP sessions by user: who owns which session, and how to reach it (docs/access.md, docs/protocol.md)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import defaultdict
from typing import Any, Protocol

import attrs

from dynamic_mcp.domain.events import ChangeEvent, PromptListChanged, ToolListChanged, UserSessionsRevoked

log = logging.getLogger(__name__)

CURRENT_SESSION: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_mcp_session", default=None)
"""Set while a request of a session is being handled, so closing that session can wait for its reply."""

CLOSE_GRACE_SECONDS = 1.0


class SessionCloser(Protocol):
    async def close_session(self, session_id: str) -> None: ...


@attrs.define
class LiveSession:
    session_id: str
    email: str
    opened_at: float
    last_used: float
    proxy: Any = None  # the SDK's ServerSession, once a message of the session has been seen
    client_name: str = "unknown-client"
    client_version: str = "unknown-version"
    sequence: int = 0  # opening order, for SINGLE_SESSION_PER_USER
    established: bool = False  # its opening request has been answered in full


class SessionRegistry:
    """In-process registry; a session lives on the instance that created it (sticky sessions)."""

    def __init__(self, *, single_session_per_user: bool = False) -> None:
        self._sessions: dict[str, LiveSession] = {}
        self._by_email: dict[str, set[str]] = defaultdict(set)
        self._revoked: set[str] = set()
        self._closer: SessionCloser | None = None
        self._single = single_session_per_user
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: dict[str, int] = defaultdict(int)
        self._sequence = 0

    def attach_closer(self, closer: SessionCloser) -> None:
        self._closer = closer

    # -- lifecycle hooks called by the session manager ---------------------------------------
    def reserve(self, email: str, limit: int) -> bool:
        """Hold a place for a session being opened; False when ``email`` already has ``limit`` of them.

        Openings in flight count too, so concurrent initializes cannot overshoot the cap.
        """
        if len(self._by_email.get(email, ())) + self._pending[email] >= limit:
            if not self._pending[email]:
                del self._pending[email]
            return False
        self._pending[email] += 1
        return True

    def release(self, email: str) -> None:
        self._pending[email] -= 1
        if self._pending[email] <= 0:
            del self._pending[email]

    def opened(self, session_id: str, email: str) -> None:
        now = time.monotonic()
        self._sequence += 1
        self._sessions[session_id] = LiveSession(session_id, email, now, now, sequence=self._sequence)
        self._by_email[email].add(session_id)

    def established(self, session_id: str) -> None:
        """The opening request of a session has been answered in full.

        With SINGLE_SESSION_PER_USER the newest established session wins; the others are refused
        from now on and closed after a grace period, so no answer already under way is cut off.
        Deciding only once answers are complete is what keeps concurrent initializes whole.
        """
        session = self._sessions.get(session_id)
        if session is None:
            return
        session.established = True
        if not self._single:
            return
        mine = [self._sessions[s] for s in self._by_email.get(session.email, ()) if s in self._sessions]
        newest = max((s for s in mine if s.established), key=lambda s: s.sequence)
        losers = {s.session_id for s in mine if s.established and s is not newest} - self._revoked
        if losers:
            self._revoked |= losers
            self._close_soon(losers, delay=CLOSE_GRACE_SECONDS)

    def closed(self, session_id: str) -> None:
        session = self._sessions.pop(session_id, None)
        self._revoked.discard(session_id)
        if session is not None:
            ids = self._by_email.get(session.email)
            if ids is not None:
                ids.discard(session_id)
                if not ids:
                    del self._by_email[session.email]

    # -- per-request ------------------------------------------------------------------------
    def owner(self, session_id: str) -> str | None:
        """The user a session belongs to; None when unknown, ended or revoked."""
        if session_id in self._revoked:
            return None
        session = self._sessions.get(session_id)
        return session.email if session else None

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

    # -- change events ----------------------------------------------------------------------
    async def on_event(self, event: ChangeEvent) -> None:
        if isinstance(event, ToolListChanged):
            await self._notify(event.emails, "send_tool_list_changed")
        elif isinstance(event, PromptListChanged):
            await self._notify(event.emails, "send_prompt_list_changed")
        elif isinstance(event, UserSessionsRevoked):
            self.revoke(event.email)

    async def _notify(self, emails: frozenset[str] | None, method: str) -> None:
        targets = list(self._sessions.values()) if emails is None else [s for e in emails for s in self.sessions_of(e)]
        for session in targets:
            if session.proxy is None or session.session_id in self._revoked:
                continue
            try:
                await getattr(session.proxy, method)()
            except Exception:
                # one unreachable client never fails the change or the other clients.
                log.warning("notification not delivered", extra={"session": session.session_id[:8]}, exc_info=True)

    def revoke(self, email: str) -> None:
        """End every session of ``email``. The session handling this very request is closed just
        after its reply has gone out; all of them refuse further requests at once."""
        ids = set(self._by_email.get(email, ()))
        if not ids:
            return
        self._revoked |= ids
        current = CURRENT_SESSION.get()
        self._close_soon(ids - {current}, delay=0.0)
        if current in ids:
            self._close_soon({current}, delay=CLOSE_GRACE_SECONDS)

    def _close_soon(self, session_ids: set[str], *, delay: float) -> None:
        if not session_ids or self._closer is None:
            return
        task = asyncio.get_running_loop().create_task(self._close(session_ids, delay))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close(self, session_ids: set[str], delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        assert self._closer is not None
        for session_id in session_ids:
            try:
                await self._closer.close_session(session_id)
            except Exception:
                log.warning("could not close session", extra={"session": session_id[:8]}, exc_info=True)

    # -- the admin's view (console Sessions page) -------------------------------------------
    def all_sessions(self) -> list[LiveSession]:
        return list(self._sessions.values())

    async def close_one(self, session_id: str) -> bool:
        """Refuse the session's further requests at once and close its transport."""
        if session_id not in self._sessions or self._closer is None:
            return False
        self._revoked.add(session_id)
        await self._closer.close_session(session_id)
        return True
