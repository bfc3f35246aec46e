"""An upstream MCP server for the gateway tests, on the SDK's low-level ``Server``.

    python -m tests.integration.upstream_server PORT [TOKEN]

With TOKEN, every request must carry ``Authorization: Bearer TOKEN`` (401 otherwise). It counts
the TCP connections it was reached over, so a test can measure how many the gateway opened.
Tools: ``add`` (structured content, ``_meta``, title, icons), ``fail`` (isError), ``slow`` (progress, then sleeps),
``whoami`` (the bearer it saw), ``stats`` (TCP connections, client sessions begun, calls).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import mcp_types as types
import uvicorn
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

PEERS: set[tuple[str, int]] = set()
CALLS = {"count": 0, "sessions": 0}

OBJECT = {"type": "object"}
TOOLS = [
    types.Tool(
        name="add",
        description="Add two numbers",
        input_schema={"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}},
        output_schema={"type": "object", "properties": {"sum": {"type": "number"}}, "required": ["sum"]},
        annotations=types.ToolAnnotations(read_only_hint=True),
        title="Adder",
        icons=[types.Icon(src="https://example.com/add.png", mime_type="image/png")],
    ),
    types.Tool(name="fail", description="Always an error result", input_schema=OBJECT),
    types.Tool(
        name="slow",
        description="Reports progress, then sleeps",
        input_schema={"type": "object", "properties": {"seconds": {"type": "number"}}},
    ),
    types.Tool(name="whoami", description="The bearer token this call carried", input_schema=OBJECT),
    types.Tool(name="stats", description="Connections and calls seen", input_schema=OBJECT),
]


def _text(text: str) -> list[types.ContentBlock]:
    return [types.TextContent(type="text", text=text)]


async def list_tools(ctx: ServerRequestContext[Any, Any], params: Any) -> types.ListToolsResult:
    return types.ListToolsResult(tools=TOOLS)


async def call_tool(ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams) -> types.CallToolResult:
    CALLS["count"] += 1
    args = params.arguments or {}
    if params.name == "add":
        total = float(args.get("a", 0)) + float(args.get("b", 0))
        return types.CallToolResult(
            content=_text(f"{total:g}"), structured_content={"sum": total}, meta={"example.com/origin": "upstream"}
        )
    if params.name == "fail":
        return types.CallToolResult(content=_text("upstream says no"), is_error=True)
    if params.name == "slow":
        meta = dict(ctx.meta or {})
        token = meta.get("progress_token", meta.get("progressToken"))
        if token is not None:
            related = str(ctx.request_id) if ctx.request_id is not None else None
            await ctx.session.send_progress_notification(token, 1, 2, "halfway", related_request_id=related)
        await asyncio.sleep(float(args.get("seconds", 0)))
        return types.CallToolResult(content=_text("slept"))
    if params.name == "whoami":
        header = ctx.request.headers.get("authorization", "") if ctx.request is not None else ""
        return types.CallToolResult(content=_text(header.removeprefix("Bearer ")))
    if params.name == "stats":
        return types.CallToolResult(
            content=_text("stats"),
            structured_content={"connections": len(PEERS), "calls": CALLS["count"], "sessions": CALLS["sessions"]},
        )
    return types.CallToolResult(content=_text(f"unknown tool {params.name}"), is_error=True)


def build(token: str | None) -> Any:
    server: Server[Any] = Server("test-upstream", on_list_tools=list_tools, on_call_tool=call_tool)
    manager = StreamableHTTPSessionManager(app=server)
    expected = f"Bearer {token}".encode() if token else None

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            async with manager.run():
                await send({"type": "lifespan.startup.complete"})
                message = await receive()
                assert message["type"] == "lifespan.shutdown"
            await send({"type": "lifespan.shutdown.complete"})
            return
        client = scope.get("client")
        if client:
            PEERS.add((client[0], client[1]))
        headers = dict(scope.get("headers") or [])
        if expected is not None and headers.get(b"authorization") != expected:
            await send({"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"bearer token required"})
            return

        async def counting_receive() -> Any:
            message = await receive()
            body = message.get("body", b"")
            # A client session starts with server/discover (2026-07-28) or initialize (handshake era).
            if b'"server/discover"' in body or b'"initialize"' in body:
                CALLS["sessions"] += 1
            return message

        await manager.handle_request(scope, counting_receive, send)

    return app


if __name__ == "__main__":
    port = int(sys.argv[1])
    uvicorn.run(
        build(sys.argv[2] if len(sys.argv) > 2 else None),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
