"""Shared pieces of the built-in packages: argument readers, definition and dispatch helpers.

Arguments are read defensively because input validation may be switched off (docs/configuration.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.handlers import ProgressReporter, ToolContext, ToolHandler

Action = Callable[[User, Mapping[str, Any]], Awaitable[ToolOutput]]


def opt_str(args: Mapping[str, Any], key: str) -> str | None:
    value = args.get(key)
    if value is None or isinstance(value, str):
        return value
    raise Invalid(f"{key} must be a string")


def opt_int(args: Mapping[str, Any], key: str, default: int) -> int:
    value = args.get(key, default)
    if value is None:
        return default
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{key} must be an integer")
    return value


def opt_bool(args: Mapping[str, Any], key: str) -> bool:
    value = args.get(key, False)
    if not isinstance(value, bool):
        raise Invalid(f"{key} must be a boolean")
    return value


def schema(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        body["required"] = list(required)
    return body


def hints(
    title: str, *, read_only: bool, destructive: bool = False, idempotent: bool = False, open_world: bool = False
) -> dict[str, Any]:
    return {
        "title": title,
        "readOnlyHint": read_only,
        "destructiveHint": destructive,
        "idempotentHint": idempotent,
        "openWorldHint": open_world,
    }


def dispatcher(actions: Mapping[str, Action]) -> ToolHandler:
    """One handler for a package: ``config.action`` picks the use case."""

    async def handle(
        args: dict[str, Any], context: ToolContext, config: Mapping[str, Any], progress: ProgressReporter
    ) -> Mapping[str, Any]:
        action = actions.get(str(config.get("action")))
        if action is None:
            raise Invalid(f"Unknown action: {config.get('action')}")
        output = await action(context.user, args)
        return output.envelope()

    return handle
