"""The outermost ASGI layer: a request id for every HTTP request (``X-Request-Id`` accepted when
sane, else generated; returned on every response), the request context for log lines, one
``http``-level log line, one metric and, when tracing is on, one span per request (its parent
from the ``traceparent`` header)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from dynamic_mcp.application.audit import AuditRecorder
from dynamic_mcp.application.context import CURRENT, REQUEST_ID_SCOPE_KEY, TRACE_SCOPE_KEY, RequestContext, current
from dynamic_mcp.domain.audit import outcome_of_status
from dynamic_mcp.ports.metrics import Metrics
from dynamic_mcp.ports.tracing import NoTracing, Span, Tracing

log = logging.getLogger("dynamic_mcp.http")

HTTP_LEVEL = 15
REQUEST_ID_HEADER = b"x-request-id"
# Printable and short: the id lands in log lines and audit entries, so nothing that could forge a
# line or carry a secret-sized payload is taken from the client.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
READS = frozenset({"GET", "HEAD", "OPTIONS"})
API_PREFIX = "/api/v1"
CONSOLE_PREFIX = "/console/"
CONSOLE_SIGN_IN = "/console/sign-in"  # recorded by the sign-in use case itself
CLI_AGENT = b"dynamic-mcp-cli"
UNMATCHED_ROUTE = "unmatched"
METRICS_ROUTE = "/metrics"
TRACE_HEADERS = {b"traceparent": "traceparent", b"tracestate": "tracestate"}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


def accepted_request_id(raw: bytes | None) -> str | None:
    if not raw:
        return None
    try:
        value = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    return value if _ACCEPTED_ID.fullmatch(value) else None


def request_id_of(scope: Scope) -> str | None:
    value = scope.get(REQUEST_ID_SCOPE_KEY)
    return value if isinstance(value, str) else None


def route_of(scope: Scope) -> str:
    """The route template Litestar matched; mounts (``/mcp``) leave it empty, so their path is used."""
    template = scope.get("path_template")
    if template:
        return str(template)
    handler = scope.get("route_handler")
    paths = getattr(handler, "paths", None)
    return min(paths) if paths else UNMATCHED_ROUTE


class RequestObserver:
    def __init__(
        self, app: ASGIApp, metrics: Metrics, audit: AuditRecorder | None = None, tracing: Tracing | None = None
    ) -> None:
        self._app = app
        self._metrics = metrics
        self._audit = audit
        self._tracing = tracing or NoTracing()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self._app(scope, receive, send)
            return
        if not self._tracing.enabled:
            await self._observe(scope, receive, send, None)
            return
        headers = scope.get("headers") or ()
        carrier = {TRACE_HEADERS[k]: v.decode("latin-1") for k, v in headers if k in TRACE_HEADERS}
        method = str(scope.get("method", ""))
        with self._tracing.span(method if method in METHODS else "OTHER", kind="server", parents=(carrier,)) as span:
            scope[TRACE_SCOPE_KEY] = self._tracing.carrier()
            await self._observe(scope, receive, send, span)

    async def _observe(self, scope: Scope, receive: Any, send: Any, span: Span | None) -> None:
        headers = scope.get("headers") or ()
        raw = next((v for k, v in headers if k == REQUEST_ID_HEADER), None)
        request_id = accepted_request_id(raw) or uuid.uuid4().hex
        scope[REQUEST_ID_SCOPE_KEY] = request_id
        header = (b"x-request-id", request_id.encode("ascii"))
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = CURRENT.set(RequestContext(request_id=request_id))
        started = time.perf_counter()
        try:
            await self._app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            method = str(scope.get("method", ""))
            route = route_of(scope)
            self._metrics.http_request(route, method if method in METHODS else "OTHER", status, elapsed)
            if span is not None:
                _describe(span, method if method in METHODS else "OTHER", route, status, request_id)
            if self._audit is not None:
                self._record(headers, method, route, status, elapsed)
            if log.isEnabledFor(HTTP_LEVEL):
                log.log(
                    HTTP_LEVEL,
                    "%s %s %s",
                    method,
                    route,
                    status,
                    extra={"status": status, "duration_ms": round(elapsed * 1000, 2)},
                )
            CURRENT.reset(token)

    def _record(self, headers: Any, method: str, route: str, status: int, elapsed: float) -> None:
        """REST and console changes and every authentication failure (any door) are audit entries;
        tool calls and console sign-ins are recorded by their use cases."""
        assert self._audit is not None
        rest = route.startswith(API_PREFIX)
        console = route.startswith(CONSOLE_PREFIX)
        if route == CONSOLE_SIGN_IN:
            return
        if console and method not in READS:
            outcome = outcome_of_status(status)
            self._audit.record(f"{method} {route}", outcome, elapsed, user=current().user_email, door="console")
            return
        if status != 401 and not (rest and method not in READS):
            return
        agent = next((v for k, v in headers if k == b"user-agent"), b"")
        door = "cli" if agent.startswith(CLI_AGENT) else ("rest" if rest else ("console" if console else "mcp"))
        if route == METRICS_ROUTE:
            door = "metrics"  # a scrape with a wrong METRICS_TOKEN is nobody's MCP request
        action = "authenticate" if status == 401 else f"{method} {route}"
        self._audit.record(action, outcome_of_status(status), elapsed, user=current().user_email, door=door)


def _describe(span: Span, method: str, route: str, status: int, request_id: str) -> None:
    # The route template, never the raw path: paths carry emails and tool names.
    span.rename(f"{method} {route}")
    span.set_attribute("http.request.method", method)
    span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    span.set_attribute("dynamic_mcp.request_id", request_id)
    if status >= 500:
        span.fail(str(status))
