"""The ``mcp`` handler package: a tool that forwards its call to a tool of an upstream MCP server.

    handler: {type: "mcp", config: {upstream: "<upstream name>", tool: "<upstream tool name>"}}

The upstream's result comes back unchanged (content blocks, structured content, isError);
progress notifications are relayed to the caller, and a cancelled call cancels the upstream call.
Tools of this type are normally created by importing an upstream (docs/upstreams.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.upstreams import UpstreamService
from dynamic_mcp.domain.upstreams import MCP_PACKAGE
from dynamic_mcp.ports.handlers import ProgressReporter, ToolContext
from dynamic_mcp.ports.upstreams import UpstreamGateway

PACKAGE = MCP_PACKAGE


class McpToolHandler:
    def __init__(self, upstreams: UpstreamService, gateway: UpstreamGateway) -> None:
        self._upstreams = upstreams
        self._gateway = gateway

    async def __call__(
        self, args: dict[str, Any], context: ToolContext, config: Mapping[str, Any], progress: ProgressReporter
    ) -> Mapping[str, Any]:
        target = await self._upstreams.target_for_call(context, config)
        # The upstream's CallToolResult in wire form is a rich result: it goes out as any handler's does.
        result = await self._gateway.call_tool(target, str(config["tool"]), args, progress)
        return {"content": [], **result}


def build_package(upstreams: UpstreamService, gateway: UpstreamGateway) -> HandlerPackage:
    """No tools of its own: tools of this type come from importing upstreams."""
    return HandlerPackage(name=PACKAGE, tools=(), handler=McpToolHandler(upstreams, gateway))
