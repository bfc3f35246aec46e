"""Prompts (docs/access.md) and their visibility (docs/access.md)."""

from __future__ import annotations

from datetime import datetime

import attrs

from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.tools import HandlerRef
from dynamic_mcp.domain.users import User


@attrs.frozen
class PromptArgument:
    name: str
    description: str | None = None
    required: bool = False


@attrs.frozen
class Prompt:
    name: str
    handler: HandlerRef
    created_by: str
    description: str | None = None
    arguments: tuple[PromptArgument, ...] = ()
    roles_permitted: tuple[str, ...] | None = None
    always_visible: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def creator(self) -> str:
        return self.created_by

    @property
    def open_to_all(self) -> bool:
        """A prompt without roles, or always visible, reaches everyone (docs/access.md)."""
        return self.always_visible or not self.roles_permitted

    @property
    def share_names(self) -> tuple[str, str | None]:
        return f"{self.created_by}:{self.name}", self.name


def can_see_prompt(user: User, prompt: Prompt) -> bool:
    """See docs/access.md: the one access rule; prompts are never shared."""
    return visibility.can_reach(user, prompt)
