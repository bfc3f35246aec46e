"""The ``user-management`` package (docs/access.md)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from dynamic_mcp.application.builtins.catalog_data import USER_MANAGEMENT_TOOLS
from dynamic_mcp.application.builtins.common import Action, dispatcher, opt_bool, opt_int, opt_str
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.sharing import SharingService
from dynamic_mcp.application.users import DEFAULT_PAGE, UserService

PACKAGE = "user-management"
UPDATE_USER_FIELDS = ("name", "roles", "sharedTools")


def with_extra_roles(definitions: Sequence[Mapping[str, Any]], extra: Sequence[str]) -> list[dict[str, Any]]:
    """The definitions with the configured extra roles added to each ``roles`` argument's enum."""
    result = []
    for definition in definitions:
        copied = copy.deepcopy(dict(definition))
        roles_arg = copied.get("inputSchema", {}).get("properties", {}).get("roles")
        if isinstance(roles_arg, dict) and isinstance(roles_arg.get("items"), dict) and "enum" in roles_arg["items"]:
            roles_arg["items"]["enum"] = [*roles_arg["items"]["enum"], *extra]
        result.append(copied)
    return result


def build_package(users: UserService, sharing: SharingService, extra_roles: Sequence[str] = ()) -> HandlerPackage:
    # Keys are the original's ``handler.config.action`` values, so stored definitions stay valid.
    actions: dict[str, Action] = {
        "list": lambda c, a: users.list_users(
            c, opt_str(a, "nameContains"), opt_int(a, "skip", 0), opt_int(a, "limit", DEFAULT_PAGE)
        ),
        "add": lambda c, a: users.add_user(c, opt_str(a, "email"), opt_str(a, "name"), a.get("roles")),
        "update": lambda c, a: users.update_user(c, opt_str(a, "email"), {k: v for k, v in a.items() if k != "email"}),
        "delete": lambda c, a: users.delete_user(c, opt_str(a, "email")),
        "share-tool": lambda c, a: sharing.share_tool(
            c, opt_str(a, "email"), opt_str(a, "toolId"), opt_str(a, "accessLevel")
        ),
        "unshare-tool": lambda c, a: sharing.unshare_tool(c, opt_str(a, "email"), opt_str(a, "toolId")),
        "user-info": lambda c, a: users.user_info(c, opt_str(a, "email")),
        "hide-tool": lambda c, a: sharing.hide_tools(c, a.get("toolId")),
        "unhide-tool": lambda c, a: sharing.unhide_tools(c, a.get("toolId")),
        "reset-api-key": lambda c, a: users.reset_api_key(c, opt_str(a, "email"), opt_bool(a, "userConfirmed")),
    }
    tools = with_extra_roles(USER_MANAGEMENT_TOOLS, extra_roles) if extra_roles else USER_MANAGEMENT_TOOLS
    return HandlerPackage(name=PACKAGE, tools=tools, handler=dispatcher(actions))
