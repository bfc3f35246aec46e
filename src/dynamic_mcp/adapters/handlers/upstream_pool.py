"""Client sessions to upstream MCP servers, pooled (ADR 0031).

One SDK ``Client`` per (upstream, credential), opened on first use and shared by every call that
has the same key; at most ``max_connections`` at once (an idle one is closed to make room); closed
after ``idle_seconds`` without calls; dropped on a transport failure and opened again by the next
call. Each session lives in a task of its own (the SDK's transports are context managers that must
be left by the task that entered them), so a dead or slow upstream holds up only its own callers.
The address is checked by the outbound policy of http tools before connecting and every request
goes to that address (ADR 0005), with the URL's host name kept for the Host header and TLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx2
import mcp_types as types
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from dynamic_mcp.adapters.handlers.outbound import OutboundPolicy
from dynamic_mcp.domain.errors import DomainError, UpstreamFailure
from dynamic_mcp.ports.handlers import ProgressReporter
from dynamic_mcp.ports.upstreams import ChangeCallback, UpstreamGateway, UpstreamTarget

log = logging.getLogger(__name__)

HTTP_CONNECTIONS_PER_SESSION = 8
"""TCP connections one upstream session may hold for concurrent calls (its httpx2 pool)."""
KEEPALIVE_SECONDS = 4.0
"""Idle connections are dropped before the upstream drops them: servers close idle keep-alive
connections after a few seconds (uvicorn and Node after 5), and a request sent on one the server
is closing fails with a read error that ends the whole upstream session, and every call on it."""
CLIENT_INFO = types.Implementation(name="dynamic-mcp-gateway", version="1")
WATCH_RETRY_MAX_SECONDS = 30.0
HEARTBEAT_SECONDS = 10.0


class PinnedTransport(httpx2.AsyncBaseTransport):
    """Sends every request to the checked address; refuses any other host (no redirect elsewhere)."""

    def __init__(self, hostname: str, address: str, limits: httpx2.Limits) -> None:
        self._hostname = hostname
        self._address = address
        self._inner = httpx2.AsyncHTTPTransport(limits=limits, trust_env=False)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.host != self._hostname:
            raise httpx2.ConnectError(f"refusing a request to another host than {self._hostname}")
        if request.url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": self._hostname}
        request.url = request.url.copy_with(host=self._address)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def failure(target: UpstreamTarget, exc: BaseException, what: str) -> DomainError:
    """A tool error naming the upstream; never the headers or the whole URL (it may hold a path secret)."""
    exc = _leaf(exc)
    if isinstance(exc, DomainError):
        # Keep the kind (a refused address stays Forbidden), name the upstream.
        return exc if target.name in exc.message else type(exc)(f"Upstream '{target.name}': {exc.message}")
    host = urlsplit(target.url).hostname
    if isinstance(exc, TimeoutError | httpx2.TimeoutException) or (
        isinstance(exc, MCPError) and exc.code == types.REQUEST_TIMEOUT
    ):
        return UpstreamFailure(f"Upstream '{target.name}' timed out ({what})")
    if isinstance(exc, httpx2.ConnectError | ConnectionRefusedError):
        return UpstreamFailure(f"Upstream '{target.name}' refused the connection or is unreachable ({host})")
    if isinstance(exc, httpx2.HTTPStatusError):
        return UpstreamFailure(f"Upstream '{target.name}' answered HTTP {exc.response.status_code} ({what})")
    if isinstance(exc, MCPError):
        return UpstreamFailure(
            f"Upstream '{target.name}' answered a protocol error ({what}): {exc.code} {str(exc.error.message)[:300]}"
        )
    return UpstreamFailure(f"Upstream '{target.name}' failed ({what}): {type(exc).__name__}")


class _Session:
    """One open upstream client session and the task that holds it."""

    def __init__(self, target: UpstreamTarget) -> None:
        self.target = target
        self.client: Client | None = None
        self.ready = asyncio.Event()
        self.stop = asyncio.Event()
        self.error: BaseException | None = None
        self.dead = False
        self.in_use = 0
        self.last_used = time.monotonic()
        self.task: asyncio.Task[None] | None = None


async def open_client(
    policy: OutboundPolicy, target: UpstreamTarget, stack: contextlib.AsyncExitStack, **client_kwargs: Any
) -> Client:
    """An entered SDK client for ``target`` whose requests reach only the address the policy allowed."""
    parts = urlsplit(target.url)
    hostname = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = await policy.resolve(hostname, port)
    limits = httpx2.Limits(
        max_connections=HTTP_CONNECTIONS_PER_SESSION,
        max_keepalive_connections=HTTP_CONNECTIONS_PER_SESSION,
        keepalive_expiry=KEEPALIVE_SECONDS,
    )
    http = await stack.enter_async_context(
        httpx2.AsyncClient(
            headers=dict(target.headers),
            timeout=httpx2.Timeout(target.call_timeout_seconds, connect=target.connect_timeout_seconds),
            transport=PinnedTransport(hostname, address, limits),
            trust_env=False,
        )
    )
    client = Client(
        streamable_http_client(target.url, http_client=http),
        mode=target.protocol,
        read_timeout_seconds=target.call_timeout_seconds,
        client_info=CLIENT_INFO,
        cache=None,
        **client_kwargs,
    )
    async with asyncio.timeout(target.connect_timeout_seconds):
        return await stack.enter_async_context(client)


class PooledUpstreamGateway(UpstreamGateway):
    def __init__(self, policy: OutboundPolicy, max_connections: int = 100, idle_seconds: float = 300.0) -> None:
        self._policy = policy
        self._max = max(1, max_connections)
        self._idle = idle_seconds
        self._sessions: dict[str, _Session] = {}
        self._watchers: dict[str, asyncio.Task[None]] = {}
        self._reaper: asyncio.Task[None] | None = None
        self.opened = 0
        """Sessions opened since start (for measurements and tests)."""

    @property
    def open_sessions(self) -> int:
        return sum(1 for s in self._sessions.values() if not s.dead)

    # -- the pool ----------------------------------------------------------------------------
    def _make_room(self, target: UpstreamTarget) -> None:
        live = [s for s in self._sessions.values() if not s.dead]
        if len(live) < self._max:
            return
        idle = [s for s in live if s.in_use == 0]
        if not idle:
            raise UpstreamFailure(
                f"Upstream '{target.name}': all {self._max} upstream connections are busy "
                "(UPSTREAM_MAX_CONNECTIONS); try again shortly"
            )
        oldest = min(idle, key=lambda s: s.last_used)
        self._retire(oldest)

    def _retire(self, session: _Session) -> None:
        session.dead = True
        session.stop.set()
        if self._sessions.get(session.target.pool_key) is session:
            del self._sessions[session.target.pool_key]

    def _session(self, target: UpstreamTarget) -> _Session:
        session = self._sessions.get(target.pool_key)
        if session is not None and not session.dead:
            return session
        self._make_room(target)
        session = _Session(target)
        session.task = asyncio.get_running_loop().create_task(self._hold(session))
        self._sessions[target.pool_key] = session
        self.opened += 1
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.get_running_loop().create_task(self._reap())
        return session

    async def _hold(self, session: _Session) -> None:
        try:
            async with contextlib.AsyncExitStack() as stack:
                session.client = await open_client(self._policy, session.target, stack)
                session.ready.set()
                await session.stop.wait()
        except BaseException as exc:
            session.error = exc
            if not isinstance(_leaf(exc), asyncio.CancelledError):
                log.info("upstream session ended: %s %s", session.target.name, type(_leaf(exc)).__name__)
        finally:
            session.dead = True
            session.ready.set()
            if self._sessions.get(session.target.pool_key) is session:
                del self._sessions[session.target.pool_key]

    async def _reap(self) -> None:
        while self._sessions:
            await asyncio.sleep(max(0.5, min(self._idle / 4, 30.0)))
            now = time.monotonic()
            for session in list(self._sessions.values()):
                if session.in_use == 0 and now - session.last_used >= self._idle:
                    self._retire(session)

    async def _with_client(self, target: UpstreamTarget, what: str, work: Any) -> Any:
        session = self._session(target)
        session.in_use += 1
        try:
            try:
                async with asyncio.timeout(target.connect_timeout_seconds + 1):
                    await session.ready.wait()
            except TimeoutError:
                self._retire(session)
                raise UpstreamFailure(f"Upstream '{target.name}' timed out (connecting)") from None
            if session.client is None:
                raise failure(target, session.error or ConnectionError("closed"), "connecting")
            try:
                # The SDK bounds each request by read_timeout_seconds; this bounds the whole exchange.
                async with asyncio.timeout(target.call_timeout_seconds + 1):
                    return await work(session.client)
            except MCPError as exc:
                if exc.code == types.CONNECTION_CLOSED:
                    self._retire(session)
                raise failure(target, exc, what) from None
            except (TimeoutError, httpx2.TimeoutException) as exc:
                raise failure(target, exc, what) from None
            except DomainError:
                raise
            except Exception as exc:
                # A transport failure leaves the session unusable: the next call opens a new one.
                self._retire(session)
                raise failure(target, exc, what) from None
        finally:
            session.in_use -= 1
            session.last_used = time.monotonic()

    async def list_tools(self, target: UpstreamTarget) -> list[Mapping[str, Any]]:
        async def work(client: Client) -> list[Mapping[str, Any]]:
            tools: list[Mapping[str, Any]] = []
            cursor: str | None = None
            for _ in range(100):  # a paginator that never ends cannot hang an import
                page = await client.list_tools(cursor=cursor)
                tools.extend(t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in page.tools)
                cursor = page.next_cursor
                if not cursor:
                    break
            return tools

        result: list[Mapping[str, Any]] = await self._with_client(target, "tools/list", work)
        return result

    async def call_tool(
        self, target: UpstreamTarget, tool: str, arguments: Mapping[str, Any], progress: ProgressReporter
    ) -> Mapping[str, Any]:
        reporter = progress

        class Relay:
            async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
                await reporter(progress, total, message)

        relay = Relay()

        async def work(client: Client) -> Mapping[str, Any]:
            result = await client.call_tool(tool, dict(arguments), progress_callback=relay)
            return result.model_dump(by_alias=True, exclude_none=True, mode="json")

        forwarded: Mapping[str, Any] = await self._with_client(target, f"tools/call {tool}", work)
        return forwarded

    # -- change notifications ----------------------------------------------------------------
    def watch(self, target: UpstreamTarget, on_change: ChangeCallback) -> None:
        self.unwatch(target.name)
        self._watchers[target.name] = asyncio.get_running_loop().create_task(self._follow(target, on_change))

    def unwatch(self, name: str) -> None:
        task = self._watchers.pop(name, None)
        if task is not None:
            task.cancel()

    async def _follow(self, target: UpstreamTarget, on_change: ChangeCallback) -> None:
        """A session of its own per upstream, re-opened with back-off; a reconnect re-lists once
        (changes may have been missed while it was down)."""
        delay = 1.0
        connected_before = False
        changes: asyncio.Queue[None] = asyncio.Queue()

        async def on_message(message: Any) -> None:
            if getattr(message, "method", None) == "notifications/tools/list_changed":
                changes.put_nowait(None)

        while True:
            try:
                async with contextlib.AsyncExitStack() as stack:
                    client = await open_client(self._policy, target, stack, message_handler=on_message)
                    tools = client.server_capabilities.tools
                    if tools is None or not tools.list_changed:
                        log.info("upstream %s does not announce tool list changes; refresh it by hand", target.name)
                        return
                    if connected_before:
                        changes.put_nowait(None)
                    connected_before = True
                    delay = 1.0
                    async with asyncio.TaskGroup() as group:
                        group.create_task(self._relay_changes(target, changes, on_change))
                        if client.protocol_version == "2026-07-28":
                            async with client.listen(tools_list_changed=True) as subscription:
                                async for _event in subscription:
                                    changes.put_nowait(None)
                            raise ConnectionError("the upstream ended its subscription")
                        # Notifications arrive through on_message; a ping notices a dead upstream.
                        while True:
                            await asyncio.sleep(HEARTBEAT_SECONDS)
                            async with asyncio.timeout(target.connect_timeout_seconds):
                                await client.session.send_ping()
            except asyncio.CancelledError:
                raise
            except BaseException as exc:
                log.info("upstream %s: change stream lost (%s); retrying", target.name, type(_leaf(exc)).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, WATCH_RETRY_MAX_SECONDS)

    @staticmethod
    async def _relay_changes(target: UpstreamTarget, changes: asyncio.Queue[None], on_change: ChangeCallback) -> None:
        while True:
            await changes.get()
            while not changes.empty():  # a burst of notifications is one refresh
                changes.get_nowait()
            try:
                await on_change()
            except Exception:
                log.warning("refresh of upstream %s after list_changed failed", target.name, exc_info=True)

    async def close(self) -> None:
        for name in list(self._watchers):
            self.unwatch(name)
        tasks = [s.task for s in self._sessions.values() if s.task is not None]
        for session in list(self._sessions.values()):
            self._retire(session)
        if self._reaper is not None:
            self._reaper.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(task, 5)
