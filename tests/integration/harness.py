"""A real server process on a free loopback port, and a real MCP SDK client for it."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import mcp_types as types
from mcp import ClientSession
from mcp.client import Client as EraClient
from mcp.client.streamable_http import streamable_http_client

ADMIN_EMAIL = "admin@example.com"
ADMIN_KEY = "admin-key-for-integration-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(proc: subprocess.Popen[bytes], url: str, timeout: float, describe: Callable[[], str]) -> bool:
    """Poll ``url`` until it answers 200 (True) or the deadline passes (False).

    A process that exits meanwhile raises at once, with ``describe()`` (its log) in the message.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}:\n{describe()}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    return False


class ServerProcess:
    """``dynamic-mcp serve`` as a subprocess; its whole log is kept for inspection."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_dir = tempfile.mkdtemp(prefix="dynamic-mcp-log-")
        self.log_path = Path(self._log_dir) / "server.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("MONGO", "MCP_", "SESSION_", "ALLOW_"))},
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "MCP_ADMIN_EMAIL": ADMIN_EMAIL,
            "MCP_ADMIN_API_KEY": ADMIN_KEY,
            "LOG_LEVEL": "debug",
            # Suites open many sessions and calls per minute; tests of the limits set their own.
            "RATE_LIMIT_TOOL_CALLS": "0",
            "RATE_LIMIT_API": "0",
            "RATE_LIMIT_SESSIONS": "0",
            "CONSOLE_SIGN_IN_RATE_LIMIT": "0",
            **(env or {}),
        }
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> ServerProcess:
        # Generous: on a loaded CI machine importing the server alone can take tens of seconds; a
        # healthy server answers long before, so the deadline only matters when something is wrong.
        log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "dynamic_mcp.cli", "serve"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self._log_dir,
        )
        if wait_healthy(self._proc, f"{self.url}/health", timeout, self.log):
            return self
        self.stop()
        raise RuntimeError(f"server did not become healthy:\n{self.log()}")

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def kill(self) -> None:
        """SIGKILL: the process dies mid-request, as on a crash or an OOM kill."""
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Client:
    """An initialized SDK ClientSession plus the notifications it has received."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self.notifications: list[Any] = []
        self._changed = anyio.Event()

    async def on_message(self, message: Any) -> None:
        if isinstance(message, Exception):
            return
        self.notifications.append(message)
        self._changed.set()

    def count(self, method: str) -> int:
        return sum(1 for n in self.notifications if getattr(n, "method", None) == method)

    async def wait_for(self, method: str, at_least: int = 1, timeout: float = 30.0) -> bool:
        # The default bounds a wait that should succeed, so it is generous; a test that proves a
        # notification does *not* come passes its own short timeout.
        with anyio.move_on_after(timeout):
            while self.count(method) < at_least:
                self._changed = anyio.Event()
                await self._changed.wait()
            return True
        return False

    async def tool_names(self) -> set[str]:
        return {t.name for t in (await self.session.list_tools()).tools}

    async def call(self, name: str, arguments: dict[str, Any] | None = None) -> tuple[bool, Any]:
        """(is_error, parsed envelope or the error text)."""
        result = await self.session.call_tool(name, arguments or {})
        text = result.content[0].text if result.content else ""
        if result.is_error:
            return True, text
        return False, json.loads(text)

    async def ok(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        is_error, body = await self.call(name, arguments)
        assert not is_error, f"{name} failed: {body}"
        return body

    async def error(self, name: str, arguments: dict[str, Any] | None = None) -> str:
        is_error, body = await self.call(name, arguments)
        assert is_error, f"{name} unexpectedly succeeded: {body}"
        assert body.startswith("Error: ")
        return str(body)


TOOLS_CHANGED = "notifications/tools/list_changed"


@contextlib.asynccontextmanager
async def connect(
    base_url: str, api_key: str, *, via: str = "header", client_name: str = "integration-test"
) -> AsyncIterator[Client]:
    """Connect with the key in the header (default), the query string, or a Bearer token."""
    url = f"{base_url}/mcp"
    headers: dict[str, str] = {}
    if via == "header":
        headers["x-apikey"] = api_key
    elif via == "bearer":
        headers["authorization"] = f"Bearer {api_key}"
    elif via == "apikey-header":
        headers["apikey"] = api_key
    else:
        url = f"{url}?{via}={api_key}"
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0)) as http,
        streamable_http_client(url, http_client=http) as (read, write),
    ):
        holder: dict[str, Client] = {}

        async def handler(message: Any) -> None:
            await holder["client"].on_message(message)

        async with ClientSession(
            read, write, message_handler=handler, client_info=types.Implementation(name=client_name, version="1.0")
        ) as session:
            client = Client(session)
            holder["client"] = client
            await session.initialize()
            yield client


# -- the 2026-07-28 era, through the SDK's era-aware ``Client`` -------------------------------------


async def call_ok(c: EraClient, name: str, arguments: dict[str, Any] | None = None) -> str:
    """Call a tool and return its text, failing the test on a tool error."""
    result = await c.call_tool(name, arguments or {})
    text = result.content[0].text if result.content else ""  # type: ignore[union-attr]
    assert not result.is_error, f"{name} failed: {text}"
    return str(text)


async def tool_names(c: EraClient) -> list[str]:
    # "refresh": what the server says now, not the client's cached copy (the ttlMs hint allows one).
    return [t.name for t in (await c.list_tools(cache_mode="refresh")).tools]
