"""API key authentication for the REST API: the key sources of /mcp (docs/access.md), the caller
reloaded from the store on every request (docs/access.md), 401 as problem details."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, TooManyRequestsException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from dynamic_mcp.adapters.mcp.challenge import INVALID, MISSING, www_authenticate
from dynamic_mcp.adapters.mcp.gate import INVALID_KEY, MISSING_KEY
from dynamic_mcp.adapters.mcp.keys import api_key_from_scope
from dynamic_mcp.adapters.mcp.origins import OriginPolicy
from dynamic_mcp.application.auth import Authenticator
from dynamic_mcp.application.context import enrich
from dynamic_mcp.application.limits import RateLimitService
from dynamic_mcp.domain.limits import RateLimited
from dynamic_mcp.domain.users import User

CALLER_STATE_KEY = "dynamic_mcp_caller"
MISSING_CHALLENGE = {"WWW-Authenticate": www_authenticate(MISSING, MISSING_KEY["error"])}
INVALID_CHALLENGE = {"WWW-Authenticate": www_authenticate(INVALID, INVALID_KEY["error"])}


def origin_guard(policy: OriginPolicy) -> Guard:
    """The DNS-rebinding rule of /mcp on the REST API too: a refused Origin or Host is a 403 problem."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        refusal = policy.check(dict(connection.scope.get("headers") or []))
        if refusal is not None:
            raise PermissionDeniedException(detail=refusal.body()["error"])

    return guard


def api_key_guard(authenticator: Authenticator, *, allow_query: bool, limits: RateLimitService | None = None) -> Guard:
    """Runs before the request body is read, so an anonymous caller learns nothing else."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # lists the allowed methods, as a 405 does, and nothing else
        key = api_key_from_scope(connection.scope, allow_query=allow_query)
        if key is None:
            raise NotAuthorizedException(detail=MISSING_KEY["error"], headers=MISSING_CHALLENGE)
        user = await authenticator.authenticate(key)
        if user is None:
            raise NotAuthorizedException(detail=INVALID_KEY["error"], headers=INVALID_CHALLENGE)
        connection.state[CALLER_STATE_KEY] = user
        enrich(user_email=user.email, door="rest")
        if limits is not None:
            try:
                await limits.check("api", user)
            except RateLimited as exc:
                raise TooManyRequestsException(
                    detail=exc.message, headers={"Retry-After": str(exc.retry_after)}
                ) from None

    return guard


def provide_caller(request: ASGIConnection[Any, Any, Any, Any]) -> User:
    """The authenticated caller as the guard loaded it for this very request."""
    user = request.state.get(CALLER_STATE_KEY)
    if not isinstance(user, User):
        raise NotAuthorizedException(detail=MISSING_KEY["error"], headers=MISSING_CHALLENGE)
    return user
