"""The ``resource-management`` package (docs/resources.md): list, add, update, delete, share and hide resources."""

from __future__ import annotations

from typing import Any

from dynamic_mcp.application.builtins.common import Action, dispatcher, hints, opt_str, schema
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.resource_management import ResourceManagement
from dynamic_mcp.application.resource_sharing import ResourceSharing

PACKAGE = "resource-management"
MANAGERS = ["admin", "power-user"]
OPEN_ACTIONS = ("list", "hide", "unhide")
_EMAIL = {"type": "string", "description": "Email of the person (find it with list-users if you know only the name)."}

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
    action = name.split("-")[0]  # list, add, ..., share, unshare, hide, unhide
    return {
        "name": name,
        "description": description,
        "inputSchema": schema(properties, required),
        "annotations": hints(kw.pop("title"), open_world=True, **kw),
        "handler": {"type": PACKAGE, "config": {"action": action}},
        "rolesPermitted": ["user"] if action in OPEN_ACTIONS else MANAGERS,
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
    _tool(
        "share-resource",
        "Let another user read a resource (power users their own resources, admins any). The recipient's "
        "resource list updates at once. Sharing it again with the same person changes nothing.",
        {"email": _EMAIL, "uri": _URI, "creator": _CREATOR},
        ("email", "uri"),
        title="Share Resource",
        read_only=False,
        idempotent=True,
    ),
    _tool(
        "unshare-resource",
        "Take back a resource you shared with someone (an admin removes every share of it with them). It "
        "leaves their list unless they still reach it another way (a role, another share).",
        {"email": _EMAIL, "uri": _URI, "creator": _CREATOR},
        ("email", "uri"),
        title="Unshare Resource",
        read_only=False,
        idempotent=True,
    ),
    _tool(
        "hide-resource",
        "Leave a resource out of your own resources/list (it stays readable by uri; unhide-resource brings it "
        "back). Always-visible resources cannot be hidden. Affects only you.",
        {"uri": _URI, "creator": _CREATOR},
        ("uri",),
        title="Hide Resource",
        read_only=False,
        idempotent=True,
    ),
    _tool(
        "unhide-resource",
        "Bring a resource you hid back into your resources/list (see hide-resource). Affects only you.",
        {"uri": _URI, "creator": _CREATOR},
        ("uri",),
        title="Unhide Resource",
        read_only=False,
        idempotent=True,
    ),
]


def build_package(resources: ResourceManagement, sharing: ResourceSharing) -> HandlerPackage:
    actions: dict[str, Action] = {
        "share": lambda c, a: sharing.share_resource(c, opt_str(a, "email"), a.get("uri"), a.get("creator")),
        "unshare": lambda c, a: sharing.unshare_resource(c, opt_str(a, "email"), a.get("uri"), a.get("creator")),
        "hide": lambda c, a: sharing.hide_resource(c, a.get("uri"), a.get("creator")),
        "unhide": lambda c, a: sharing.unhide_resource(c, a.get("uri"), a.get("creator")),
        "list": lambda c, a: resources.list_resources(c, opt_str(a, "uriContains")),
        "add": lambda c, a: resources.add_resource(c, a),
        "update": lambda c, a: resources.update_resource(c, a.get("uri"), a.get("updates"), a.get("creator")),
        "delete": lambda c, a: resources.delete_resource(c, a.get("uri"), a.get("creator")),
    }
    return HandlerPackage(name=PACKAGE, tools=RESOURCE_MANAGEMENT_TOOLS, handler=dispatcher(actions))
