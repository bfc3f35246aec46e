"""The floor: a bare ``mcp`` SDK low-level server with one echo tool, served by uvicorn.

Same transport settings as dynamic-mcp (``adapters/http/app.py``): stateful sessions, SSE
responses, no OpenTelemetry middleware, the same idle timeout and body limit, no DNS-rebinding
check. It has no authentication, no access rules and no web framework: whatever dynamic-mcp
costs above this is our own overhead.

    python bench/servers/floor.py --port 8101 [--tools 10000]

``--tools N`` lists N more tools shaped like echo (for the tools/list scale run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import mcp_types as types
import uvicorn
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

ECHO = types.Tool(
    name="echo",
    description="Echo the arguments back",
    input_schema={"type": "object", "properties": {"text": {"type": "string"}}},
)


TOOLS = [ECHO]


def add_tools(count: int) -> None:
    """``count`` more tools shaped like echo, for the tools/list scale run."""
    TOOLS.extend(ECHO.model_copy(update={"name": f"tool-{i:05d}"}) for i in range(count))


async def list_tools(ctx: ServerRequestContext[Any, Any], params: Any) -> types.ListToolsResult:
    return types.ListToolsResult(tools=TOOLS)


async def call_tool(ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams) -> types.CallToolResult:
    # The same text dynamic-mcp's echo package returns: {"result": <arguments>}.
    text = json.dumps({"result": dict(params.arguments or {})}, ensure_ascii=False)
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=False)


def create_app() -> Any:
    server: Server[Any] = Server("floor", version="1.0.0", on_list_tools=list_tools, on_call_tool=call_tool)
    server.middleware.clear()  # as dynamic-mcp does: no OpenTelemetry middleware
    manager = StreamableHTTPSessionManager(
        app=server, json_response=False, stateless=False, session_idle_timeout=3600, max_request_body_size=1_048_576
    )

    @contextlib.asynccontextmanager
    async def running() -> AsyncIterator[None]:
        async with manager.run():
            yield

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            async with running():
                await send({"type": "lifespan.startup.complete"})
                message = await receive()
            assert message["type"] == "lifespan.shutdown"
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] == "http" and scope["path"] == "/health":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        await manager.handle_request(scope, receive, send)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tools", type=int, default=0, help="extra tools to list")
    args = parser.parse_args()
    add_tools(args.tools)
    uvicorn.run(create_app(), host=args.host, port=args.port, access_log=False, log_level="warning", lifespan="on")


if __name__ == "__main__":
    main()
