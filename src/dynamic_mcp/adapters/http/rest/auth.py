"""API key authentication for the REST API: the key sources of /mcp (docs/access.md), the caller
reloaded from the store on every request (docs/access.md), 401 as problem details."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, TooManyRequestsException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from dynamic_mcp.adapters.mcp.challenge import INVALID, MISSING, challenge_headers, www_authenticate
from dynamic_mcp.adapters.mcp.gate import INVALID_KEY, INVALID_TOKEN, MISSING_KEY
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


def _challenges(error: str, description: str, resource_metadata: str | None, *, token: bool = False) -> dict[str, str]:
    if not resource_metadata:
        return {"WWW-Authenticate": www_authenticate(error, description)}
    # Litestar takes one value per header name; two challenges may share one header (RFC 9110 11.6.1).
    values = [v.decode("latin-1") for _, v in challenge_headers(error, description, resource_metadata, token=token)]
    return {"WWW-Authenticate": ", ".join(values)}


def api_key_guard(
    authenticator: Authenticator,
    *,
    allow_query: bool,
    limits: RateLimitService | None = None,
    resource_metadata: str | None = None,
) -> Guard:
    """Runs before the request body is read, so an anonymous caller learns nothing else. An OAuth
    access token is accepted when it carries the ``admin`` scope (docs/oauth.md)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # lists the allowed methods, as a 405 does, and nothing else
        key = api_key_from_scope(connection.scope, allow_query=allow_query)
        if key is None:
            missing = _challenges(MISSING, MISSING_KEY["error"], resource_metadata)
            raise NotAuthorizedException(detail=MISSING_KEY["error"], headers=missing)
        user = await authenticator.authenticate(key, scope="admin")
        if user is None:
            token = authenticator.is_token(key)
            detail = (INVALID_TOKEN if token else INVALID_KEY)["error"]
            invalid = _challenges(INVALID, detail, resource_metadata, token=token)
            raise NotAuthorizedException(detail=detail, headers=invalid)
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
