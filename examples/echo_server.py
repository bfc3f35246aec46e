"""Embed dynamic-mcp and register a handler package through the public API.

    python examples/echo_server.py        # then connect an MCP client to http://127.0.0.1:4001/mcp

The `greetings` package brings one tool (`echo`), one prompt (`greeting`) and one HTTP route
(`GET /echo/ping`). Users may also create their own tools that reuse its handler with argMappings.
"""

from __future__ import annotations

import asyncio
from typing import Any

from dynamic_mcp import DynamicMcpServer, HandlerPackage, PromptContext, ToolContext


async def echo(args: dict[str, Any], context: ToolContext, config: dict[str, Any], progress: Any) -> dict[str, Any]:
    await progress(1, 2, "echoing")
    prefix = config.get("prefix", "")
    return {"result": {"echo": args, "prefix": prefix, "user": context.user.email}, "message": f"{prefix}echoed"}


async def greeting(args: dict[str, Any], context: PromptContext, config: dict[str, Any]) -> dict[str, Any]:
    name = args.get("name", "there")
    return {
        "description": "A friendly greeting",
        "messages": [{"role": "user", "content": {"type": "text", "text": f"Say hello to {name}."}}],
    }


async def ping(request: Any) -> dict[str, str]:
    return {"pong": "echo"}


GREETINGS = HandlerPackage(
    name="greetings",
    tools=[
        {
            "name": "echo",
            "description": "Echo the arguments back",
            "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
            "annotations": {"title": "Echo", "readOnlyHint": True},
            "handler": {"type": "greetings", "config": {"prefix": ""}},
            "rolesPermitted": ["user", "power-user", "admin"],
        }
    ],
    handler=echo,
    prompts=[
        {
            "name": "greeting",
            "description": "Greet someone",
            "arguments": [{"name": "name", "description": "Who to greet", "required": True}],
            "handler": {"type": "greetings", "config": {}},
            "rolesPermitted": ["user", "power-user", "admin"],
        }
    ],
    prompt_handler=greeting,
    auth_routes=[{"method": "get", "path": "/echo/ping", "handler": ping}],
)


async def main() -> None:
    server = DynamicMcpServer("echo-example", "1.0.0")
    await server.register_handler(GREETINGS)
    await server.start()
    print(f"serving on http://{server.settings.host}:{server.port}/mcp", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


if __name__ == "__main__":
    asyncio.run(main())
