"""Drive an ASGI app in this process, without sockets: CPU per request with no HTTP server, no
client and no scheduler noise in the figure, and a profile of exactly the server's own code.

    python bench/inprocess.py [floor|fastmcp|dynamic ...] [--requests N] [--profile pyinstrument]
    python bench/inprocess.py floor dynamic --list-tools 10000 --requests 20 --concurrency 1

The socket benchmark (bench/run.py) is the one reported; this one is for finding where time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.client import PROTOCOL_VERSION, sse_data
from bench.procs import ADMIN_EMAIL, ADMIN_KEY
from bench.setup import USER_EMAIL, echo_tool, scale_tool

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


@contextlib.asynccontextmanager
async def lifespan(app: App) -> AsyncIterator[None]:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    task = asyncio.get_running_loop().create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"startup failed: {started}")
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


class InProcessSession:
    """An MCP session over direct ASGI calls."""

    def __init__(self, app: App, api_key: str | None) -> None:
        self.app = app
        self.headers = [(b"content-type", b"application/json"), (b"accept", b"application/json, text/event-stream")]
        if api_key:
            self.headers.append((b"x-apikey", api_key.encode()))
        self._id = 0

    async def post(self, message: dict[str, Any]) -> tuple[int, dict[bytes, bytes], bytes]:
        body = json.dumps(message).encode()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/mcp",
            "raw_path": b"/mcp",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"127.0.0.1:1"), *self.headers, (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 2),
            "server": ("127.0.0.1", 1),
        }
        sent = False
        done = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        status = 0
        headers: dict[bytes, bytes] = {}
        chunks: list[bytes] = []

        async def send(event: dict[str, Any]) -> None:
            nonlocal status, headers
            if event["type"] == "http.response.start":
                status = event["status"]
                headers = dict(event.get("headers") or [])
            elif event["type"] == "http.response.body":
                chunks.append(event.get("body", b""))
                if not event.get("more_body"):
                    done.set()

        await self.app(scope, receive, send)
        return status, headers, b"".join(chunks)

    async def open(self) -> InProcessSession:
        self._id += 1
        init = {
            "jsonrpc": "2.0",
            "id": self._id,
            "method": "initialize",
            "params": {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "b", "version": "1"},
            },
        }
        status, headers, body = await self.post(init)
        if status != 200:
            raise RuntimeError(f"initialize: {status} {body[:200]!r}")
        self.headers += [
            (b"mcp-session-id", headers[b"mcp-session-id"]),
            (b"mcp-protocol-version", PROTOCOL_VERSION.encode()),
        ]
        status, _, _ = await self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        if status != 202:
            raise RuntimeError(f"initialized: {status}")
        return self

    async def call(self, name: str, arguments: dict[str, Any]) -> Any:
        self._id += 1
        status, _, body = await self.post(
            {"jsonrpc": "2.0", "id": self._id, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
        )
        message = sse_data(body)
        if status != 200 or "error" in message or message["result"].get("isError"):
            raise RuntimeError(f"tools/call {name}: {status} {body[:300]!r}")
        return json.loads(message["result"]["content"][0]["text"])


def build(kind: str, tools: int) -> tuple[App, Callable[[], Awaitable[None]]]:
    """The app, and a coroutine function adding ``tools`` echo-like tools once it has started."""

    async def nothing() -> None:
        return None

    if kind == "floor":
        from bench.servers import floor

        floor.add_tools(tools)
        return floor.create_app(), nothing
    if kind == "fastmcp":
        from mcp.server.transport_security import TransportSecuritySettings

        from bench.servers import fastmcp_server

        if tools:
            raise SystemExit("--list-tools is not implemented for fastmcp")
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
        return fastmcp_server.mcp.streamable_http_app(transport_security=security), nothing  # type: ignore[return-value]
    os.environ.update({"MCP_ADMIN_EMAIL": ADMIN_EMAIL, "MCP_ADMIN_API_KEY": ADMIN_KEY, "LOG_LEVEL": "warn"})
    for name in [k for k in os.environ if k.startswith("MONGO")]:
        del os.environ[name]
    from dynamic_mcp.adapters.http.app import create_app
    from dynamic_mcp.application.definitions import tool_from_definition
    from dynamic_mcp.config import Settings
    from dynamic_mcp.container import build_container

    container = build_container(Settings.from_env())

    async def seed() -> None:  # straight into the store: the same tools the admin would add
        store, validator = container.tool_store(), container.validator()
        for i in range(tools):
            await store.upsert(tool_from_definition(scale_tool(i), ADMIN_EMAIL, validator))
        container.tools().invalidate()

    return create_app(container), seed  # type: ignore[return-value]


async def user_key(app: App, kind: str) -> str | None:
    if kind != "dynamic":
        return None
    admin = await InProcessSession(app, ADMIN_KEY).open()
    key = (await admin.call("add-user", {"email": USER_EMAIL, "name": "u", "roles": ["user"]}))["result"]["apiKey"]
    await admin.call("add-tool", {"toolDefinition": echo_tool()})
    await admin.call("share-tool", {"email": USER_EMAIL, "toolId": "echo", "accessLevel": "read"})
    return str(key)


async def measure(kind: str, requests: int, concurrency: int, tools: int, profiler: str | None) -> float:
    app, seed = build(kind, tools)
    async with lifespan(app):
        key = await user_key(app, kind)
        await seed()
        sessions = [await InProcessSession(app, key).open() for _ in range(concurrency)]
        arguments = {"text": "hello, bench"}

        async def one(session: InProcessSession, check: bool) -> None:
            if not tools:
                await session.call("echo", arguments)
                return
            session._id += 1
            status, _, body = await session.post({"jsonrpc": "2.0", "id": session._id, "method": "tools/list"})
            if status != 200 or (check and len(sse_data(body)["result"]["tools"]) <= tools):
                raise RuntimeError(f"tools/list: {status}, {body[:200]!r}")  # parsing 1 MB is client work: once

        async def burst(count: int, check: bool = False) -> None:
            async def worker(session: InProcessSession) -> None:
                for _ in range(max(1, count // concurrency)):
                    await one(session, check)

            await asyncio.gather(*(worker(s) for s in sessions))

        await burst(concurrency, check=True)
        await burst(min(500, requests))
        prof: Any = None
        if profiler == "pyinstrument":
            from pyinstrument import Profiler

            prof = Profiler(interval=0.0002, async_mode="disabled")
            prof.start()
        started = time.process_time()
        await burst(requests)
        cpu = time.process_time() - started
        if prof is not None:
            prof.stop()
            print(prof.output_text(unicode=False, color=False, show_all=False, short_mode=False))
    return 1000 * cpu / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kinds", nargs="*", default=["floor", "fastmcp", "dynamic"])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--list-tools", type=int, default=0, help="time tools/list over N more tools instead")
    parser.add_argument("--profile", choices=["pyinstrument"], default=None)
    args = parser.parse_args()
    if len(args.kinds) > 1:  # one fresh interpreter per server: no shared imports or logging setup
        for kind in args.kinds:
            subprocess.run([sys.executable, __file__, kind, *_options(args)], check=True)
        return
    logging.basicConfig(level=logging.WARNING)
    kind = args.kinds[0]
    ms = asyncio.run(measure(kind, args.requests, args.concurrency, args.list_tools, args.profile))
    what = f"tools/list of {args.list_tools:,}+ tools" if args.list_tools else "tools/call"
    print(f"{kind:10s} {ms:.3f} ms CPU per {what} (in process, no sockets)")


def _options(args: argparse.Namespace) -> list[str]:
    options = ["--requests", str(args.requests), "--concurrency", str(args.concurrency)]
    options += ["--list-tools", str(args.list_tools)]
    return options + (["--profile", args.profile] if args.profile else [])


if __name__ == "__main__":
    main()
