"""The ASGI gate in front of the SDK's session manager: authentication and session binding
(docs/access.md). No rule lives here; it only maps HTTP to identities and exact error bodies."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from dynamic_mcp.adapters.mcp.challenge import INVALID, MISSING, challenge_headers
from dynamic_mcp.adapters.mcp.keys import api_key_from_scope
from dynamic_mcp.adapters.mcp.manager import EMAIL_SCOPE_KEY, INIT_SCOPE_KEY, DynamicSessionManager, principal
from dynamic_mcp.adapters.mcp.modern import ModernEntry, modern_version
from dynamic_mcp.adapters.mcp.origins import OriginPolicy
from dynamic_mcp.adapters.mcp.sessions import SessionRegistry
from dynamic_mcp.application.auth import Authenticator
from dynamic_mcp.application.limits import RateLimitService
from dynamic_mcp.domain.errors import StorageUnavailable
from dynamic_mcp.domain.limits import RateLimited
from dynamic_mcp.domain.users import User

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

MISSING_KEY = {"error": "Missing apiKey"}
INVALID_KEY = {"error": "Invalid apiKey. Please contact the administrator to request access or a valid API key."}
WRONG_USER = {"error": "This API key does not belong to the user of this session."}
INVALID_TOKEN = {"error": "Invalid or expired access token. Refresh it, or sign in again."}
RETRY_AFTER_SECONDS = 30


def challenge(
    error: str, body: dict[str, str], resource_metadata: str | None = None, *, token: bool = False
) -> list[tuple[bytes, bytes]]:
    return challenge_headers(error, body["error"], resource_metadata, token=token)


def _rpc_error(message: str, code: int = -32000) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": None}


NO_SESSION = _rpc_error("Bad Request: No valid session ID provided")
MISSING_SESSION_HEADER = _rpc_error("Bad Request: Missing MCP-Session-ID header")
UNKNOWN_SESSION = _rpc_error("Session not found", -32001)
# A JSON-RPC error body, so MCP clients show the reason instead of a bare HTTP 503.
STORAGE_DOWN = _rpc_error("Storage is unavailable. Please retry shortly.")


def too_many_sessions(limit: int) -> dict[str, Any]:
    return _rpc_error(
        f"Too many open sessions for this user (MAX_SESSIONS_PER_USER is {limit}). Close sessions you no longer "
        "use (HTTP DELETE /mcp with their Mcp-Session-Id), wait for idle ones to expire, or reset your API key "
        "to end all of them."
    )


async def send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] = ()) -> None:  # type: ignore[assignment]
    payload = json.dumps(body, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def send_rate_limited(send: Send, exc: RateLimited) -> None:
    """429 as problem details with Retry-After, like the REST API's."""
    body = {
        "type": "tag:dynamic-mcp,2025:problem:too-many-requests",
        "title": "Too Many Requests",
        "status": 429,
        "detail": exc.message,
    }
    payload = json.dumps(body, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(payload)).encode()),
                (b"retry-after", str(exc.retry_after).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive callable that yields the already-read body once, then defers to the real one."""
    sent = False

    async def replayed() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def initialize_params(body: bytes) -> dict[str, Any] | None:
    """The params of an initialize request (``{}`` when it has none); None for anything else."""
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting past the stack
        return None
    if not isinstance(message, dict) or message.get("method") != "initialize":
        return None
    params = message.get("params")
    return params if isinstance(params, dict) else {}


def is_initialize(body: bytes) -> bool:
    return initialize_params(body) is not None


def _bind(scope: Scope, email: str) -> None:
    scope[EMAIL_SCOPE_KEY] = email
    scope["user"] = principal(email)


class McpGate:
    """Order of checks: Origin and Host, then the key (401 before anything else is revealed),
    then the session."""

    def __init__(
        self,
        manager: DynamicSessionManager,
        sessions: SessionRegistry,
        authenticator: Authenticator,
        *,
        allow_query_key: bool,
        max_body_bytes: int,
        modern: ModernEntry | None = None,
        origins: OriginPolicy,
        require_key_on_every_request: bool = True,
        max_sessions_per_user: int = 50,
        limits: RateLimitService | None = None,
        resource_metadata: str | None = None,
    ) -> None:
        self._limits = limits
        self._metadata = resource_metadata
        self._manager = manager
        self._modern = modern
        self._sessions = sessions
        self._auth = authenticator
        self._allow_query = allow_query_key
        self._max_body = max_body_bytes
        self._origins = origins
        self._require_key = require_key_on_every_request
        self._per_user = max_sessions_per_user

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        refusal = self._origins.check(headers)
        if refusal is not None:
            await send_json(send, 403, refusal.body())
            return
        session_id = headers.get(b"mcp-session-id", b"").decode("latin-1") or None
        try:
            if self._modern is not None and modern_version(scope) is not None:
                await self._modern(scope, receive, send)  # the 2026 era: no session, every request on its own
                return
            key = api_key_from_scope(scope, allow_query=self._allow_query)
            user: User | None = None
            if key is not None:
                user = await self._auth.authenticate(key, scope="mcp")
                if user is None:
                    token = self._auth.is_token(key)
                    body = INVALID_TOKEN if token else INVALID_KEY
                    await send_json(send, 401, body, challenge(INVALID, body, self._metadata, token=token))
                    return
            if session_id is not None:
                await self._existing_session(session_id, user, scope, receive, send)
            elif user is None:
                await send_json(send, 401, MISSING_KEY, challenge(MISSING, MISSING_KEY, self._metadata))
            else:
                await self._new_session(user, scope, receive, send)
        except StorageUnavailable:
            await send_json(send, 503, STORAGE_DOWN)

    async def _existing_session(
        self, session_id: str, user: User | None, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if user is None and self._require_key:
            await send_json(send, 401, MISSING_KEY, challenge(MISSING, MISSING_KEY, self._metadata))
            return
        owner = await self._sessions.owner(session_id)
        if owner is None:
            await send_json(send, 404, UNKNOWN_SESSION)
            return
        if user is not None and user.email != owner:
            await send_json(send, 401, WRONG_USER, challenge(INVALID, WRONG_USER, self._metadata))
            return
        _bind(scope, owner)
        await self._manager.handle_request(scope, receive, send)
        if scope.get("method") == "DELETE" and not self._manager.is_live(session_id):
            await self._sessions.ended_by_client(session_id)

    async def _new_session(self, user: User, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method", "GET")
        if method in ("GET", "DELETE"):
            await send_json(send, 400, MISSING_SESSION_HEADER)
            return
        if method != "POST":
            await send_json(send, 405, _rpc_error("Method not allowed"), [(b"allow", b"GET, POST, DELETE")])
            return
        try:
            body = await read_body(receive, self._max_body)
        except BodyTooLarge:
            await send_json(send, 413, _rpc_error(f"Request body exceeds {self._max_body} bytes"))
            return
        params = initialize_params(body)
        if params is None:
            await send_json(send, 400, NO_SESSION)
            return
        scope[INIT_SCOPE_KEY] = params
        if self._limits is not None:
            try:
                await self._limits.check("sessions", user)
            except RateLimited as exc:
                await send_rate_limited(send, exc)
                return
        if not await self._sessions.reserve(user.email, self._per_user):
            retry = [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())]
            await send_json(send, 429, too_many_sessions(self._per_user), retry)
            return
        try:
            _bind(scope, user.email)
            await self._manager.handle_request(scope, replay(body, receive), send)
        finally:
            self._sessions.release(user.email)
