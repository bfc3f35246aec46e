"""/tools through REST (rules: docs/access.md). A tool is named by plain name or namespaced id (docs/access.md)."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody

from dynamic_mcp.adapters.http.rest import schemas as s
from dynamic_mcp.adapters.http.rest.bodies import AnyRequest, as_sent
from dynamic_mcp.adapters.http.rest.params import Caller, Ops, Page, ToolName
from dynamic_mcp.adapters.http.rest.problems import problem_responses


class ToolsController(Controller):
    path = "/tools"
    tags = ["tools"]

    @get("/", summary="Tools the caller may use", responses=problem_responses())
    async def list_tools(self, ops: Ops, caller: Caller, page: Page) -> s.ToolPage:
        """Every tool the caller can call, hidden ones included and flagged."""
        return await ops.list_tools(caller, page.name_contains, page.skip, page.limit)

    @post("/", summary="Create or replace one of your tools", responses=problem_responses(403, 409, 422))
    async def add_tool(
        self, request: AnyRequest, ops: Ops, caller: Caller, data: JSONBody[s.ToolDefinitionIn]
    ) -> s.ToolSaved:
        """Admins and power users; the creator is the caller. The body is a definition or
        ``{"toolDefinition": definition}``. Affected MCP sessions are notified. Built-in tool names
        are reserved (409); unknown fields are refused (422)."""
        return await ops.add_tool(caller, await as_sent(request, data))

    @get("/{name:str}", summary="One tool", responses=problem_responses(404))
    async def get_tool(self, ops: Ops, caller: Caller, name: ToolName) -> s.ToolDetail:
        """Handler config is included only for callers who may change the tool."""
        return await ops.get_tool(caller, name)

    @patch("/{name:str}", summary="Update a tool", responses=problem_responses(403, 404, 422))
    async def update_tool(
        self, request: AnyRequest, ops: Ops, caller: Caller, name: ToolName, data: JSONBody[s.ToolUpdate]
    ) -> s.ToolUpdated:
        """Power users: own tools or write-shared ones; admins: any tool but package tools. Only
        the creator and admins change rolesPermitted or alwaysVisible; other fields are refused."""
        return await ops.update_tool(caller, name, await as_sent(request, data))

    @delete("/{name:str}", status_code=200, summary="Delete a tool", responses=problem_responses(403, 404, 422))
    async def delete_tool(self, ops: Ops, caller: Caller, name: ToolName) -> s.ToolSaved:
        """Power users: own tools; admins: any tool but package tools."""
        return await ops.delete_tool(caller, name)
