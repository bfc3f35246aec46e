"""Errors as RFC 9457 problem details: domain errors and Litestar's own, never a traceback."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.exceptions.responses import create_exception_response
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ExceptionHandlersMap

from dynamic_mcp.adapters.http.rest.schemas import Problem, ProblemError
from dynamic_mcp.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    StorageUnavailable,
    UpstreamFailure,
)

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "tag:dynamic-mcp,2025:problem:"

# Invalid is a well-formed request that breaks a rule (422); malformed requests are 400.
DOMAIN_STATUS: tuple[tuple[type[DomainError], int, str], ...] = (
    (NotFound, 404, "not-found"),
    (Forbidden, 403, "forbidden"),
    (Conflict, 409, "conflict"),
    (Invalid, 422, "invalid"),
    (StorageUnavailable, 503, "storage-unavailable"),
    (UpstreamFailure, 422, "upstream-failure"),  # the upstream failed, not this server: no 5xx
)
SLUG_BY_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "content-too-large",
    415: "unsupported-media-type",
    422: "invalid",
    429: "too-many-requests",
    500: "internal-error",
    503: "storage-unavailable",
}
DESCRIPTIONS = {
    400: "The request is malformed (wrong JSON types, missing fields, bad query values)",
    401: "No API key, or an unknown one",
    403: "The caller lacks the right for this action, or the request's Origin or Host is not accepted",
    404: "Not found, or not visible to the caller",
    409: "Clashes with existing state (duplicate email or name)",
    413: "The request body is too large",
    422: "Well-formed but breaks a rule (e.g. an unknown handler type)",
    503: "The store cannot be reached; retry later",
}


def problem(status: int, detail: str, *, request: Request[Any, Any, Any] | None = None) -> Problem:
    body: Problem = {
        "type": TYPE_PREFIX + SLUG_BY_STATUS.get(status, str(status)),
        "title": _title(status),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = _path(request)
    return body


def problem_response(
    request: Request[Any, Any, Any] | None, status: int, detail: str, headers: dict[str, str] | None = None
) -> Response[Problem]:
    return Response(
        problem(status, detail, request=request),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _path(request: Request[Any, Any, Any]) -> str:
    """The request path without the query string (which may carry an API key); safe even when
    the Host header is malformed, unlike ``request.url``."""
    return str(request.scope.get("path", ""))


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def domain_status(exc: DomainError) -> int:
    """The HTTP status a domain error answers with (400 for kinds without their own)."""
    return next((code for kind, code, _ in DOMAIN_STATUS if isinstance(exc, kind)), 400)


def domain_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    assert isinstance(exc, DomainError)
    return problem_response(request, domain_status(exc), exc.message)


def http_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status >= 500:
        log.error("REST request failed", extra={"path": _path(request), "status": status})
        return problem_response(request, status, "The server could not complete the request")
    if isinstance(exc, ValidationException):
        # Litestar's own detail repeats the query string, which may carry an API key (docs/access.md).
        response = problem_response(request, status, f"Validation failed for {request.method} {_path(request)}")
        if isinstance(exc.extra, list):
            response.content["errors"] = [_validation_error(e) for e in exc.extra]
        return response
    return problem_response(request, status, exc.detail or _title(status), headers=exc.headers)


def _validation_error(entry: Any) -> ProblemError:
    if not isinstance(entry, dict):
        return {"message": str(entry)}
    error: ProblemError = {"message": str(entry.get("message", "invalid value"))}
    if entry.get("key") is not None:
        error["key"] = str(entry["key"])
    source = entry.get("source")
    if source is not None:
        error["source"] = str(getattr(source, "value", source))
    return error


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.exception("REST request failed unexpectedly", extra={"path": _path(request)})
    return problem_response(request, 500, "The server could not complete the request")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}


def fallback_exception_handlers(prefix: str) -> ExceptionHandlersMap:
    """App-level: errors raised before routing (unknown path, wrong method, malformed Host) are
    problem details under ``prefix`` too; every other path keeps Litestar's default body."""

    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        path = _path(request)
        if path == prefix or path.startswith(prefix + "/"):
            return http_error_handler(request, exc)
        return create_exception_response(request, exc)

    return {HTTPException: handler}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem responses an operation may return (401, 403 and 503 always)."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_MEDIA_TYPE,
            description=DESCRIPTIONS[status],
            generate_examples=False,
        )
        for status in sorted({400, 401, 403, 503, *statuses})
    }
