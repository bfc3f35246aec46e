"""The ``resource-management`` package (docs/resources.md): list, add, update and delete resources."""

from __future__ import annotations

from typing import Any

from dynamic_mcp.application.builtins.common import Action, dispatcher, hints, opt_str, schema
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.resource_management import ResourceManagement

PACKAGE = "resource-management"
MANAGERS = ["admin", "power-user"]

_URI = {"type": "string", "description": "The resource's uri (or uriTemplate for a template)."}
_CREATOR = {
    "type": "string",
    "description": "Whose resource, when several users have one with this uri (default: yours, else the only one).",
}
_DEFINITION = {
    "type": "object",
    "description": (
        "{uri | uriTemplate, name, title?, description?, mimeType?, then exactly one of text, blob (base64) or "
        "handler {type, config}; rolesPermitted?, alwaysVisible?, completions? (templates: {variable: [values]})}. "
        "A template's text may hold {{variable}} placeholders."
    ),
}


def _tool(name: str, description: str, properties: dict[str, Any], required: tuple[str, ...], **kw: Any) -> Any:
    action = name.split("-")[0]
    return {
        "name": name,
        "description": description,
        "inputSchema": schema(properties, required),
        "annotations": hints(kw.pop("title"), open_world=True, **kw),
        "handler": {"type": PACKAGE, "config": {"action": action}},
        "rolesPermitted": ["user"] if action == "list" else MANAGERS,
        "alwaysVisible": False,
    }


RESOURCE_MANAGEMENT_TOOLS = [
    _tool(
        "list-resources",
        "List the MCP resources and resource templates you may read (yours, those open to your roles; admins "
        "see all). Their creator and admins also see the content and handler configuration.",
        {"uriContains": {"type": "string", "description": "Keep only resources whose uri or name contains this."}},
        (),
        title="List Resources",
        read_only=True,
        idempotent=True,
    ),
    _tool(
        "add-resource",
        "Create an MCP resource (fixed text or blob, or content a handler package produces) or a resource "
        "template (RFC 6570 uriTemplate), for power users and admins. Your resource with the same uri is "
        "replaced. Users who may read it are notified.",
        {"resourceDefinition": _DEFINITION},
        ("resourceDefinition",),
        title="Add Resource",
        read_only=False,
    ),
    _tool(
        "update-resource",
        "Change some fields of a resource (its creator, or an admin for any resource except package "
        "resources). The uri never changes. Subscribers are told when its content changes.",
        {"uri": _URI, "creator": _CREATOR, "updates": {"type": "object", "description": "Fields to change."}},
        ("uri", "updates"),
        title="Update Resource",
        read_only=False,
        idempotent=True,
    ),
    _tool(
        "delete-resource",
        "Delete a resource (its creator, or an admin for any resource except package resources). Ask for "
        "confirmation first: this cannot be undone.",
        {"uri": _URI, "creator": _CREATOR},
        ("uri",),
        title="Delete Resource",
        read_only=False,
        destructive=True,
        idempotent=True,
    ),
]


def build_package(resources: ResourceManagement) -> HandlerPackage:
    actions: dict[str, Action] = {
        "list": lambda c, a: resources.list_resources(c, opt_str(a, "uriContains")),
        "add": lambda c, a: resources.add_resource(c, a),
        "update": lambda c, a: resources.update_resource(c, a.get("uri"), a.get("updates"), a.get("creator")),
        "delete": lambda c, a: resources.delete_resource(c, a.get("uri"), a.get("creator")),
    }
    return HandlerPackage(name=PACKAGE, tools=RESOURCE_MANAGEMENT_TOOLS, handler=dispatcher(actions))
