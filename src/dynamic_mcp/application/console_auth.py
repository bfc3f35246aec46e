"""Signing in to the browser console with an API key (docs/console.md, ADR 0012).

The browser gets only a random session id in a cookie; the server keeps its SHA-256, the
user's email, the key digest it was opened with and a CSRF token. Any instance that shares
the store can serve the session; a key reset or a deleted user ends it at the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

import attrs

from dynamic_mcp.application.audit import AuditRecorder
from dynamic_mcp.application.auth import Authenticator
from dynamic_mcp.domain.console_sessions import ConsoleSession
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.limits import RateLimited
from dynamic_mcp.domain.users import User, key_prefix
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.console_sessions import ConsoleSessionStore
from dynamic_mcp.ports.limits import RateLimiter
from dynamic_mcp.ports.repositories import UserRepository

SESSION_ID_BYTES = 32
MAX_ID_LENGTH = 128
SIGN_IN_BUCKET = "console_sign_in"
SIGN_IN_ACTION = "console sign-in"
MAX_SOURCE_LENGTH = 64


def session_id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison, so a CSRF token cannot be guessed byte by byte."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


@attrs.frozen
class SignedIn:
    session_id: str  # the plain id: only the Set-Cookie of the sign-in response carries it
    session: ConsoleSession
    user: User


@attrs.frozen
class CurrentSession:
    session: ConsoleSession
    user: User


class ConsoleAuth:
    def __init__(
        self,
        store: ConsoleSessionStore,
        authenticator: Authenticator,
        users: UserRepository,
        clock: Clock,
        ttl_seconds: int,
        limiter: RateLimiter | None = None,
        sign_ins_per_minute: int = 0,
        audit: AuditRecorder | None = None,
    ) -> None:
        self._store = store
        self._authenticator = authenticator
        self._users = users
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)
        self._limiter = limiter
        self._per_minute = sign_ins_per_minute
        self._audit = audit

    async def sign_in(self, api_key: str, source: str = "") -> SignedIn | None:
        """A new session for the key's holder, or None for an unknown key.

        Attempts are counted per source address and per attempted key prefix (only a digest of
        the prefix names the bucket); RateLimited when either is spent. Every attempt, refused or
        not, is an audit entry of door ``console``; no part of the key is recorded.
        """
        started = time.perf_counter()
        key = api_key.strip()
        try:
            await self._count_attempt(key, source)
        except RateLimited:
            self._record("rate_limited", started, None)
            raise
        user = await self._authenticator.authenticate(key) if key else None
        if user is None or user.api_key is None:
            self._record("denied", started, None)
            return None
        signed_in = await self.open_for(user)
        self._record("ok", started, user.email)
        return signed_in

    async def open_for(self, user: User) -> SignedIn:
        """A new session for a user already proven (a one-time sign-in link, docs/oauth.md)."""
        if user.api_key is None:
            raise Invalid("This user has no API key; issue one before signing in")
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        now = self._clock.now()
        session = ConsoleSession(
            id_hash=session_id_hash(session_id),
            email=user.email,
            key_hash=user.api_key.hash,
            csrf_token=secrets.token_urlsafe(SESSION_ID_BYTES),
            created_at=now,
            expires_at=now + self._ttl,
        )
        await self._store.add(session)
        return SignedIn(session_id, session, user)

    async def _count_attempt(self, key: str, source: str) -> None:
        if self._limiter is None or self._per_minute <= 0:
            return
        prefix = hashlib.sha256(key_prefix(key).encode()).hexdigest()[:32]
        for bucket_key in (f"address:{source[:MAX_SOURCE_LENGTH]}", f"key:{prefix}"):
            wait = await self._limiter.acquire(SIGN_IN_BUCKET, bucket_key, self._per_minute)
            if wait is not None:
                raise RateLimited(SIGN_IN_BUCKET, wait)

    def _record(self, outcome: str, started: float, email: str | None) -> None:
        if self._audit is not None:
            self._audit.record(SIGN_IN_ACTION, outcome, time.perf_counter() - started, user=email, door="console")

    async def current(self, session_id: str | None) -> CurrentSession | None:
        """The live session and its user as stored now; None when absent, expired or revoked."""
        if not session_id or len(session_id) > MAX_ID_LENGTH:
            return None
        id_hash = session_id_hash(session_id)
        session = await self._store.get(id_hash, self._clock.now())
        if session is None:
            return None
        user = await self._users.get(session.email)
        if user is None or user.api_key is None or user.api_key.hash != session.key_hash:
            await self._store.delete(id_hash)
            return None
        return CurrentSession(session, user)

    async def sign_out(self, session_id: str | None) -> None:
        if session_id and len(session_id) <= MAX_ID_LENGTH:
            await self._store.delete(session_id_hash(session_id))
