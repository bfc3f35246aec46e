"""/shares and /me/hidden-tools through REST (rules: docs/access.md)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import JSONBody, QueryParameter

from dynamic_mcp.adapters.http.rest import schemas as s
from dynamic_mcp.adapters.http.rest.params import DEFAULT_LIMIT, DEFAULT_SKIP, Caller, Limit, Ops, Skip
from dynamic_mcp.adapters.http.rest.problems import problem_responses

Recipient = Annotated[str, QueryParameter(description="The recipient's email")]
ToolId = Annotated[str, QueryParameter(name="toolId", description="Plain tool name or namespaced id (creator:name)")]
ToolIds = Annotated[
    list[str],
    QueryParameter(name="toolId", min_items=1, description="Tool names or namespaced ids; repeat to give several"),
]


class SharesController(Controller):
    path = "/shares"
    tags = ["shares"]

    @post("/", summary="Share a tool", responses=problem_responses(403, 404, 422))
    async def share(self, ops: Ops, caller: Caller, data: JSONBody[s.ShareRequest]) -> s.RecipientShares:
        """Admins share any tool, power users their own; sharing again replaces the access level."""
        return await ops.share(caller, data)

    @delete("/", status_code=200, summary="Unshare a tool", responses=problem_responses(403, 404, 422))
    async def unshare(self, ops: Ops, caller: Caller, email: Recipient, tool_id: ToolId) -> s.RecipientShares:
        """Removes the caller's shares of that tool with ``email``; admins remove anyone's."""
        return await ops.unshare(caller, email, tool_id)


class MySharesController(Controller):
    path = "/me"
    tags = ["shares"]

    @get("/shares", summary="Shares you received", responses=problem_responses())
    async def received(
        self, ops: Ops, caller: Caller, skip: Skip = DEFAULT_SKIP, limit: Limit = DEFAULT_LIMIT
    ) -> s.SharePage:
        return await ops.shares_received(caller, skip, limit)

    @get("/shares/given", summary="Shares you made", responses=problem_responses())
    async def given(
        self, ops: Ops, caller: Caller, skip: Skip = DEFAULT_SKIP, limit: Limit = DEFAULT_LIMIT
    ) -> s.GivenSharePage:
        return await ops.shares_given(caller, skip, limit)


class HiddenToolsController(Controller):
    path = "/me/hidden-tools"
    tags = ["hidden tools"]

    @get("/", summary="Your hidden tools", responses=problem_responses())
    async def hidden(self, ops: Ops, caller: Caller) -> s.HiddenTools:
        return await ops.hidden_tools(caller)

    @post("/", status_code=200, summary="Hide tools from your MCP tool list", responses=problem_responses(404, 422))
    async def hide(self, ops: Ops, caller: Caller, data: JSONBody[s.HideRequest]) -> s.HiddenTools:
        """Hidden tools stay callable; always-visible tools cannot be hidden."""
        return await ops.hide(caller, data)

    @delete("/", status_code=200, summary="Unhide tools", responses=problem_responses(404, 422))
    async def unhide(self, ops: Ops, caller: Caller, tool_id: ToolIds) -> s.HiddenTools:
        return await ops.unhide(caller, tool_id)
