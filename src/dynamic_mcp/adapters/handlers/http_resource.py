"""The ``http`` package backing a resource (docs/resources.md): the same request an http tool makes,
with the template's variables as its arguments; the body becomes the resource's text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dynamic_mcp.adapters.handlers.http_tool import HttpToolHandler
from dynamic_mcp.application.packages import no_progress
from dynamic_mcp.domain.tools import HandlerRef, Tool
from dynamic_mcp.ports.handlers import ResourceContext, ToolContext


class HttpResourceHandler:
    def __init__(self, fetch: HttpToolHandler) -> None:
        self._fetch = fetch

    async def __call__(
        self, uri: str, variables: dict[str, str], context: ResourceContext, config: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        # The tool handler reads only the caller and the session from its context.
        tool = Tool(
            name=context.resource.name, creator=context.resource.creator, input_schema={}, handler=HandlerRef("http")
        )
        as_tool = ToolContext(session_id=context.session_id, user=context.user, tool_name=tool.name, tool=tool)
        output = await self._fetch({**variables, "uri": uri}, as_tool, config, no_progress)
        blocks = output.get("content")
        if isinstance(blocks, list) and blocks and blocks[0].get("type") == "image":  # an image/* response
            return {"blob": blocks[0]["data"], "mimeType": context.resource.mime_type or blocks[0]["mimeType"]}
        body = output.get("result")
        if isinstance(body, str):
            return {"text": body, "mimeType": context.resource.mime_type or "text/plain"}
        return {
            "text": json.dumps(body, ensure_ascii=False),
            "mimeType": context.resource.mime_type or "application/json",
        }
