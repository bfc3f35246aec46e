"""Read-only views the browser console shows that the other doors do not need (docs/console.md).

The rules are those of every door: a caller sees only the tools in A(caller); who a tool is
shared with, and who can see it, is shown only to those who may share it (admins, or the
power user who created it).
"""

from __future__ import annotations

from typing import Any

from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.serialization import share_json
from dynamic_mcp.application.users import require_admin
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import Forbidden, Invalid, NotFound
from dynamic_mcp.domain.sharing import Share
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.repositories import UserRepository


def _share_of(user: User, tool: Tool) -> Share | None:
    for share in user.shared_tools:
        if share.tool_id in (tool.namespaced_id, tool.name):
            return share
    return None


def _reason(user: User, tool: Tool, packages: frozenset[str]) -> str:
    """Why ``user`` reaches ``tool``, for people: the first rule of docs/access.md that grants it."""
    if user.is_admin:
        return "admin"
    if tool.creator == user.email:
        return "creator"
    if user.has_any_role(tool.roles_permitted):
        return "role"
    if any(s.tool_id in (tool.namespaced_id, tool.name) for s in user.shared_tools):
        return "share"
    return "package"


class ConsoleViews:
    def __init__(self, users: UserRepository, catalog: Catalog) -> None:
        self._users = users
        self._catalog = catalog

    async def users(self, caller: User, contains: str | None = None) -> list[dict[str, Any]]:
        """Admins: every user whose email or name holds ``contains``, with roles and key prefix."""
        require_admin(caller, "Only admins can list users with their roles")
        needle = (contains or "").strip().lower()
        return [
            {
                "email": u.email,
                "name": u.name,
                "roles": list(u.roles),
                "apiKeyPrefix": u.api_key.prefix if u.api_key else None,
                "shares": len(u.shared_tools),
                "hidden": len(u.hidden_tools),
            }
            for u in await self._users.list_users()
            if not needle or needle in u.email.lower() or needle in (u.name or "").lower()
        ]

    async def tools(self, caller: User, name_contains: str | None = None) -> list[dict[str, Any]]:
        """The caller's accessible tools with what the console lists of each."""
        toolset = await self._catalog.toolset(caller)
        packages = self._catalog.packages
        needle = (name_contains or "").strip().lower()
        tools = sorted((t for t in toolset.accessible if needle in t.name.lower()), key=lambda t: t.namespaced_id)
        recipients = await self._recipients(caller, tools)
        return [
            {
                "id": t.namespaced_id,
                "name": t.name,
                "creator": t.creator,
                "description": t.description,
                "rolesPermitted": list(t.roles_permitted or ()),
                "alwaysVisible": t.always_visible,
                "hidden": visibility.is_hidden(caller, t),
                "package": t.is_package_tool(packages),
                "canEdit": visibility.can_update_tool(caller, t, packages),
                "canDelete": visibility.can_delete_tool(caller, t, packages),
                "canShare": visibility.can_share_tool(caller, t) and not t.is_package_tool(packages),
                "shares": recipients.get(t.namespaced_id),
            }
            for t in tools
        ]

    async def _recipients(self, caller: User, tools: list[Tool]) -> dict[str, list[dict[str, Any]]]:
        shareable = [t for t in tools if visibility.can_share_tool(caller, t)]
        if not shareable:
            return {}
        found: dict[str, list[dict[str, Any]]] = {t.namespaced_id: [] for t in shareable}
        for user in await self._users.list_users():
            for tool in shareable:
                share = _share_of(user, tool)
                if share is not None:
                    found[tool.namespaced_id].append({"email": user.email, **share_json(share)})
        return found

    async def audience(self, caller: User, name_or_id: str) -> dict[str, Any]:
        """Who can see one tool, and why; for those who may share it."""
        if not name_or_id:
            raise Invalid("A tool name or namespaced id is required")
        tool = await self._catalog.resolve(caller, name_or_id)
        if tool is None:
            raise NotFound(f"Tool with name '{name_or_id}' not found")
        if not visibility.can_share_tool(caller, tool):
            raise Forbidden(f"Only admins and the creator may see who can use '{tool.namespaced_id}'")
        packages = self._catalog.packages
        users = [u for u in await self._users.list_users() if visibility.can_access(u, tool, packages)]
        return {
            "id": tool.namespaced_id,
            "users": [
                {"email": u.email, "via": _reason(u, tool, packages), "hidden": visibility.is_hidden(u, tool)}
                for u in users
            ],
        }
