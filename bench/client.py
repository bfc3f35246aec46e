"""A small HTTP/1.1 + MCP streamable-HTTP client on raw asyncio streams (loopback only).

A full client (the SDK's, or httpx) costs about as much CPU per request as the servers being
measured, and client and server share two cores here; this one costs a few tens of
microseconds, so the server stays the bottleneck.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

PROTOCOL_VERSION = "2025-11-25"
MODERN_VERSION = "2026-07-28"
HANDSHAKE, MODERN = "handshake", "2026"
TOOLS_CHANGED = b"notifications/tools/list_changed"


class HttpError(RuntimeError):
    pass


class Response:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class Connection:
    """One keep-alive HTTP/1.1 connection: requests in sequence, or one streamed response."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port, limit=1 << 24)
        return self

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
            self._writer = None

    def _send(self, method: str, path: str, headers: Mapping[str, str], body: bytes = b"") -> None:
        assert self._writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            lines.append(f"content-length: {len(body)}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    async def _head(self) -> tuple[int, dict[str, str]]:
        assert self._reader is not None
        raw = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = raw[:-4].decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split(" ", 2)[1]), headers

    async def _chunks(self, headers: Mapping[str, str]) -> AsyncIterator[bytes]:
        assert self._reader is not None
        reader = self._reader
        if "chunked" in headers.get("transfer-encoding", ""):
            while True:
                size = int((await reader.readline()).split(b";", 1)[0], 16)
                if size == 0:
                    await reader.readline()
                    return
                chunk = await reader.readexactly(size + 2)
                yield chunk[:-2]
        else:
            length = int(headers.get("content-length", "0"))
            if length:
                yield await reader.readexactly(length)

    async def request(self, method: str, path: str, headers: Mapping[str, str], body: bytes = b"") -> Response:
        if self._reader is not None and self._reader.at_eof():  # the server closed an idle keep-alive
            await self.close()
            await self.open()
        self._send(method, path, headers, body)
        status, response_headers = await self._head()
        parts = [chunk async for chunk in self._chunks(response_headers)]
        return Response(status, response_headers, b"".join(parts))

    async def stream(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, AsyncIterator[bytes]]:
        """Send a request and return its status and its body as it arrives (an SSE stream)."""
        self._send(method, path, headers)
        status, response_headers = await self._head()
        return status, self._chunks(response_headers)


def sse_data(body: bytes) -> Any:
    """The JSON of the first ``data:`` line of an SSE body (or the body itself when it is JSON)."""
    start = body.find(b"data: ")
    if start < 0:
        return json.loads(body)
    end = body.find(b"\n", start)
    return json.loads(body[start + 6 : end if end >= 0 else None])


class McpSession:
    """One MCP session (initialize + notifications/initialized) on its own connection."""

    def __init__(self, host: str, port: int, api_key: str | None = None, path: str = "/mcp") -> None:
        self.host = host
        self.port = port
        self.path = path
        self.connection = Connection(host, port)
        self.headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
        if api_key is not None:
            self.headers["x-apikey"] = api_key
        self.session_id = ""
        self._ids = itertools.count(1)

    async def open(self) -> McpSession:
        await self.connection.open()
        init = {
            "jsonrpc": "2.0",
            "id": next(self._ids),
            "method": "initialize",
            "params": {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "bench", "version": "1.0"},
            },
        }
        response = await self.connection.request("POST", self.path, self.headers, json.dumps(init).encode())
        if response.status != 200:
            raise HttpError(f"initialize answered {response.status}: {response.body[:200]!r}")
        self.session_id = response.headers["mcp-session-id"]
        self.headers = {**self.headers, "mcp-session-id": self.session_id, "mcp-protocol-version": PROTOCOL_VERSION}
        note = json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}).encode()
        response = await self.connection.request("POST", self.path, self.headers, note)
        if response.status != 202:
            raise HttpError(f"notifications/initialized answered {response.status}")
        return self

    async def rpc_raw(self, method: str, params: Mapping[str, Any]) -> bytes:
        """Send one request; return the raw response body (not parsed, for timing)."""
        body = json.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}).encode()
        response = await self.connection.request("POST", self.path, self.headers, body)
        if response.status != 200:
            raise HttpError(f"{method} answered {response.status}: {response.body[:200]!r}")
        return response.body

    async def rpc(self, method: str, params: Mapping[str, Any]) -> Any:
        message = sse_data(await self.rpc_raw(method, params))
        if "error" in message:
            raise HttpError(f"{method} failed: {message['error']}")
        return message["result"]

    async def call(self, tool: str, arguments: Mapping[str, Any]) -> Any:
        """tools/call; the parsed JSON of the text item, raising when the tool reported an error."""
        result = await self.rpc("tools/call", {"name": tool, "arguments": arguments})
        text = result["content"][0]["text"]
        if result.get("isError"):
            raise HttpError(f"{tool} failed: {text}")
        return json.loads(text)

    async def close(self) -> None:
        await self.connection.close()


class ModernSession(McpSession):
    """The 2026-07-28 era: no initialize and no session; every POST carries the protocol version,
    the client's capabilities and its key, and the routing headers the era asks for."""

    async def open(self) -> McpSession:
        await self.connection.open()
        self.headers = {**self.headers, "mcp-protocol-version": MODERN_VERSION}
        return self

    async def rpc_raw(self, method: str, params: Mapping[str, Any]) -> bytes:
        envelope = {
            "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "1.0"},
        }
        message = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": {**params, "_meta": envelope}}
        headers = {**self.headers, "mcp-method": method}
        if method == "tools/call":
            headers["mcp-name"] = str(params["name"])
        response = await self.connection.request("POST", self.path, headers, json.dumps(message).encode())
        if response.status != 200:
            raise HttpError(f"{method} answered {response.status}: {response.body[:200]!r}")
        return response.body


def session_class(era: str) -> type[McpSession]:
    return ModernSession if era == MODERN else McpSession


class Listener:
    """The GET SSE stream of a session (where the server pushes list_changed), on a second connection."""

    def __init__(self, session: McpSession) -> None:
        self.session = session
        self.connection = Connection(session.host, session.port)
        self.received = 0
        self.first_at: float | None = None
        self._task: asyncio.Task[None] | None = None

    async def open(self, on_change: Any) -> Listener:
        await self.connection.open()
        headers = {k: v for k, v in self.session.headers.items() if k != "content-type"}
        headers["accept"] = "text/event-stream"
        status, chunks = await self.connection.stream("GET", self.session.path, headers)
        if status != 200:
            raise HttpError(f"GET stream answered {status}")
        self._task = asyncio.get_running_loop().create_task(self._read(chunks, on_change))
        return self

    async def _read(self, chunks: AsyncIterator[bytes], on_change: Any) -> None:
        tail = b""  # a marker may straddle two chunks
        try:
            async for chunk in chunks:
                data = tail + chunk
                found = data.count(TOOLS_CHANGED)
                if found:
                    self.received += found
                    on_change(self)
                    data = data[data.rfind(TOOLS_CHANGED) + len(TOOLS_CHANGED) :]
                tail = data[-len(TOOLS_CHANGED) + 1 :]
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.connection.close()
