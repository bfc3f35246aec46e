"""The 2026-07-28 era on ``/mcp``: no handshake and no session, every request on its own.

The gate hands a request here when its ``MCP-Protocol-Version`` header is not a handshake-era
version (the rule the SDK's session manager routes by). Each request is authenticated from the
same key sources as the handshake era and carries its caller into the SDK's single-exchange path;
listings vary by that caller only, and change notifications reach the caller's own
``subscriptions/listen`` streams (``listeners.py``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

import mcp_types as types
from mcp.server.caching import CacheHint, validate_cache_hints
from mcp.server.context import CallNext, ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.request_state import RequestStateBoundary, RequestStateSecurity
from mcp.shared.exceptions import MCPError
from mcp.shared.inbound import validate_mcp_param_headers
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

from dynamic_mcp.adapters.mcp.challenge import INVALID, MISSING, challenge_headers
from dynamic_mcp.adapters.mcp.keys import api_key_from_scope
from dynamic_mcp.adapters.mcp.listeners import ListenerRegistry
from dynamic_mcp.adapters.mcp.manager import EMAIL_SCOPE_KEY, DynamicSessionManager
from dynamic_mcp.application.auth import Authenticator
from dynamic_mcp.application.calls import CallService

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

VERSION_HEADER = b"mcp-protocol-version"
REVOCATIONS_SCOPE_KEY = "dynamic_mcp.revocations"

# Lists are per user ("private") and change at run time: a client may reuse one for a few seconds;
# a listen stream tells it sooner. Discovery is the same for every caller.
LIST_TTL_MS = 5_000
DISCOVER_TTL_MS = 3_600_000
CACHE_HINTS = {
    "tools/list": CacheHint(ttl_ms=LIST_TTL_MS, scope="private"),
    "prompts/list": CacheHint(ttl_ms=LIST_TTL_MS, scope="private"),
    "resources/list": CacheHint(ttl_ms=LIST_TTL_MS, scope="private"),
    "resources/templates/list": CacheHint(ttl_ms=LIST_TTL_MS, scope="private"),
    "server/discover": CacheHint(ttl_ms=DISCOVER_TTL_MS, scope="public"),
}
# Newest first: the 2026 era, then the handshake era's versions, all served on this endpoint.
SUPPORTED_VERSIONS = (*reversed(MODERN_PROTOCOL_VERSIONS), *reversed(HANDSHAKE_PROTOCOL_VERSIONS))

MISSING_KEY = "Missing apiKey"
INVALID_KEY = "Invalid apiKey. Please contact the administrator to request access or a valid API key."
INVALID_TOKEN = "Invalid or expired access token. Refresh it, or sign in again."  # noqa: S105 (a message)
UNAUTHORIZED = -32000


def modern_version(scope: Scope) -> str | None:
    """The requested version when the request is not of the handshake era, else None.

    The SDK reads the first ``MCP-Protocol-Version`` header the same way; an unknown version goes
    to the 2026 path too, which answers it with the versions it serves."""
    for name, value in scope.get("headers") or ():
        if name == VERSION_HEADER:
            version = bytes(value).decode("latin-1")
            return None if version in HANDSHAKE_PROTOCOL_VERSIONS else version
    return None


async def _unauthorized(send: Send, message: str, challenges: list[tuple[bytes, bytes]]) -> None:
    # A JSON-RPC error body, so SDK clients show the reason; the challenge says how to authenticate.
    body = {"jsonrpc": "2.0", "id": None, "error": {"code": UNAUTHORIZED, "message": message}}
    payload = json.dumps(body, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *challenges,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class ModernEntry:
    """Authenticates one 2026-era request and passes it to the SDK with its caller bound."""

    def __init__(
        self,
        manager: DynamicSessionManager,
        authenticator: Authenticator,
        listeners: ListenerRegistry,
        *,
        allow_query_key: bool,
        resource_metadata: str | None = None,
    ) -> None:
        self._metadata = resource_metadata
        self._manager = manager
        self._auth = authenticator
        self._listeners = listeners
        self._allow_query = allow_query_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = api_key_from_scope(scope, allow_query=self._allow_query)
        if key is None:
            await _unauthorized(send, MISSING_KEY, challenge_headers(MISSING, MISSING_KEY, self._metadata))
            return
        user = await self._auth.authenticate(key, scope="mcp")
        if user is None:
            token = self._auth.is_token(key)
            message = INVALID_TOKEN if token else INVALID_KEY
            await _unauthorized(send, message, challenge_headers(INVALID, message, self._metadata, token=token))
            return
        scope[EMAIL_SCOPE_KEY] = user.email
        scope[REVOCATIONS_SCOPE_KEY] = self._listeners.revocations(user.email)
        await self._manager.handle_request(scope, receive, send)


def is_modern(ctx: ServerRequestContext[Any, Any]) -> bool:
    return ctx.protocol_version in MODERN_PROTOCOL_VERSIONS


def _caller(ctx: ServerRequestContext[Any, Any]) -> tuple[str, int | None]:
    scope = ctx.request.scope if ctx.request is not None else {}
    email = scope.get(EMAIL_SCOPE_KEY)
    if not email:
        raise MCPError(UNAUTHORIZED, "No authenticated user for this request")
    return str(email), scope.get(REVOCATIONS_SCOPE_KEY)


def enable_modern_era(
    server: Server[Any], listeners: ListenerRegistry, calls: CallService, *, request_state_keys: tuple[str, ...] = ()
) -> None:
    """Give the low-level server what the 2026 era adds: discovery of both eras, cache hints on
    lists, per-user listen streams, and ``Mcp-Param-*`` header checks against the caller's tool."""
    server.cache_hints = validate_cache_hints(CACHE_HINTS)

    async def discover(ctx: ServerRequestContext[Any, Any], params: types.RequestParams) -> types.DiscoverResult:
        return types.DiscoverResult(
            supported_versions=list(SUPPORTED_VERSIONS),
            capabilities=server.get_capabilities(protocol_version=ctx.protocol_version),
            instructions=server.instructions,
        )

    async def listen(
        ctx: ServerRequestContext[Any, Any], params: types.SubscriptionsListenRequestParams
    ) -> types.SubscriptionsListenResult:
        email, authenticated_at = _caller(ctx)
        return await listeners.listen(email, ctx, params, authenticated_at=authenticated_at)

    # Questions to the client (context.elicit / sample) end a call with a sealed requestState that
    # only the same caller, retrying the same call within ten minutes, can use: on any instance
    # holding the same keys, else on this process only.
    if request_state_keys:
        security = RequestStateSecurity(keys=list(request_state_keys), bind_principal=_principal)
    else:
        security = RequestStateSecurity.ephemeral()
        security.bind_principal = _principal
    server.middleware.append(RequestStateBoundary(security, default_audience=server.name))
    server.add_request_handler("server/discover", types.RequestParams, discover)
    server.add_request_handler("subscriptions/listen", types.SubscriptionsListenRequestParams, listen)
    # The SDK would otherwise list every tool of the caller to find one schema on each call; the
    # middleware below checks the headers against the tool the caller actually resolves to.
    server.get_tool_input_schema = _no_schema_before_middleware
    server.middleware.append(_check_param_headers(calls))


def _principal(ctx: ServerRequestContext[Any, Any]) -> str | None:
    return _caller(ctx)[0]


def _no_schema_before_middleware(name: str) -> Mapping[str, Any] | None:
    return None


def _check_param_headers(calls: CallService) -> Any:
    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> Any:
        if ctx.method == "tools/call" and is_modern(ctx) and ctx.request is not None:
            params = ctx.params or {}
            name, arguments = params.get("name"), params.get("arguments") or {}
            if isinstance(name, str) and isinstance(arguments, Mapping):
                schema = await calls.input_schema(_caller(ctx)[0], name)
                if schema is not None:
                    rejection = validate_mcp_param_headers(schema, arguments, ctx.request.headers)
                    if rejection is not None:
                        raise MCPError(rejection.code, rejection.message, rejection.data)
        return await call_next(ctx)

    return middleware
