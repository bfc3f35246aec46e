"""MCP resources: list, templates/list, read, subscribe and unsubscribe, mapped to the resource use
cases (docs/resources.md); ``resources/updated`` reaches only the sessions subscribed to that URI."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from dynamic_mcp.adapters.mcp.request_context import request_email as _email
from dynamic_mcp.adapters.mcp.request_context import request_session_id as _session_id
from dynamic_mcp.adapters.mcp.sessions import SessionRegistry
from dynamic_mcp.application.resources import ResourceContents, ResourceNotFound, ResourceService
from dynamic_mcp.domain.errors import DomainError, StorageUnavailable
from dynamic_mcp.domain.events import ChangeEvent, ResourceUpdated
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.ports.metrics import Metrics, NoMetrics

log = logging.getLogger(__name__)

INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
MAX_SUBSCRIPTIONS_PER_SESSION = 1_000


def mcp_error(exc: DomainError) -> MCPError:
    if isinstance(exc, ResourceNotFound):
        return MCPError(INVALID_PARAMS, exc.message, {"uri": exc.uri})
    if isinstance(exc, StorageUnavailable):
        return MCPError(INTERNAL_ERROR, exc.message)
    return MCPError(INVALID_PARAMS, exc.message)


def _listed(resource: Resource) -> types.Resource:
    return types.Resource(
        uri=resource.uri,
        name=resource.name,
        title=resource.title,
        description=resource.description,
        mime_type=resource.mime_type,
        size=resource.size,
    )


def _template(resource: Resource) -> types.ResourceTemplate:
    return types.ResourceTemplate(
        uri_template=resource.uri,
        name=resource.name,
        title=resource.title,
        description=resource.description,
        mime_type=resource.mime_type,
    )


def _contents(item: ResourceContents) -> types.TextResourceContents | types.BlobResourceContents:
    if item.blob is not None:
        return types.BlobResourceContents(uri=item.uri, mime_type=item.mime_type, blob=item.blob)
    return types.TextResourceContents(uri=item.uri, mime_type=item.mime_type, text=item.text or "")


class ResourceSubscriptions:
    """Handshake-era ``resources/subscribe``: which session of which user watches which URIs.

    Entries of sessions that have ended are dropped as events find them gone."""

    def __init__(self, sessions: SessionRegistry, metrics: Metrics | None = None) -> None:
        self._sessions = sessions
        self._metrics = metrics or NoMetrics()
        self._uris: dict[str, set[str]] = defaultdict(set)

    def subscribe(self, session_id: str, uri: str) -> None:
        uris = self._uris[session_id]
        if uri not in uris and len(uris) >= MAX_SUBSCRIPTIONS_PER_SESSION:
            raise MCPError(INVALID_PARAMS, f"At most {MAX_SUBSCRIPTIONS_PER_SESSION} subscriptions per session")
        uris.add(uri)

    def unsubscribe(self, session_id: str, uri: str) -> None:
        uris = self._uris.get(session_id)
        if uris is not None:
            uris.discard(uri)
            if not uris:
                del self._uris[session_id]

    def subscribed(self, session_id: str) -> frozenset[str]:
        return frozenset(self._uris.get(session_id, ()))

    async def on_event(self, event: ChangeEvent) -> None:
        if isinstance(event, ResourceUpdated):
            await self._updated(event)

    async def _updated(self, event: ResourceUpdated) -> None:
        live = {s.session_id: s for s in self._sessions.all_sessions()}
        for session_id in [s for s in self._uris if s not in live]:
            del self._uris[session_id]
        for session_id, uris in list(self._uris.items()):
            session = live[session_id]
            if event.uri not in uris or session.proxy is None:
                continue
            if event.emails is not None and session.email not in event.emails:
                continue
            try:
                await session.proxy.send_resource_updated(event.uri)
                self._metrics.notification_sent("resources_updated")
            except Exception:
                log.warning("resource update not delivered", extra={"session": session_id[:8]}, exc_info=True)


def install_resources(server: Server[Any], resources: ResourceService, subscriptions: ResourceSubscriptions) -> None:
    async def list_resources(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        try:
            found = await resources.list_resources(_email(ctx))
        except DomainError as exc:
            raise mcp_error(exc) from exc
        return types.ListResourcesResult(resources=[_listed(r) for r in found])

    async def list_templates(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        try:
            found = await resources.list_templates(_email(ctx))
        except DomainError as exc:
            raise mcp_error(exc) from exc
        return types.ListResourceTemplatesResult(resource_templates=[_template(r) for r in found])

    async def read(
        ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        try:
            contents = await resources.read(_email(ctx), str(params.uri), session_id=_session_id(ctx))
        except DomainError as exc:
            raise mcp_error(exc) from exc
        return types.ReadResourceResult(contents=[_contents(c) for c in contents])

    async def subscribe(ctx: ServerRequestContext[Any, Any], params: types.SubscribeRequestParams) -> types.EmptyResult:
        _email(ctx)
        session_id = _session_id(ctx)
        if session_id is None:
            raise MCPError(
                INVALID_PARAMS, "resources/subscribe needs a session; on 2026-07-28 use subscriptions/listen"
            )
        # Any URI may be watched; an update is only ever sent to users who may read the resource.
        subscriptions.subscribe(session_id, str(params.uri))
        return types.EmptyResult()

    async def unsubscribe(
        ctx: ServerRequestContext[Any, Any], params: types.UnsubscribeRequestParams
    ) -> types.EmptyResult:
        session_id = _session_id(ctx)
        if session_id is not None:
            subscriptions.unsubscribe(session_id, str(params.uri))
        return types.EmptyResult()

    server.add_request_handler("resources/list", types.PaginatedRequestParams, list_resources)
    server.add_request_handler("resources/templates/list", types.PaginatedRequestParams, list_templates)
    server.add_request_handler("resources/read", types.ReadResourceRequestParams, read)
    server.add_request_handler("resources/subscribe", types.SubscribeRequestParams, subscribe)
    server.add_request_handler("resources/unsubscribe", types.UnsubscribeRequestParams, unsubscribe)
