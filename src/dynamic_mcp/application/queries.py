"""Read-only views for the admin REST API (docs/access.md) that the MCP tools do not offer.

The same rules as everywhere else: a caller sees only the tools in A(caller) (docs/access.md); handler
config is shown only to those who may change the tool (docs/access.md), as for prompts (docs/compatibility.md).
"""

from __future__ import annotations

from typing import Any

from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.application.serialization import share_json
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import Invalid, NotFound
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.repositories import UserRepository


def tool_summary(caller: User, tool: Tool) -> dict[str, Any]:
    return {
        "id": tool.namespaced_id,
        "name": tool.name,
        "creator": tool.creator,
        "description": tool.description,
        "hidden": visibility.is_hidden(caller, tool),
        "alwaysVisible": tool.always_visible,
    }


class CatalogQueries:
    def __init__(self, catalog: Catalog, users: UserRepository) -> None:
        self._catalog = catalog
        self._users = users

    async def accessible_tools(self, caller: User, name_contains: str | None = None) -> ToolOutput:
        """Every tool in A(caller), hidden ones flagged, ordered by namespaced id."""
        toolset = await self._catalog.toolset(caller)
        needle = (name_contains or "").lower()
        tools = sorted((t for t in toolset.accessible if needle in t.name.lower()), key=lambda t: t.namespaced_id)
        return ToolOutput({"tools": [tool_summary(caller, t) for t in tools], "total": len(tools)})

    async def tool(self, caller: User, name_or_id: str) -> ToolOutput:
        """One tool the caller may access, resolved as tools/call does (docs/access.md); NotFound otherwise."""
        if not name_or_id:
            raise Invalid("A tool name or namespaced id is required")
        tool = await self._catalog.resolve(caller, name_or_id)
        if tool is None:
            raise NotFound(f"Tool with name '{name_or_id}' not found")
        body = tool_summary(caller, tool)
        body.update(
            {
                "inputSchema": dict(tool.input_schema),
                "annotations": dict(tool.annotations) if tool.annotations is not None else None,
                "rolesPermitted": list(tool.roles_permitted) if tool.roles_permitted is not None else None,
                "outputSchema": dict(tool.output_schema) if tool.output_schema is not None else None,
                "title": tool.title,
                "icons": [dict(i) for i in tool.icons] if tool.icons is not None else None,
                "handler": {"type": tool.handler.type},
            }
        )
        packages = self._catalog.packages
        if caller.is_admin or tool.creator == caller.email or visibility.can_update_tool(caller, tool, packages):
            body["handler"]["config"] = dict(tool.handler.config)
        return ToolOutput(body)

    async def shares_given(self, caller: User) -> ToolOutput:
        """Shares the caller made, with their recipients."""
        given = [
            {"email": user.email, **share_json(share)}
            for user in await self._users.list_users()
            for share in user.shared_tools
            if share.shared_by == caller.email
        ]
        return ToolOutput({"shares": given, "total": len(given)})
