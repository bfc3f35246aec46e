"""What handler code may reach through ``context.server`` (docs/tools.md): notifications and each
user's per-application parameters. ``application.facade.ServerFacade`` implements it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class HandlerServer(Protocol):
    async def notify_tool_list_changed(self, email: str | None = None) -> None:
        """Tell one user's sessions (or, without an email, every session) to re-list tools."""
        ...

    async def notify_prompt_list_changed(self, email: str | None = None) -> None: ...

    async def get_app_params(self, email: str, app_key: str) -> Any:
        """``applicationAuthentication[app_key]`` of a user, or None."""
        ...

    async def set_app_params(self, email: str, app_key: str, params: Mapping[str, Any] | None) -> None:
        """Write one application's entry without touching the others."""
        ...
