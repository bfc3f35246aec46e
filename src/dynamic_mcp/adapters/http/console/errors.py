"""Domain errors as console pages: the use case's message, a 4xx status, never a traceback."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from dynamic_mcp.adapters.http.console.render import page
from dynamic_mcp.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, StorageUnavailable

STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (Invalid, 422),
    (StorageUnavailable, 503),
)


def status_of(exc: DomainError) -> int:
    return next((status for kind, status in STATUS if isinstance(exc, kind)), 400)


def domain_error_page(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    referer = request.headers.get("referer") or ""
    back = referer if referer.startswith(f"{request.base_url}console/".replace("//console", "/console")) else None
    return page(request, "message.html", "That did not work", status_code=status_of(exc), error=exc.message, back=back)
