"""FastMCP with the same echo tool, served by uvicorn.

In ``mcp`` 2.x FastMCP ships inside the SDK as ``mcp.server.mcpserver.MCPServer`` (the old
``mcp.server.fastmcp`` module only raises an error pointing there). It runs as a user would run
it: ``streamable_http_app()`` with its defaults (stateful sessions, SSE responses, the SDK's
default middleware), plus the same idle timeout and body limit as dynamic-mcp. The tool answers
with one text item holding ``{"result": <arguments>}``, like dynamic-mcp's echo package.

    python bench/servers/fastmcp_server.py --port 8102
"""

from __future__ import annotations

import argparse
import json

import uvicorn
from mcp.server.mcpserver import MCPServer
from starlette.requests import Request
from starlette.responses import PlainTextResponse

mcp = MCPServer("fastmcp-bench", version="1.0.0", log_level="WARNING")


@mcp.tool(description="Echo the arguments back", structured_output=False)
def echo(text: str = "") -> str:
    return json.dumps({"result": {"text": text}}, ensure_ascii=False)


@mcp.custom_route("/health", methods=["GET"])
async def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = mcp.streamable_http_app(session_idle_timeout=3600, max_request_body_size=1_048_576, host=args.host)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning", lifespan="on")


if __name__ == "__main__":
    main()
