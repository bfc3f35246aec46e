"""Handler packages and the registry of those known to this process (docs/tools.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import attrs

from dynamic_mcp.domain.errors import Conflict
from dynamic_mcp.ports.handlers import CompletionHandler, PromptHandler, ResourceHandler, ToolHandler


@attrs.frozen
class HandlerPackage:
    """Code that runs tools (and prompts) plus the definitions it declares, as plain dicts."""

    name: str
    tools: Sequence[Mapping[str, Any]]
    handler: ToolHandler
    prompts: Sequence[Mapping[str, Any]] = ()
    init: Callable[[], Awaitable[None]] | None = None
    prompt_handler: PromptHandler | None = None
    """Runs the package's prompts; without it, ``handler`` is called with a no-op progress."""
    auth_routes: Sequence[Mapping[str, Any]] = ()
    """``{method, path, handler}`` HTTP routes mounted on the server's app (docs/tools.md)."""
    resources: Sequence[Mapping[str, Any]] = ()
    """Resource and resource-template definitions (docs/resources.md), stored with the package as creator."""
    resource_handler: ResourceHandler | None = None
    """Produces the content of the package's resources and of resources whose handler names it."""
    completion_handler: CompletionHandler | None = None
    """Suggests values for its prompts' arguments (``completion/complete``); without it the
    prompt's ``config.completions`` answer."""


async def no_progress(progress: float, total: float | None = None, message: str | None = None) -> None:
    """The progress reporter for calls that asked for none (docs/protocol.md): handlers may always call it."""
    return None


class HandlerRegistry:
    """Packages by name. Plain in-process state: registration happens at start or by integrators."""

    def __init__(self) -> None:
        self._packages: dict[str, HandlerPackage] = {}

    def add(self, package: HandlerPackage) -> None:
        if package.name in self._packages and self._packages[package.name] is not package:
            raise Conflict(f"Handler package '{package.name}' is already registered")
        self._packages[package.name] = package

    def get(self, name: str) -> HandlerPackage | None:
        return self._packages.get(name)

    def names(self) -> frozenset[str]:
        return frozenset(self._packages)
