"""The public Python API for embedding the server (docs/tools.md).

server = DynamicMcpServer("my-server", "1.0.0")    # name and version shown to clients as serverInfo
await server.register_handler(my_package)   # before or after start()
await server.start()                          # serves HOST:PORT until stop()
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import uvicorn
from litestar import Litestar

from dynamic_mcp.adapters.http.app import create_app
from dynamic_mcp.adapters.http.routes import HttpRoute, check_new_routes, to_litestar
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container, check_storage

logger = logging.getLogger("dynamic_mcp")


class DynamicMcpServer:
    def __init__(
        self, name: str = "dynamic-mcp-server", version: str | None = None, *, settings: Settings | None = None
    ):
        base = settings or Settings.from_env()
        # Without a version, serverInfo carries SERVER_VERSION or this package's version.
        self.settings = attrs.evolve(base, server_name=name, server_version=version or base.server_version)
        self.container: Container = build_container(self.settings)
        self._packages: list[HandlerPackage] = []
        self._routes: list[HttpRoute] = []
        self._app: Litestar | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    # -- composition --------------------------------------------------------------------------
    @property
    def app(self) -> Litestar:
        """The ASGI app (built on first use); serve it yourself or call start()."""
        if self._app is None:
            self._app = create_app(self.container, packages=self._packages, routes=self._routes)
        return self._app

    @property
    def started(self) -> bool:
        return bool(self.container.lifecycle().started)

    def _route_keys(self) -> list[tuple[str, str]]:
        return [r.key for r in self._routes] + [
            HttpRoute.parse(spec).key for p in self._packages for spec in p.auth_routes
        ]

    async def register_handler(self, package: HandlerPackage) -> None:
        """Register a handler package (docs/tools.md). After start its tools are stored at once and the
        affected sessions are told; its routes are mounted on the running app."""
        routes = [HttpRoute.parse(spec) for spec in package.auth_routes]
        check_new_routes(self._route_keys(), routes)
        if self._app is None or not self.started:
            if self._app is not None:
                raise RuntimeError("register packages before the app is built, or after start()")
            self._packages.append(package)
            return
        await self.container.registrar().register(package, announce=True)
        self._packages.append(package)
        for r in routes:
            self._app.register(to_litestar(r))

    def add_http_route(self, method: str, path: str, handler: Callable[[Any], Awaitable[Any]]) -> None:
        r = HttpRoute.parse({"method": method, "path": path, "handler": handler})
        check_new_routes(self._route_keys(), [r])
        self._routes.append(r)
        if self._app is not None:
            self._app.register(to_litestar(r))

    # -- notifications ------------------------------------------------------------------------
    async def notify_tool_list_changed(self, email: str | None = None) -> None:
        await self.container.facade().notify_tool_list_changed(email)

    async def notify_prompt_list_changed(self, email: str | None = None) -> None:
        await self.container.facade().notify_prompt_list_changed(email)

    # -- running ------------------------------------------------------------------------------
    async def start(self, *, host: str | None = None, port: int | None = None) -> None:
        """Serve in the background of the running event loop; returns once ready."""
        if self._server is not None:
            raise RuntimeError("server already started")
        await check_storage(self.settings)  # StorageUnavailable now, with a clear message, not mid-lifespan
        config = uvicorn.Config(
            self.app,
            host=host or self.settings.host,
            port=self.settings.port if port is None else port,
            access_log=False,
            lifespan="on",
            log_config=None,  # the embedding program's logging stays as it set it
            log_level=None,
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.get_running_loop().create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises the start-up error
                raise RuntimeError("server stopped during start-up")
            await asyncio.sleep(0.02)

    @property
    def port(self) -> int | None:
        """The bound port once started (useful with port 0)."""
        if self._server is None or not self._server.servers:
            return None
        return int(self._server.servers[0].sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop serving and release sessions, connections and the store."""
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._server = None
        self._task = None
