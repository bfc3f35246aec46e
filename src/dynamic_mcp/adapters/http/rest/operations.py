"""What each admin REST endpoint does, free of HTTP: one use case per call, result reshaped.

The CLI's database backend runs the same operations as the bootstrap admin, so both doors
answer with the same JSON (docs/access.md, docs/cli.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

import attrs

from dynamic_mcp.adapters.http.rest import schemas as s
from dynamic_mcp.application.prompts import PromptService
from dynamic_mcp.application.queries import CatalogQueries
from dynamic_mcp.application.sharing import SharingService
from dynamic_mcp.application.tools import ToolService
from dynamic_mcp.application.upstreams import UpstreamService
from dynamic_mcp.application.users import UserService
from dynamic_mcp.domain.errors import Invalid, NotFound
from dynamic_mcp.domain.users import User

DEFAULT_LIMIT = 20
MAX_LIMIT = 500

T = TypeVar("T")


def page(items: Sequence[T], skip: int, limit: int) -> list[T]:
    return list(items[skip : skip + limit])


@attrs.frozen
class AdminOperations:
    users: UserService
    sharing: SharingService
    tools: ToolService
    prompts: PromptService
    queries: CatalogQueries
    upstreams: UpstreamService | None = None

    # -- upstream MCP servers (the CLI's database door; REST calls the service itself) -------------
    def _upstreams(self) -> UpstreamService:
        if self.upstreams is None:
            raise Invalid("Upstreams are not available here")
        return self.upstreams

    async def import_upstream(self, caller: User, body: Mapping[str, Any]) -> dict[str, Any]:
        output = await self._upstreams().import_upstream(caller, dict(body))
        return {**output.result, "message": output.message}

    async def refresh_upstream(self, caller: User, name: str) -> dict[str, Any]:
        return dict((await self._upstreams().refresh(caller, name)).result)

    async def list_upstreams(self, caller: User) -> dict[str, Any]:
        return dict((await self._upstreams().list_upstreams(caller)).result)

    # -- users and keys ------------------------------------------------------------------------
    async def list_users(self, caller: User, name_contains: str | None, skip: int, limit: int) -> s.UserPage:
        # One extra row tells whether another page exists without counting the collection.
        result = (await self.users.list_users(caller, name_contains, skip, limit + 1)).result
        rows = cast(list[s.UserSummary], result["users"])
        return {"users": rows[:limit], "skip": skip, "limit": limit, "hasMore": len(rows) > limit}

    async def add_user(self, caller: User, body: s.NewUser) -> s.CreatedUser:
        output = await self.users.add_user(caller, body["email"], body.get("name"), body.get("roles"))
        return cast(s.CreatedUser, output.result)

    async def get_user(self, caller: User, email: str) -> s.UserRecord | s.LimitedUser:
        output = await self.users.user_info(caller, email)
        if output.result is None:
            raise NotFound(output.message or f"User '{email}' not found")
        return cast(s.UserRecord | s.LimitedUser, output.result)

    async def me(self, caller: User) -> s.UserRecord:
        return cast(s.UserRecord, (await self.users.user_info(caller, None)).result)

    async def update_user(self, caller: User, email: str, body: Mapping[str, Any]) -> s.UserRecord:
        output = await self.users.update_user(caller, email, dict(body))
        return cast(s.UserRecord, output.result)

    async def delete_user(self, caller: User, email: str) -> s.DeletedUser:
        return cast(s.DeletedUser, (await self.users.delete_user(caller, email)).result)

    async def reset_key(self, caller: User, email: str, body: s.KeyResetRequest) -> s.IssuedKey:
        if body["confirm"] is not True:
            raise Invalid('Resetting an API key invalidates the current one: send {"confirm": true} to proceed')
        output = await self.users.reset_api_key(caller, email, user_confirmed=True)
        return cast(s.IssuedKey, output.result)

    # -- tools ---------------------------------------------------------------------------------
    async def list_tools(self, caller: User, name_contains: str | None, skip: int, limit: int) -> s.ToolPage:
        result = (await self.queries.accessible_tools(caller, name_contains)).result
        tools = cast(list[s.ToolSummary], result["tools"])
        return {"tools": page(tools, skip, limit), "total": len(tools), "skip": skip, "limit": limit}

    async def get_tool(self, caller: User, name: str) -> s.ToolDetail:
        return cast(s.ToolDetail, (await self.queries.tool(caller, name)).result)

    async def add_tool(self, caller: User, body: Mapping[str, Any]) -> s.ToolSaved:
        return cast(s.ToolSaved, (await self.tools.add_tool(caller, dict(body))).result)

    async def update_tool(self, caller: User, name: str, body: Mapping[str, Any]) -> s.ToolUpdated:
        return cast(s.ToolUpdated, (await self.tools.update_tool(caller, name, dict(body))).result)

    async def delete_tool(self, caller: User, name: str) -> s.ToolSaved:
        return cast(s.ToolSaved, (await self.tools.delete_tool(caller, name)).result)

    # -- shares and hidden tools ---------------------------------------------------------------
    async def share(self, caller: User, body: s.ShareRequest) -> s.RecipientShares:
        output = await self.sharing.share_tool(caller, body["email"], body["toolId"], body["accessLevel"])
        return {"email": body["email"].strip(), "sharedTools": cast(list[s.ShareOut], output.result)}

    async def unshare(self, caller: User, email: str, tool_id: str) -> s.RecipientShares:
        output = await self.sharing.unshare_tool(caller, email, tool_id)
        return {"email": email.strip(), "sharedTools": cast(list[s.ShareOut], output.result)}

    async def shares_received(self, caller: User, skip: int, limit: int) -> s.SharePage:
        shares = (await self.me(caller))["sharedTools"]
        return {"shares": page(shares, skip, limit), "total": len(shares), "skip": skip, "limit": limit}

    async def shares_given(self, caller: User, skip: int, limit: int) -> s.GivenSharePage:
        shares = cast(list[s.GivenShare], (await self.queries.shares_given(caller)).result["shares"])
        return {"shares": page(shares, skip, limit), "total": len(shares), "skip": skip, "limit": limit}

    async def hidden_tools(self, caller: User) -> s.HiddenTools:
        return {"success": True, "hiddenTools": (await self.me(caller))["hiddenTools"]}

    async def hide(self, caller: User, body: s.HideRequest) -> s.HiddenTools:
        if "toolId" in body and "toolIds" in body:
            raise Invalid("Give toolId or its alias toolIds, not both")
        tool_ids = body.get("toolId", body.get("toolIds"))
        if tool_ids is None:
            raise Invalid("toolId (an array of tool names or namespaced ids) is required")
        return cast(s.HiddenTools, (await self.sharing.hide_tools(caller, tool_ids)).result)

    async def unhide(self, caller: User, tool_ids: list[str]) -> s.HiddenTools:
        return cast(s.HiddenTools, (await self.sharing.unhide_tools(caller, tool_ids)).result)

    # -- prompts -------------------------------------------------------------------------------
    async def list_prompts(self, caller: User, name_contains: str | None, skip: int, limit: int) -> s.PromptPage:
        prompts = cast(list[s.PromptOut], (await self.prompts.list_prompts(caller, name_contains)).result["prompts"])
        return {"prompts": page(prompts, skip, limit), "total": len(prompts), "skip": skip, "limit": limit}

    async def get_prompt(self, caller: User, name: str) -> s.PromptOut:
        listed = (await self.prompts.list_prompts(caller, name)).result["prompts"]
        found = next((p for p in listed if p["name"] == name), None)
        if found is None:
            raise NotFound(f'Prompt with name "{name}" not found')
        return cast(s.PromptOut, found)

    async def add_prompt(self, caller: User, body: s.NewPrompt) -> s.PromptSaved:
        return cast(s.PromptSaved, (await self.prompts.add_prompt(caller, dict(body))).result)

    async def update_prompt(self, caller: User, name: str, body: Mapping[str, Any]) -> s.PromptSaved:
        return cast(s.PromptSaved, (await self.prompts.update_prompt(caller, name, dict(body))).result)

    async def delete_prompt(self, caller: User, name: str) -> s.PromptDeleted:
        return cast(s.PromptDeleted, (await self.prompts.delete_prompt(caller, name)).result)
