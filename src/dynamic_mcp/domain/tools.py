"""Tools: data that points at a handler package (docs/tools.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from dynamic_mcp.domain.documents import check_storable
from dynamic_mcp.domain.errors import Invalid

SYSTEM_CREATOR = "system"
NAMESPACE_SEPARATOR = ":"
# An input schema is walked on every call: keep it small and shallow.
MAX_SCHEMA_DEPTH = 32
MAX_SCHEMA_SIZE = 64 * 1024
MANAGEMENT_PACKAGES = frozenset(
    {"user-management", "tool-management", "prompt-management", "resource-management", "upstream-management"}
)
"""The built-in packages whose handlers act on users, tools and prompts with the caller's rights."""


@attrs.frozen
class HandlerRef:
    """Which handler package runs the tool, and the package-specific config."""

    type: str
    config: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Tool:
    name: str
    creator: str
    input_schema: Mapping[str, Any]
    handler: HandlerRef
    description: str | None = None
    annotations: Mapping[str, Any] | None = None
    roles_permitted: tuple[str, ...] | None = None
    always_visible: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_used: datetime | None = None
    output_schema: Mapping[str, Any] | None = None
    """When set, every successful call must return structuredContent that matches it."""
    title: str | None = None
    icons: tuple[Mapping[str, Any], ...] | None = None

    @property
    def namespaced_id(self) -> str:
        return namespaced_id(self.creator, self.name)

    @property
    def open_to_all(self) -> bool:
        return False  # alwaysVisible keeps a tool from being hidden; it grants no reach

    @property
    def share_names(self) -> tuple[str, str | None]:
        return self.namespaced_id, self.name

    def is_package_tool(self, packages: frozenset[str]) -> bool:
        return self.creator == SYSTEM_CREATOR or self.creator in packages

    @property
    def is_built_in(self) -> bool:
        """Declared by a management package: its plain name is reserved (ADR 0016)."""
        return self.creator in MANAGEMENT_PACKAGES


def namespaced_id(creator: str, name: str) -> str:
    return f"{creator}{NAMESPACE_SEPARATOR}{name}"


def split_namespaced_id(tool_id: str) -> tuple[str, str] | None:
    """``creator:name`` -> (creator, name); None for a plain name.

    The name never holds ``:`` but an email creator may not either, so split on the last one.
    """
    if NAMESPACE_SEPARATOR not in tool_id:
        return None
    creator, _, name = tool_id.rpartition(NAMESPACE_SEPARATOR)
    return creator, name


def validate_tool_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid("A valid toolDefinition object with a name is required")
    if NAMESPACE_SEPARATOR in name:
        raise Invalid("Tool names cannot contain ':' character")
    check_storable(name, "The tool name")
    return name


def validate_input_schema(schema: object) -> Mapping[str, Any]:
    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        raise Invalid("inputSchema must be a JSON Schema object whose type is 'object'")
    check_storable(schema, "inputSchema", max_depth=MAX_SCHEMA_DEPTH, max_size=MAX_SCHEMA_SIZE)
    return schema


def validate_output_schema(schema: object) -> Mapping[str, Any]:
    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        raise Invalid("outputSchema must be a JSON Schema object whose type is 'object'")
    check_storable(schema, "outputSchema", max_depth=MAX_SCHEMA_DEPTH, max_size=MAX_SCHEMA_SIZE)
    return schema


def validate_title(title: object) -> str | None:
    if title is not None and not isinstance(title, str):
        raise Invalid("title must be a string")
    check_storable(title, "title")
    return title


MAX_ICONS = 16
ICON_THEMES = frozenset({"light", "dark"})


def validate_icons(icons: object) -> tuple[Mapping[str, Any], ...] | None:
    """``[{src, mimeType?, sizes?, theme?}]``, as MCP lists them; ``src`` is a URI the client fetches."""
    if icons is None:
        return None
    if not isinstance(icons, list | tuple) or len(icons) > MAX_ICONS:
        raise Invalid(f"icons must be an array of at most {MAX_ICONS} objects")
    checked = []
    for icon in icons:
        if not isinstance(icon, Mapping) or not isinstance(icon.get("src"), str) or not icon["src"]:
            raise Invalid("every icon needs a 'src' string")
        unknown = sorted(set(icon) - {"src", "mimeType", "sizes", "theme"})
        if unknown:
            raise Invalid(f"Unknown icon field(s): {', '.join(str(k) for k in unknown)}")
        if "mimeType" in icon and not isinstance(icon["mimeType"], str):
            raise Invalid("icon mimeType must be a string")
        sizes = icon.get("sizes")
        if sizes is not None and (not isinstance(sizes, list) or not all(isinstance(x, str) for x in sizes)):
            raise Invalid("icon sizes must be an array of strings")
        if "theme" in icon and icon["theme"] not in ICON_THEMES:
            raise Invalid("icon theme must be 'light' or 'dark'")
        checked.append(dict(icon))
    check_storable(checked, "icons")
    return tuple(checked)


def validate_handler(handler: object) -> HandlerRef:
    if not isinstance(handler, Mapping) or not isinstance(handler.get("type"), str) or not handler["type"]:
        raise Invalid("handler must be an object with a 'type' naming a handler package")
    config = handler.get("config", {})
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise Invalid("handler.config must be an object")
    check_storable(config, "handler.config")
    return HandlerRef(type=handler["type"], config=dict(config))
