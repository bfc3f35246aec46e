"""The Litestar application: /mcp (the SDK transport behind our gate), /health, /status (ADR 0002)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.exceptions import HTTPException
from litestar.handlers import asgi
from litestar.types import Receive, Scope, Send

from dynamic_mcp.adapters.http.api_docs import swagger_assets_router
from dynamic_mcp.adapters.http.console import console_router, console_static_router, template_config
from dynamic_mcp.adapters.http.heap import growth_refrozen, start_up_objects_frozen
from dynamic_mcp.adapters.http.oauth import authorization_server_handlers, discovery_handlers, resource_metadata_url
from dynamic_mcp.adapters.http.observe import RequestObserver
from dynamic_mcp.adapters.http.rest import rest_exception_handlers, rest_openapi_config, rest_router
from dynamic_mcp.adapters.http.rest.problems import domain_status
from dynamic_mcp.adapters.http.routes import HttpRoute, check_new_routes, to_litestar
from dynamic_mcp.adapters.mcp import redaction
from dynamic_mcp.adapters.mcp.gate import McpGate
from dynamic_mcp.adapters.mcp.listeners import ListenerRegistry
from dynamic_mcp.adapters.mcp.manager import DynamicSessionManager
from dynamic_mcp.adapters.mcp.modern import ModernEntry, enable_modern_era
from dynamic_mcp.adapters.mcp.origins import origin_policy
from dynamic_mcp.adapters.mcp.resources import install_resources
from dynamic_mcp.adapters.mcp.server import build_server
from dynamic_mcp.adapters.mcp.sessions import SessionRegistry
from dynamic_mcp.adapters.system.prometheus import CONTENT_TYPE, PrometheusMetrics
from dynamic_mcp.application.background import cancel_and_wait
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.config import Settings
from dynamic_mcp.container import (
    Container,
    close_storage,
    prepare_storage,
    start_following,
    stop_following,
    storage_health,
)
from dynamic_mcp.domain.errors import DomainError, StorageUnavailable

HEALTHY = {"status": "ok"}

log = logging.getLogger(__name__)


async def log_unexpected(exc: Exception, scope: Scope) -> None:
    """Litestar's own logging config is off (it would reset the root logger): 5xx are logged here.

    A 4xx is the caller's mistake, not the server's (a missing user, a broken rule): no traceback."""
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return
    if isinstance(exc, DomainError) and domain_status(exc) < 500:
        return
    log.error("request failed: %s %s", scope.get("method"), scope.get("path_template"), exc_info=exc)


@get(["/health", "/status"], include_in_schema=False)
async def health(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """unauthenticated liveness; ``?deep=1`` also pings the database (503 while it is down)."""
    if request.query_params.get("deep") in (None, "", "0", "false"):
        return Response(dict(HEALTHY))
    try:
        await storage_health(request.app.state["container"])
    except StorageUnavailable as exc:
        return Response({"status": "unavailable", "error": exc.message}, status_code=503)
    return Response(dict(HEALTHY))


@contextlib.asynccontextmanager
async def following_session_closes(sessions: SessionRegistry, listeners: ListenerRegistry) -> AsyncIterator[None]:
    """Close here the sessions and listen streams closed on any instance; at shutdown, leave the
    session records to the others."""
    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(sessions.follow_removals()), loop.create_task(listeners.follow_closes())]
    try:
        yield
    finally:
        sessions.stopping()
        for task in tasks:
            await cancel_and_wait(task)


@get("/metrics", include_in_schema=False)
async def metrics_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Prometheus text format; with METRICS_TOKEN set, only for ``Authorization: Bearer <token>``."""
    container: Container = request.app.state["container"]
    metrics = container.metrics()
    token = container.settings().metrics_token
    if not isinstance(metrics, PrometheusMetrics):
        return Response(b"metrics are disabled (METRICS_ENABLED=false)\n", status_code=404, media_type="text/plain")
    if token:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return Response(
                b"metrics need Authorization: Bearer <METRICS_TOKEN>\n",
                status_code=401,
                media_type="text/plain",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
    return Response(metrics.scrape(), media_type=CONTENT_TYPE)


def create_app(
    container: Container, *, packages: Sequence[HandlerPackage] = (), routes: Sequence[HttpRoute] = ()
) -> Litestar:
    """A fresh app per call: the SDK session manager can run only once, and tests build many.

    ``packages`` are registered at start-up after the built-ins; their ``auth_routes`` and the
    extra ``routes`` are mounted on the app (docs/tools.md).
    """
    extra_routes = [*routes, *(HttpRoute.parse(spec) for p in packages for spec in p.auth_routes)]
    check_new_routes((), extra_routes)
    settings: Settings = container.settings()
    redaction.install()
    sessions = container.session_registry()
    mcp_server = build_server(
        settings.server_name,
        settings.server_version,
        container.call_service(),
        container.prompt_service(),
        sessions,
        container.metrics(),
        container.tracing(),
        completions=container.completion_service(),
        tools_page_size=settings.tools_page_size,
    )
    install_resources(mcp_server, container.resource_service(), container.resource_subscriptions())
    listeners = container.listener_registry()
    enable_modern_era(mcp_server, listeners, container.call_service(), request_state_keys=settings.request_state_keys)
    manager = DynamicSessionManager(
        app=mcp_server,
        json_response=False,
        stateless=False,
        session_idle_timeout=settings.session_idle_timeout_seconds or None,
        max_request_body_size=settings.max_body_bytes,
        on_open=sessions.opened,
        on_close=sessions.closed,
        on_established=sessions.established,
        on_abandoned=sessions.abandoned,
        on_restored=sessions.touch,
    )
    sessions.attach_closer(manager)
    metadata = resource_metadata_url(settings) if settings.oauth_enabled else None
    oauth_routes: list[Any] = []
    if settings.oauth_enabled:
        oauth_routes = discovery_handlers(settings)
        if not settings.oauth_external:
            oauth_routes += authorization_server_handlers(settings, container.oauth_service())
    gate = McpGate(
        manager,
        sessions,
        container.authenticator(),
        allow_query_key=settings.allow_query_api_key,
        max_body_bytes=settings.max_body_bytes,
        modern=ModernEntry(
            manager,
            container.authenticator(),
            listeners,
            allow_query_key=settings.allow_query_api_key,
            resource_metadata=metadata,
        ),
        origins=origin_policy(settings),
        require_key_on_every_request=settings.require_key_on_every_request,
        max_sessions_per_user=settings.max_sessions_per_user,
        limits=container.rate_limits(),
        resource_metadata=metadata,
    )

    metrics = container.metrics()
    listening = 0

    @asgi(path="/mcp", is_mount=True, copy_scope=True)
    async def mcp_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal listening
        stream = scope.get("method") == "GET" and any(k == b"mcp-session-id" for k, _ in scope.get("headers", ()))
        if not stream:
            await gate(scope, receive, send)  # type: ignore[arg-type]
            return
        listening += 1  # a GET of a session is the stream its notifications travel on
        metrics.listeners(listening)
        try:
            await gate(scope, receive, send)  # type: ignore[arg-type]
        finally:
            listening -= 1
            metrics.listeners(listening)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await prepare_storage(container)
        audit = container.audit()
        presence = container.presence()
        try:
            await start_following(container)
            lifecycle = container.lifecycle()
            if not lifecycle.started:
                await lifecycle.start(packages)
            upstreams = container.upstream_service()
            await upstreams.check_startup()  # per-user upstreams need SECRET_KEY (docs/configuration.md)
            await upstreams.start_watching()
            await audit.start()
            await presence.start()
            async with manager.run(), following_session_closes(sessions, listeners):
                with start_up_objects_frozen():
                    async with growth_refrozen(lambda: container.tools().size() + container.users().size()):
                        yield
        finally:
            await presence.stop()
            await container.upstream_gateway().close()
            await stop_following(container)
            await audit.stop()
            await close_storage(container)
            await asyncio.to_thread(container.tracing().shutdown)  # the last export may take a while

    app_state: dict[str, Any] = {"container": container}
    app = Litestar(
        route_handlers=[
            health,
            metrics_endpoint,
            mcp_endpoint,
            rest_router(container),
            console_router(container),
            console_static_router(),
            swagger_assets_router(),
            *oauth_routes,
            *(to_litestar(r) for r in extra_routes),
        ],
        template_config=template_config(),
        openapi_config=rest_openapi_config(container),
        exception_handlers=rest_exception_handlers(),
        after_exception=[log_unexpected],
        lifespan=[lifespan],
        state=app_state,  # type: ignore[arg-type]
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,  # LOG_LEVEL governs every logger (see adapters/system/logs.py)
    )
    # Outside Litestar's exception layer, so 404s and errors get a request id and are counted too.
    app.asgi_handler = RequestObserver(  # type: ignore[assignment]
        app.asgi_handler,  # type: ignore[arg-type]
        container.metrics(),
        container.audit(),
        container.tracing(),
    )
    return app
