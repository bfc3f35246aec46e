"""Prompts: MCP prompts/list and prompts/get (docs/access.md) and the prompt-management use cases (docs/access.md)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import attrs

from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.definitions import parse_roles
from dynamic_mcp.application.packages import HandlerRegistry, no_progress
from dynamic_mcp.application.registration import parse_prompt_arguments
from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.application.tools import require_management_right
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.documents import check_storable
from dynamic_mcp.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from dynamic_mcp.domain.events import PromptListChanged
from dynamic_mcp.domain.prompts import Prompt, can_see_prompt
from dynamic_mcp.domain.roles import USER
from dynamic_mcp.domain.tools import SYSTEM_CREATOR, validate_handler
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.events import EventPublisher
from dynamic_mcp.ports.handlers import PromptContext
from dynamic_mcp.ports.repositories import PromptRepository
from dynamic_mcp.ports.server import HandlerServer

log = logging.getLogger(__name__)

UPDATABLE = frozenset({"description", "arguments", "handler", "rolesPermitted", "alwaysVisible"})


class PromptArgumentsMissing(Invalid):
    """Required prompt arguments were not given (maps to JSON-RPC invalid params)."""


@attrs.frozen
class PromptMessage:
    role: str
    content: Mapping[str, Any]


@attrs.frozen
class PromptResult:
    description: str | None
    messages: tuple[PromptMessage, ...]


def prompt_json(prompt: Prompt, *, with_config: bool) -> dict[str, Any]:
    handler: dict[str, Any] = {"type": prompt.handler.type}
    if with_config:
        handler["config"] = dict(prompt.handler.config)
    return {
        "name": prompt.name,
        "description": prompt.description,
        "arguments": [{"name": a.name, "description": a.description, "required": a.required} for a in prompt.arguments],
        "handler": handler,
        "rolesPermitted": list(prompt.roles_permitted or []),
        "alwaysVisible": prompt.always_visible,
        "createdBy": prompt.created_by,
    }


class PromptService:
    def __init__(
        self,
        prompts: PromptRepository,
        catalog: Catalog,
        registry: HandlerRegistry,
        events: EventPublisher,
        clock: Clock,
        server: HandlerServer | None = None,
    ) -> None:
        self._prompts = prompts
        self._catalog = catalog
        self._registry = registry
        self._events = events
        self._clock = clock
        self.server = server

    # -- MCP prompts/list and prompts/get ----------------------------------------------------
    async def visible_prompts(self, email: str) -> list[Prompt]:
        user = await self._catalog.current_user(email)
        return sorted((p for p in await self._prompts.list_all() if can_see_prompt(user, p)), key=lambda p: p.name)

    async def visible_prompt(self, email: str, name: str | None) -> tuple[User, Prompt]:
        """The caller and the prompt ``name`` when the caller may see it; NotFound otherwise."""
        if not name:
            raise Invalid("Prompt name is required")
        user = await self._catalog.current_user(email)
        prompt = await self._prompts.get(name)
        if prompt is None or not can_see_prompt(user, prompt):
            raise NotFound(f"Prompt '{name}' not found")
        return user, prompt

    async def get_prompt(
        self, email: str, name: str | None, arguments: Mapping[str, str] | None, *, session_id: str | None = None
    ) -> PromptResult:
        user, prompt = await self.visible_prompt(email, name)
        name = prompt.name
        args = dict(arguments or {})
        missing = [a.name for a in prompt.arguments if a.required and a.name not in args]
        if missing:
            raise PromptArgumentsMissing(f"Missing required argument(s) for prompt '{name}': {', '.join(missing)}")
        package = self._registry.get(prompt.handler.type)
        if package is None:
            raise NotFound(f"Handler '{prompt.handler.type}' not found")
        if not await self._catalog.acts_within_creator_rights(prompt.handler.type, prompt.created_by):
            raise Forbidden(f"Prompt '{name}' uses a management handler but its creator is not an admin; it cannot run")
        context = PromptContext(session_id=session_id, user=user, prompt_name=name, server=self.server)
        try:
            if package.prompt_handler is not None:
                output = await package.prompt_handler(args, context, prompt.handler.config)
            else:
                output = await package.handler(args, context, prompt.handler.config, no_progress)  # type: ignore[arg-type]
        except DomainError:
            raise
        except Exception as exc:
            log.exception("prompt handler failed", extra={"prompt": name})
            raise Invalid(f"Prompt '{name}' failed with an internal error") from exc
        return _prompt_result(name, output)

    # -- prompt-management tools (docs/access.md) ------------------------------------------------------
    async def list_prompts(self, caller: User, name_contains: str | None = None) -> ToolOutput:
        needle = (name_contains or "").lower()
        prompts = [p for p in await self.visible_prompts(caller.email) if needle in p.name.lower()]
        listed = [prompt_json(p, with_config=caller.is_admin or p.created_by == caller.email) for p in prompts]
        matching = f' matching "{name_contains}"' if name_contains else ""
        steps = (
            (
                "Use prompts/get to execute a specific prompt",
                "Use update-prompt or delete-prompt tools to manage prompts",
            )
            if prompts
            else ("Use add-prompt tool to create new prompts", "Check with administrator for available prompts")
        )
        return ToolOutput(
            {"prompts": listed, "total": len(listed), "filtered": bool(needle)},
            message=f"Found {len(listed)} prompt(s){matching}",
            next_steps=steps,
        )

    async def add_prompt(self, caller: User, args: Mapping[str, Any]) -> ToolOutput:
        if not visibility.is_manager(caller):
            raise Forbidden("Only admins and power users can create prompts")
        name = args.get("name")
        if not isinstance(name, str) or not name.strip():
            raise Invalid("Prompt name is required")
        description = args.get("description")
        if not isinstance(description, str) or not description.strip():
            raise Invalid("Prompt description is required")
        check_storable([name, description], "The prompt name or description")
        handler_raw = args.get("handler")
        if not isinstance(handler_raw, Mapping) or not handler_raw.get("type"):
            raise Invalid("Handler configuration is required (must include type)")
        handler = validate_handler(handler_raw)
        self._require_registered(handler.type)
        require_management_right(caller, handler.type, "prompts")
        roles = parse_roles(args.get("rolesPermitted", [USER]))
        always_visible = args.get("alwaysVisible", False)
        if not isinstance(always_visible, bool):
            raise Invalid("alwaysVisible must be a boolean")
        now = self._clock.now()
        prompt = Prompt(
            name=name,
            handler=handler,
            created_by=caller.email,
            description=description,
            arguments=parse_prompt_arguments(args.get("arguments") or []),
            roles_permitted=roles,
            always_visible=always_visible,
            created_at=now,
            updated_at=now,
        )
        if await self._prompts.get(name) is not None:
            raise Conflict(f'Prompt with name "{name}" already exists')
        stored = await self._prompts.add(prompt)
        await self._events.publish(PromptListChanged(None))
        return ToolOutput(
            {"success": True, "prompt": prompt_json(stored, with_config=True)},
            message=f'Prompt "{name}" created',
        )

    async def update_prompt(self, caller: User, name: object, updates: object) -> ToolOutput:
        if not isinstance(name, str) or not name:
            raise Invalid("Prompt name is required")
        if not isinstance(updates, Mapping) or not updates:
            raise Invalid("Updates object is required")
        rejected = sorted(set(updates) - UPDATABLE)
        if rejected:
            raise Invalid(f"Cannot update field(s): {', '.join(rejected)}. Allowed: {', '.join(sorted(UPDATABLE))}")
        prompt = await self._editable(caller, name, "update")
        require_management_right(caller, prompt.handler.type, "prompts")
        changes: dict[str, Any] = {}
        if "description" in updates:
            if not isinstance(updates["description"], str):
                raise Invalid("description must be a string")
            check_storable(updates["description"], "description")
            changes["description"] = updates["description"]
        if "arguments" in updates:
            changes["arguments"] = parse_prompt_arguments(updates["arguments"] or [])
        if "handler" in updates:
            changes["handler"] = validate_handler(updates["handler"])
            self._require_registered(changes["handler"].type)
            require_management_right(caller, changes["handler"].type, "prompts")
        if "rolesPermitted" in updates:
            changes["roles_permitted"] = parse_roles(updates["rolesPermitted"])
        if "alwaysVisible" in updates:
            if not isinstance(updates["alwaysVisible"], bool):
                raise Invalid("alwaysVisible must be a boolean")
            changes["always_visible"] = updates["alwaysVisible"]
        updated = await self._prompts.update(prompt.name, changes)
        await self._events.publish(PromptListChanged(None))
        return ToolOutput(
            {"success": True, "prompt": prompt_json(updated, with_config=True)},
            message=f'Prompt "{name}" updated',
        )

    async def delete_prompt(self, caller: User, name: object) -> ToolOutput:
        if not isinstance(name, str) or not name:
            raise Invalid("Prompt name is required")
        prompt = await self._editable(caller, name, "delete")
        await self._prompts.delete(prompt.name)
        await self._events.publish(PromptListChanged(None))
        message = f'Prompt "{name}" has been successfully deleted'
        return ToolOutput(
            {
                "success": True,
                "message": message,
                "deletedPrompt": {"name": prompt.name, "description": prompt.description},
            },
            message=message,
        )

    async def _editable(self, caller: User, name: str, verb: str) -> Prompt:
        """the creator on their own prompts, an admin on any non-package prompt."""
        prompt = await self._prompts.get(name)
        packages = self._catalog.packages
        allowed = prompt is not None and (
            prompt.created_by == caller.email
            or (caller.is_admin and prompt.created_by != SYSTEM_CREATOR and prompt.created_by not in packages)
        )
        if prompt is None or not allowed:
            raise NotFound(f'Prompt with name "{name}" not found or you don\'t have permission to {verb} it')
        return prompt

    def _require_registered(self, handler_type: str) -> None:
        if handler_type not in self._catalog.packages:
            raise Invalid(f"Unknown handler type: {handler_type}")


def _prompt_result(name: str, output: Any) -> PromptResult:
    if not isinstance(output, Mapping) or not isinstance(output.get("messages"), list):
        raise Invalid(f"Prompt '{name}' handler returned no messages")
    messages = []
    for message in output["messages"]:
        if (
            not isinstance(message, Mapping)
            or message.get("role") not in ("user", "assistant")
            or not isinstance(message.get("content"), Mapping)
        ):
            raise Invalid(f"Prompt '{name}' handler returned a malformed message")
        messages.append(PromptMessage(message["role"], dict(message["content"])))
    description = output.get("description")
    return PromptResult(description if isinstance(description, str) else None, tuple(messages))
