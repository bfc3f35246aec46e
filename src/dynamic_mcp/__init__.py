"""dynamic-mcp: a multi-user MCP server whose tools are data.

The public API (docs/tools.md) is importable from here; importing it starts nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "DynamicMcpServer",
    "HandlerOutput",
    "HandlerPackage",
    "PromptContext",
    "PromptDefinition",
    "PromptOutput",
    "ToolContext",
    "ToolDefinition",
    "logger",
    "send_bulk_email",
    "send_email",
]

if TYPE_CHECKING:
    from dynamic_mcp.public import (
        DynamicMcpServer,
        HandlerOutput,
        HandlerPackage,
        PromptContext,
        PromptDefinition,
        PromptOutput,
        ToolContext,
        ToolDefinition,
        logger,
        send_bulk_email,
        send_email,
    )


def __getattr__(name: str) -> Any:
    # Lazy, so `import dynamic_mcp.domain` stays free of framework imports.
    if name == "__version__":
        from dynamic_mcp.metadata import package_version

        return package_version()
    if name in __all__:
        from dynamic_mcp import public

        return getattr(public, name)
    raise AttributeError(name)
