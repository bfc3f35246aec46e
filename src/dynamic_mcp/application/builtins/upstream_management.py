"""The ``upstream-management`` package: import upstream MCP servers, refresh them, store your credential."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamic_mcp.application.builtins.common import Action, dispatcher, hints, schema
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.application.upstreams import UpstreamService
from dynamic_mcp.domain.roles import ADMIN, POWER_USER, USER
from dynamic_mcp.domain.users import User

PACKAGE = "upstream-management"
EVERYONE = [USER, POWER_USER, ADMIN]
MANAGERS = [ADMIN, POWER_USER]

UPSTREAM_NAME = {"type": "string", "description": "The upstream's name"}

TOOLS = [
    {
        "name": "import-upstream",
        "description": (
            "Import the tools of an upstream MCP server (power users and admins): connect to its streamable "
            "HTTP url, list its tools and create one tool of yours per upstream tool, named namePrefix + its "
            "name; calling one forwards the call and returns the upstream's result. headers (kept encrypted) "
            "go with every call; credentialMode per-user makes each caller use their own token instead "
            "(set-upstream-credential; give yours here as token). Importing again under the same name "
            "updates it. The tools follow every rule of your other tools (rolesPermitted, shares, hiding)."
        ),
        "inputSchema": schema(
            {
                "name": UPSTREAM_NAME,
                "url": {"type": "string", "description": "The upstream's MCP endpoint, e.g. https://host/mcp"},
                "headers": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "Headers sent with every call, e.g. Authorization (stored encrypted)",
                },
                "credentialMode": {
                    "type": "string",
                    "enum": ["shared", "per-user"],
                    "description": "shared: every caller uses the headers; per-user: each caller their own token",
                },
                "token": {"type": "string", "description": "Your own token (per-user upstreams)"},
                "protocol": {
                    "type": "string",
                    "enum": ["auto", "legacy", "2026-07-28"],
                    "description": "Protocol era: auto (default) asks server/discover and falls back to initialize",
                },
                "connectTimeoutSeconds": {"type": "number", "description": "Seconds to connect (default 10)"},
                "callTimeoutSeconds": {
                    "type": "number",
                    "description": "Seconds a forwarded call may take (default 60)",
                },
                "toolFilter": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Upstream tool names or shell-style patterns to import (default: all)",
                },
                "namePrefix": {"type": "string", "description": "Prefix for the imported tools' names"},
            },
            ("name", "url"),
        ),
        "annotations": hints("Import Upstream", read_only=False, open_world=True),
        "handler": {"type": PACKAGE, "config": {"action": "import"}},
        "rolesPermitted": MANAGERS,
    },
    {
        "name": "refresh-upstream",
        "description": "List an upstream's tools again and add, update or remove the imported tools to match "
        "(its importer and admins).",
        "inputSchema": schema({"name": UPSTREAM_NAME}, ("name",)),
        "annotations": hints("Refresh Upstream", read_only=False, idempotent=True, open_world=True),
        "handler": {"type": PACKAGE, "config": {"action": "refresh"}},
        "rolesPermitted": MANAGERS,
    },
    {
        "name": "list-upstreams",
        "description": "The upstream MCP servers tools are imported from: names, URLs, credential modes "
        "(header names only, never values).",
        "inputSchema": schema({}),
        "annotations": hints("List Upstreams", read_only=True),
        "handler": {"type": PACKAGE, "config": {"action": "list"}},
        "rolesPermitted": EVERYONE,
    },
    {
        "name": "delete-upstream",
        "description": "Delete an upstream and the tools imported from it (its importer and admins).",
        "inputSchema": schema({"name": UPSTREAM_NAME}, ("name",)),
        "annotations": hints("Delete Upstream", read_only=False, destructive=True),
        "handler": {"type": PACKAGE, "config": {"action": "delete"}},
        "rolesPermitted": MANAGERS,
    },
    {
        "name": "set-upstream-credential",
        "description": "Store your own token for a per-user upstream (kept encrypted, never shown again); "
        "calls of its tools then carry it as Authorization: Bearer. An empty token is refused; "
        "use delete: true to remove yours.",
        "inputSchema": schema(
            {
                "upstream": UPSTREAM_NAME,
                "token": {"type": "string", "description": "Your token for the upstream"},
                "delete": {"type": "boolean", "description": "true removes your stored token"},
            },
            ("upstream",),
        ),
        "annotations": hints("Set Upstream Credential", read_only=False, idempotent=True),
        "handler": {"type": PACKAGE, "config": {"action": "credential"}},
        "rolesPermitted": EVERYONE,
    },
]


def build_package(upstreams: UpstreamService) -> HandlerPackage:
    async def credential(caller: User, args: Mapping[str, Any]) -> ToolOutput:
        if args.get("delete") is True:
            return await upstreams.delete_credential(caller, args.get("upstream"))
        return await upstreams.set_credential(caller, args.get("upstream"), args.get("token"))

    actions: dict[str, Action] = {
        "import": lambda c, a: upstreams.import_upstream(c, dict(a)),
        "refresh": lambda c, a: upstreams.refresh(c, a.get("name")),
        "list": lambda c, a: upstreams.list_upstreams(c),
        "delete": lambda c, a: upstreams.delete_upstream(c, a.get("name")),
        "credential": credential,
    }
    return HandlerPackage(name=PACKAGE, tools=TOOLS, handler=dispatcher(actions))
