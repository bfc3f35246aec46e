"""Tool management use cases (docs/access.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.definitions import (
    parse_updates,
    tool_definition,
    tool_from_definition,
    unwrap_definition,
)
from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from dynamic_mcp.domain.events import ToolListChanged, UserChanged
from dynamic_mcp.domain.tools import MANAGEMENT_PACKAGES, SYSTEM_CREATOR, Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.events import EventPublisher
from dynamic_mcp.ports.repositories import ToolRepository, UserRepository
from dynamic_mcp.ports.validation import SchemaValidator

RESOLUTION_ORDER = (
    "built-in tools first, then your own tools, then other users' tools, then package tools; the oldest wins a tie"
)
REACH_CHANGES = frozenset({"roles_permitted", "always_visible"})


class ToolService:
    def __init__(
        self,
        tools: ToolRepository,
        users: UserRepository,
        catalog: Catalog,
        validator: SchemaValidator,
        events: EventPublisher,
        clock: Clock,
    ) -> None:
        self._tools = tools
        self._users = users
        self._catalog = catalog
        self._validator = validator
        self._events = events
        self._clock = clock

    async def list_tools(self, caller: User, name_contains: str | None = None) -> ToolOutput:
        """docs/access.md list-tools over A(u): visible entries, hidden names, duplicate-name warnings."""
        toolset = await self._catalog.toolset(caller)
        needle = (name_contains or "").lower()
        tools = [t for t in toolset.accessible if needle in t.name.lower()]
        shown = [t for t in tools if not visibility.is_hidden(caller, t)]
        hidden = [t.name for t in tools if visibility.is_hidden(caller, t)]
        by_name: dict[str, list[str]] = defaultdict(list)
        for t in tools:
            by_name[t.name].append(t.namespaced_id)
        duplicates = [{"baseName": n, "namespacedNames": ids} for n, ids in by_name.items() if len(ids) > 1]
        result: dict[str, Any] = {
            "visibleTools": [
                {"name": t.name, "description": t.description, "hidden": False, "alwaysVisible": t.always_visible}
                for t in shown
            ],
            "total": len(tools),
            "filtered": bool(needle),
            "hiddenTools": hidden,
        }
        if hidden:
            message = (
                f"The following tools are currently hidden: {', '.join(hidden)}. "
                "Use the hide-tool/unhide-tool tools to hide or unhide tools."
            )
        else:
            message = "No tools are currently hidden. Use the hide-tool/unhide-tool tools to hide or unhide tools."
        if duplicates:
            result["duplicateBaseNames"] = duplicates
            listed = "; ".join(f'"{n}" ({", ".join(ids)})' for n, ids in by_name.items() if len(ids) > 1)
            message += (
                f"\n\nWARNING: You have tools with duplicate base names: {listed}. "
                f"A plain name picks {RESOLUTION_ORDER}; call a namespaced id (creator:name) to choose another."
            )
        return ToolOutput(
            result,
            message=message,
            next_steps=(
                "To hide a tool, use the 'hide-tool' tool.",
                "To unhide a tool, use the 'unhide-tool' tool.",
            ),
        )

    async def add_tool(self, caller: User, definition: object) -> ToolOutput:
        definition = unwrap_definition(definition)
        if not isinstance(definition, Mapping) or not definition.get("name"):
            raise Invalid("A valid toolDefinition object with a name is required")
        tool = self._checked_new_tool(caller, definition)
        previous = await self._tools.get(caller.email, tool.name)
        # the store keeps a replaced tool's createdAt (ToolRepository.upsert contract)
        stored = await self._tools.upsert(_replace(tool, {"updated_at": self._clock.now()}))
        await self._catalog.announce_tool_change(previous, stored)
        verb = "replaced" if previous else "created"
        return ToolOutput(
            {"success": True, "name": stored.name},
            message=f"Tool '{stored.namespaced_id}' {verb}",
        )

    def _checked_new_tool(self, caller: User, definition: Mapping[str, Any]) -> Tool:
        """Every rule a new tool of ``caller`` must pass, whichever use case creates it."""
        if not visibility.is_manager(caller):
            raise Forbidden("Only admins and power users can create tools")
        if caller.email in self._catalog.packages or caller.email == SYSTEM_CREATOR:
            raise Forbidden("A user named like a handler package cannot create tools")
        tool = tool_from_definition(definition, caller.email, self._validator)
        if tool.name in self._catalog.builtin_tool_names():
            raise Conflict(f"'{tool.name}' is the name of a built-in tool; choose another name")
        self._require_registered(tool)
        self._require_handler_right(caller, tool)
        return tool

    async def sync_tools(
        self, caller: User, definitions: Sequence[Mapping[str, Any]], remove: Sequence[str]
    ) -> ToolSync:
        """Create or replace the caller's tools of ``definitions`` and delete the caller's tools
        named in ``remove``, under the rules of add-tool; one notification reaches every user whose
        tools changed. A definition that breaks a rule is skipped and reported, not fatal."""
        written: list[tuple[Tool | None, Tool]] = []
        skipped: dict[str, str] = {}
        for definition in definitions:
            try:
                tool = self._checked_new_tool(caller, definition)
            except DomainError as exc:
                skipped[str(definition.get("name"))] = exc.message
                continue
            previous = await self._tools.get(caller.email, tool.name)
            if previous is not None and _same_definition(previous, tool):
                continue
            stored = await self._tools.upsert(_replace(tool, {"updated_at": self._clock.now()}))
            written.append((previous, stored))
        doomed = [t for t in [await self._tools.get(caller.email, n) for n in remove] if t is not None]
        touched: list[Tool | None] = [t for pair in written for t in pair]
        audience = await self._catalog.audience([*touched, *doomed])
        for tool in doomed:
            await self._tools.delete(tool.creator, tool.name)
            for email in await self._users.remove_hidden_everywhere(tool.namespaced_id):
                await self._events.publish(UserChanged(email))
        if written or doomed:
            await self._events.publish(ToolListChanged(audience))
        return ToolSync(
            added=tuple(s.name for p, s in written if p is None),
            updated=tuple(s.name for p, s in written if p is not None),
            removed=tuple(t.name for t in doomed),
            skipped=skipped,
            notified=audience if written or doomed else frozenset(),
        )

    async def update_tool(self, caller: User, name: object, updates: object) -> ToolOutput:
        if not isinstance(name, str) or not name:
            raise Invalid("A valid tool name is required for update")
        if not isinstance(updates, Mapping) or not updates:
            raise Invalid("A valid updates object is required")
        tool = await self._resolve(caller, name)
        if not visibility.can_update_tool(caller, tool, self._catalog.packages):
            raise Forbidden(f"Not authorized to update tool '{tool.namespaced_id}'")
        changes = parse_updates(updates, self._validator)
        reach = sorted(k for k in REACH_CHANGES & set(changes) if changes[k] != getattr(tool, k))
        if reach and not visibility.can_change_reach(caller, tool, self._catalog.packages):
            raise Forbidden(
                f"Only the creator of '{tool.namespaced_id}' and admins may change who reaches it "
                "(rolesPermitted, alwaysVisible); a write share edits what the tool does and says"
            )
        self._require_handler_right(caller, tool)
        if "handler" in changes:
            candidate = _replace(tool, changes)
            self._require_registered(candidate)
            self._require_handler_right(caller, candidate)
        changes["updated_at"] = self._clock.now()
        updated = await self._tools.update(tool.creator, tool.name, changes)
        await self._catalog.announce_tool_change(tool, updated)
        return ToolOutput(
            {"success": True, "name": updated.name, "updated": tool_definition(updated)},
            message=f"Tool '{updated.namespaced_id}' updated successfully",
        )

    async def delete_tool(self, caller: User, name: object) -> ToolOutput:
        if not isinstance(name, str) or not name:
            raise Invalid("Tool name is required for deletion")
        tool = await self._resolve(caller, name)
        if not visibility.can_delete_tool(caller, tool, self._catalog.packages):
            raise Forbidden(f"Not authorized to delete tool '{tool.namespaced_id}'")
        audience_before = await self._catalog.audience([tool])
        await self._tools.delete(tool.creator, tool.name)
        for email in await self._users.remove_hidden_everywhere(tool.namespaced_id):
            await self._events.publish(UserChanged(email))
        await self._events.publish(ToolListChanged(audience_before))
        return ToolOutput(
            {"success": True, "name": tool.name}, message=f"Tool '{tool.namespaced_id}' deleted successfully"
        )

    async def _resolve(self, caller: User, name: str) -> Tool:
        tool = await self._catalog.resolve(caller, name)
        if tool is None:
            raise NotFound(f"Tool with name '{name}' not found")
        return tool

    @staticmethod
    def _require_handler_right(caller: User, tool: Tool) -> None:
        require_management_right(caller, tool.handler.type, "tools")

    def _require_registered(self, tool: Tool) -> None:
        """a runtime tool must point at a registered package."""
        if tool.handler.type not in self._catalog.packages:
            raise Invalid(f"Unknown handler type: {tool.handler.type}")


def require_management_right(caller: User, handler_type: str, what: str) -> None:
    """Management handlers act for whoever runs them; only admins may point a tool or prompt at
    one, so no one can plant it in an admin's (or anyone's) path."""
    if handler_type in MANAGEMENT_PACKAGES and not caller.is_admin:
        raise Forbidden(f"Only admins may create or change {what} that use a management handler")


@attrs.frozen
class ToolSync:
    """What one sync changed: tool names per kind of change, and whom it notified."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    skipped: Mapping[str, str]
    notified: frozenset[str]


def _same_definition(stored: Tool, new: Tool) -> bool:
    fields = (
        "description",
        "input_schema",
        "annotations",
        "handler",
        "roles_permitted",
        "always_visible",
        "output_schema",
        "title",
        "icons",
    )
    return all(getattr(stored, f) == getattr(new, f) for f in fields)


def _replace(tool: Tool, changes: Mapping[str, Any]) -> Tool:
    return attrs.evolve(tool, **changes)
