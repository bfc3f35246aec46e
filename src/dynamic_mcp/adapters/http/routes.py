"""Extra HTTP routes from handler packages (``auth_routes``) and ``add_http_route`` (docs/tools.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import attrs
from litestar import HttpMethod, Request, route
from litestar.handlers import HTTPRouteHandler

from dynamic_mcp.domain.errors import Conflict, Invalid

METHODS = frozenset({"get", "post", "put", "delete", "patch"})
RESERVED = frozenset({("GET", "/health"), ("GET", "/status"), ("GET", "/metrics")})

RouteFunction = Callable[[Request[Any, Any, Any]], Awaitable[Any]]


@attrs.frozen
class HttpRoute:
    """``handler(request)`` gets the Litestar request and returns anything Litestar can send."""

    method: str
    path: str
    handler: RouteFunction

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> HttpRoute:
        method = str(spec.get("method", "")).lower()
        path = spec.get("path")
        handler = spec.get("handler")
        if method not in METHODS:
            raise Invalid(f"route method must be one of {', '.join(sorted(METHODS))}")
        if not isinstance(path, str) or not path.startswith("/") or path.startswith("/mcp"):
            raise Invalid("route path must start with '/' and must not be under /mcp")
        if not callable(handler):
            raise Invalid(f"route {method.upper()} {path} needs a handler")
        return cls(method.upper(), path, handler)


def check_new_routes(existing: Iterable[tuple[str, str]], new: Iterable[HttpRoute]) -> None:
    """A duplicate method+path is an error, raised before anything is stored (docs/tools.md)."""
    seen = set(existing) | RESERVED
    for r in new:
        if r.key in seen:
            raise Conflict(f"HTTP route {r.method} {r.path} is already registered")
        seen.add(r.key)


def to_litestar(r: HttpRoute) -> HTTPRouteHandler:
    async def endpoint(request: Request[Any, Any, Any]) -> Any:
        return await r.handler(request)

    endpoint.__name__ = f"package_route_{r.method.lower()}_{abs(hash(r.path))}"
    return route(r.path, http_method=[HttpMethod(r.method)], include_in_schema=False)(endpoint)
