"""Sharing and hiding use cases (docs/access.md)."""

from __future__ import annotations

from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.application.serialization import share_json
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import Forbidden, Invalid, NotFound
from dynamic_mcp.domain.events import ToolListChanged, UserChanged
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User, normalize_email
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.events import EventPublisher
from dynamic_mcp.ports.repositories import UserRepository


class SharingService:
    def __init__(self, users: UserRepository, catalog: Catalog, events: EventPublisher, clock: Clock) -> None:
        self._users = users
        self._catalog = catalog
        self._events = events
        self._clock = clock

    async def _changed(self, email: str) -> None:
        await self._events.publish(UserChanged(email))
        await self._events.publish(ToolListChanged(frozenset({email})))

    async def share_tool(
        self, caller: User, email: str | None, tool_id: str | None, access_level: str | None
    ) -> ToolOutput:
        email = normalize_email(email or "")
        if not email or not tool_id or not access_level:
            raise Invalid("email, toolId, and accessLevel are required")
        if access_level not in ("read", "write"):
            raise Invalid("accessLevel must be 'read' or 'write'")
        if not visibility.is_manager(caller):
            raise Forbidden("Only admins and power users can share tools")
        if await self._users.get(email) is None:
            raise NotFound(f"User '{email}' not found")
        tool = await self._catalog.resolve(caller, tool_id)
        if tool is None:
            raise NotFound(f"Tool '{tool_id}' not found")
        if not visibility.can_share_tool(caller, tool):
            raise Forbidden(
                f"Not permitted to share tool '{tool.namespaced_id}': power users may share only their own tools"
            )
        share = Share(tool.namespaced_id, caller.email, AccessLevel(access_level), self._clock.now())
        recipient = await self._users.put_share(email, share)
        await self._changed(email)
        return ToolOutput(
            [share_json(s) for s in recipient.shared_tools],
            message=f"Tool '{tool.namespaced_id}' shared with '{email}' as '{access_level}' by '{caller.email}'",
        )

    async def unshare_tool(self, caller: User, email: str | None, tool_id: str | None) -> ToolOutput:
        email = normalize_email(email or "")
        if not email or not tool_id:
            raise Invalid("email and toolId are required")
        if not visibility.is_manager(caller):
            raise Forbidden("Only admins and power users can unshare tools")
        recipient = await self._users.get(email)
        if recipient is None:
            raise NotFound(f"User '{email}' not found")
        ids = {tool_id}
        tool = await self._catalog.resolve(caller, tool_id)
        if tool is not None:
            ids.add(tool.namespaced_id)
        before = len(recipient.shared_tools)
        sharer = None if caller.is_admin else caller.email
        recipient = await self._users.remove_shares(email, frozenset(ids), sharer)
        removed = before - len(recipient.shared_tools)
        if removed:
            await self._changed(email)
        return ToolOutput(
            [share_json(s) for s in recipient.shared_tools],
            message=f"Tool '{tool_id}' unshared from '{email}' by '{caller.email}' ({removed} share(s) removed)",
        )

    async def _resolve_for_visibility(self, caller: User, entries: object, *, strict: bool) -> list[Tool | str]:
        if not isinstance(entries, list) or not all(isinstance(e, str) and e for e in entries):
            raise Invalid("toolId must be an array of strings")
        toolset = await self._catalog.toolset(caller)
        resolved: list[Tool | str] = []
        for entry in entries:
            tool = toolset.resolve(entry)
            if tool is None and (strict or ":" not in entry):
                # a miss that would fail the request: the tool may have been written elsewhere a
                # moment ago (one store read, then the request fails or goes on)
                tool = await self._catalog.resolve(caller, entry)
                if tool is None:
                    raise NotFound(f"Tool '{entry}' not found")
            resolved.append(tool if tool is not None else entry)
        return resolved

    async def hide_tools(self, caller: User, entries: object) -> ToolOutput:
        resolved = await self._resolve_for_visibility(caller, entries, strict=True)
        tools = [t for t in resolved if isinstance(t, Tool)]
        pinned = [t.namespaced_id for t in tools if t.always_visible]
        if pinned:
            raise Invalid(f"Always-visible tools cannot be hidden: {', '.join(pinned)}")
        user = await self._users.add_hidden(caller.email, [t.namespaced_id for t in tools])
        await self._changed(caller.email)
        return self._hidden_output(user, [t.namespaced_id for t in tools], "hidden")

    async def unhide_tools(self, caller: User, entries: object) -> ToolOutput:
        resolved = await self._resolve_for_visibility(caller, entries, strict=False)
        ids = [t.namespaced_id if isinstance(t, Tool) else t for t in resolved]
        user = await self._users.remove_hidden(caller.email, ids)
        await self._changed(caller.email)
        return self._hidden_output(user, ids, "unhidden")

    @staticmethod
    def _hidden_output(user: User, ids: list[str], verb: str) -> ToolOutput:
        return ToolOutput(
            {"success": True, "hiddenTools": list(user.hidden_tools)},
            message=f"Tool(s) '{', '.join(ids)}' have been {verb} for your account",
        )
