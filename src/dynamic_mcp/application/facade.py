"""What handler code may reach through ``context.server`` (docs/tools.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamic_mcp.domain.errors import NotFound
from dynamic_mcp.domain.events import PromptListChanged, ToolListChanged
from dynamic_mcp.ports.events import EventPublisher
from dynamic_mcp.ports.repositories import PromptRepository, ToolRepository, UserRepository
from dynamic_mcp.ports.server import HandlerServer


class ServerFacade(HandlerServer):
    def __init__(
        self,
        users: UserRepository,
        tools: ToolRepository,
        prompts: PromptRepository,
        events: EventPublisher,
    ) -> None:
        self.users = users
        self.tools = tools
        self.prompts = prompts
        self._events = events

    async def notify_tool_list_changed(self, email: str | None = None) -> None:
        """Tell one user's sessions (or, without an email, every session) to re-list tools."""
        await self._events.publish(ToolListChanged(None if email is None else frozenset({email})))

    async def notify_prompt_list_changed(self, email: str | None = None) -> None:
        await self._events.publish(PromptListChanged(None if email is None else frozenset({email})))

    async def get_app_params(self, email: str, app_key: str) -> Any:
        """``applicationAuthentication[app_key]`` of a user, or None."""
        user = await self.users.get(email)
        if user is None:
            raise NotFound(f"User '{email}' not found")
        return (user.application_authentication or {}).get(app_key)

    async def set_app_params(self, email: str, app_key: str, params: Mapping[str, Any] | None) -> None:
        """Write one application's entry without touching the others."""
        await self.users.set_app_params(email, app_key, params)
