"""The SDK session manager, extended with the hooks session policy needs (ADR 0002, ADR 0010).

The SDK keeps live sessions privately; we need to know when one opens (to store it and bind it to
its user), when its opening answer is complete, and when it ends (DELETE, idle timeout, crash);
to close one (key reset, user deletion); and to rebuild here, in its initialized state, a session
another instance opened. These overrides touch private SDK members (``_server_instances``,
``_session_owners``, ``_session_creation_lock``, ``_task_group``, ``_lifespan_state``,
``_serve_opening_request``, ``_discard_session``), so ``mcp`` is pinned to a minor version and
the integration tests exercise every hook.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

import anyio
from anyio.abc import TaskStatus
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser, authorization_context
from mcp.server.auth.provider import AccessToken
from mcp.server.connection import Connection
from mcp.server.runner import serve_connection
from mcp.server.session import ServerSession
from mcp.server.streamable_http import StreamableHTTPServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.shared.jsonrpc_dispatcher import JSONRPCDispatcher
from mcp_types import InitializeRequestParams
from pydantic import ValidationError

from dynamic_mcp.domain.mcp_sessions import StoredSession

EMAIL_SCOPE_KEY = "dynamic_mcp.email"
INIT_SCOPE_KEY = "dynamic_mcp.initialize"

log = logging.getLogger(__name__)


def principal(email: str) -> AuthenticatedUser:
    """The SDK compares this principal with the session's creator; a mismatch answers 404."""
    return AuthenticatedUser(AccessToken(token="-", client_id=email, scopes=[]))  # noqa: S106


async def _nothing(_: str) -> None:
    return None


class DynamicSessionManager(StreamableHTTPSessionManager):
    def __init__(
        self,
        *args: Any,
        on_open: Callable[[str, str, Mapping[str, Any] | None], Awaitable[None]],
        on_close: Callable[[str], None],
        on_established: Callable[[str], Awaitable[None]] = _nothing,
        on_abandoned: Callable[[str], Awaitable[None]] = _nothing,
        on_restored: Callable[[str, Any], None] = lambda _, __: None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._on_open = on_open
        self._on_close = on_close
        self._on_established = on_established
        self._on_abandoned = on_abandoned
        self._on_restored = on_restored

    async def _serve_opening_request(self, http_transport: Any, scope: Any, receive: Any, send: Any) -> None:
        session_id = http_transport.mcp_session_id
        if session_id is None:
            await super()._serve_opening_request(http_transport, scope, receive, send)
            return
        try:
            await self._on_open(session_id, scope[EMAIL_SCOPE_KEY], scope.get(INIT_SCOPE_KEY))
        except BaseException:
            await self._discard_session(session_id, http_transport)
            raise
        await super()._serve_opening_request(http_transport, scope, receive, send)
        if session_id in self._server_instances:
            await self._on_established(session_id)
        else:
            await self._on_abandoned(session_id)

    async def _discard_session(self, session_id: str, transport: Any) -> None:
        self._on_close(session_id)
        await super()._discard_session(session_id, transport)

    async def close_session(self, session_id: str) -> None:
        """End a session now: its streams close and its id answers 404 from here on."""
        transport = self._server_instances.get(session_id)
        if transport is not None:
            await self._discard_session(session_id, transport)

    def is_live(self, session_id: str) -> bool:
        return session_id in self._server_instances

    async def restore_session(self, session_id: str, record: StoredSession) -> bool:
        """Serve here a session another instance opened: a transport for the same id whose
        connection starts initialized with the client's stored initialize params. False when it
        cannot be hosted (the manager is not running, or it is at its session limit)."""
        if self._task_group is None:
            return False
        async with self._session_creation_lock:
            if session_id in self._server_instances:
                return True
            if self.max_sessions is not None and len(self._server_instances) >= self.max_sessions:
                return False
            transport = StreamableHTTPServerTransport(
                mcp_session_id=session_id,
                is_json_response_enabled=self.json_response,
                event_store=self.event_store,
                security_settings=self.security_settings,
                retry_interval=self.retry_interval,
                idle_timeout=self.session_idle_timeout,
            )
            self._session_owners[session_id] = authorization_context(principal(record.email))
            self._server_instances[session_id] = transport
        try:
            await self._task_group.start(self._run_restored, session_id, transport, record)
        except BaseException:
            await self._discard_session(session_id, transport)
            raise
        return True

    async def _run_restored(
        self,
        session_id: str,
        transport: StreamableHTTPServerTransport,
        record: StoredSession,
        *,
        task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        async with transport.connect() as (read_stream, write_stream):
            task_status.started()
            try:
                idle_scope = transport.idle_scope or anyio.CancelScope()
                with idle_scope:
                    # The same dispatcher recipe as the SDK's serve_loop, with a connection
                    # that has already been through the handshake.
                    dispatcher: JSONRPCDispatcher[Any] = JSONRPCDispatcher(
                        read_stream, write_stream, inline_methods=frozenset({"initialize"})
                    )
                    connection = Connection.for_loop(
                        dispatcher, session_id=session_id, protocol_version_hint=record.protocol_version or None
                    )
                    connection.client_params = _initialize_params(record)
                    connection.initialized.set()
                    # Notifications go out on the connection's own channel (the GET stream), so a
                    # session whose only request here is that stream still gets them.
                    self._on_restored(session_id, ServerSession(cast(Any, None), connection))
                    await serve_connection(
                        self.app, dispatcher, connection=connection, lifespan_state=self._lifespan_state
                    )
            except Exception:
                log.exception("Restored session %s crashed", session_id[:8])
            finally:
                await self._discard_session(session_id, transport)


def _initialize_params(record: StoredSession) -> InitializeRequestParams | None:
    if not record.client_params:
        return None
    try:
        return InitializeRequestParams.model_validate(dict(record.client_params), by_name=False)
    except ValidationError:
        return None  # the client's declared capabilities are then unknown; the session still works
