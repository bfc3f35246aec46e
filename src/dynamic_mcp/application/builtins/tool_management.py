"""The ``tool-management`` package: list, add, update and delete tools (docs/access.md)."""

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
        "Create a tool made of data (power users and admins): a name, a description, an inputSchema for its "
        "arguments, and a handler ({type, config}) naming the handler package that runs it, e.g. echo or http. "
        "You become its creator; a tool of yours with the same name is replaced. rolesPermitted opens it to "
        "roles, alwaysVisible keeps it from being hidden. Only admins may point a tool at a management package. "
        "Users who can reach the tool see it at once."
    ),
    "inputSchema": schema(
        {
            "toolDefinition": {
                "type": "object",
                "description": (
                    "The definition: name (no ':'), description, inputSchema (a JSON Schema object), "
                    "annotations, handler {type, config}, rolesPermitted (array of roles), alwaysVisible; optionally "
                    "title, icons ([{src, mimeType, sizes}]) and outputSchema (then every result carries "
                    "structuredContent matching it)."
                ),
            }
        },
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
