"""Prompts (docs/access.md) and their visibility (docs/access.md)."""

from __future__ import annotations

from datetime import datetime

import attrs

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


def can_see_prompt(user: User, prompt: Prompt) -> bool:
    """See docs/access.md."""
    return (
        user.is_admin
        or prompt.created_by == user.email
        or prompt.always_visible
        or not prompt.roles_permitted
        or user.has_any_role(prompt.roles_permitted)
    )
