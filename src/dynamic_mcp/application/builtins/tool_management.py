"""The ``tool-management`` package (SPEC §4.2)."""

from __future__ import annotations

from dynamic_mcp.application.builtins.catalog_data import TOOL_MANAGEMENT_TOOLS
from dynamic_mcp.application.builtins.common import Action, dispatcher, hints, opt_str, schema
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.tools import ToolService
from dynamic_mcp.domain.roles import ADMIN, POWER_USER

PACKAGE = "tool-management"

ADD_TOOL = {
    "name": "add-tool",
    "description": (
        "Create a tool from a definition (name, description, inputSchema, annotations, handler {type, config}, "
        "rolesPermitted, alwaysVisible). An existing tool of yours with the same name is replaced."
    ),
    "inputSchema": schema(
        {"toolDefinition": {"type": "object", "description": "The tool definition; name must not contain ':'"}},
        ("toolDefinition",),
    ),
    "annotations": hints("Add Tool", read_only=False, open_world=True),
    "handler": {"type": PACKAGE, "config": {"action": "add"}},
    "rolesPermitted": [ADMIN, POWER_USER],
    "alwaysVisible": False,
}


def build_package(tools: ToolService) -> HandlerPackage:
    actions: dict[str, Action] = {
        "list": lambda c, a: tools.list_tools(c, opt_str(a, "nameContains")),
        "add": lambda c, a: tools.add_tool(c, a.get("toolDefinition")),
        "update": lambda c, a: tools.update_tool(c, a.get("name"), a.get("updates")),
        "delete": lambda c, a: tools.delete_tool(c, a.get("name")),
    }
    return HandlerPackage(name=PACKAGE, tools=[*TOOL_MANAGEMENT_TOOLS, ADD_TOOL], handler=dispatcher(actions))
