"""The SDK session manager, extended with the hooks session policy needs (ADR 0002).

The SDK keeps live sessions privately; we need to know when one opens (to bind it to its user)
and when it ends (DELETE, idle timeout, crash), and to close one (key reset, user deletion).
These overrides touch private SDK methods, so ``mcp`` is pinned to a minor version and the
integration tests exercise every hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

EMAIL_SCOPE_KEY = "dynamic_mcp.email"


class DynamicSessionManager(StreamableHTTPSessionManager):
    def __init__(
        self,
        *args: Any,
        on_open: Callable[[str, str], None],
        on_close: Callable[[str], None],
        on_established: Callable[[str], None] = lambda _: None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._on_open = on_open
        self._on_close = on_close
        self._on_established = on_established

    async def _serve_opening_request(self, http_transport: Any, scope: Any, receive: Any, send: Any) -> None:
        session_id = http_transport.mcp_session_id
        if session_id is not None:
            self._on_open(session_id, scope[EMAIL_SCOPE_KEY])
        await super()._serve_opening_request(http_transport, scope, receive, send)
        if session_id is not None and session_id in self._server_instances:
            self._on_established(session_id)

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
