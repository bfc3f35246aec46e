"""Tool definitions as plain camelCase dicts (docs/tools.md) <-> domain Tools."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamic_mcp.domain.documents import check_storable
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.tools import (
    Tool,
    validate_handler,
    validate_icons,
    validate_input_schema,
    validate_output_schema,
    validate_title,
    validate_tool_name,
)
from dynamic_mcp.ports.validation import SchemaValidator

DEFINITION_FIELDS = frozenset(
    {
        "name",
        "description",
        "inputSchema",
        "annotations",
        "handler",
        "rolesPermitted",
        "alwaysVisible",
        "outputSchema",
        "title",
        "icons",
    }
)
UPDATABLE_FIELDS = DEFINITION_FIELDS - {"name"}
REQUIRED_FIELDS = {"inputSchema": "an inputSchema", "handler": "a handler"}  # in the order they are reported
# camelCase definition key -> domain attribute name
ATTRIBUTE_OF = {
    "description": "description",
    "inputSchema": "input_schema",
    "annotations": "annotations",
    "handler": "handler",
    "rolesPermitted": "roles_permitted",
    "alwaysVisible": "always_visible",
    "outputSchema": "output_schema",
    "title": "title",
    "icons": "icons",
}


WRAPPER_KEY = "toolDefinition"


def unwrap_definition(body: object) -> object:
    """Every door takes a tool in either shape: the definition itself, or the definition wrapped as
    ``add-tool``'s arguments are, ``{"toolDefinition": {...}}`` (docs/tools.md)."""
    if isinstance(body, Mapping) and WRAPPER_KEY in body:
        if len(body) != 1:
            others = ", ".join(sorted(str(k) for k in body if k != WRAPPER_KEY))
            raise Invalid(f"Give either a tool definition or {{{WRAPPER_KEY!r}: definition}}, not both ({others})")
        return body[WRAPPER_KEY]
    return body


def parse_roles(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(r, str) for r in value):
        raise Invalid("rolesPermitted must be an array of strings")
    check_storable(value, "rolesPermitted")
    return tuple(value)


def parse_field(key: str, value: Any, validator: SchemaValidator | None) -> Any:
    """Validate one definition field and convert it to its domain value."""
    if key == "inputSchema":
        if value is None:
            raise Invalid("A tool definition requires an inputSchema")
        schema = validate_input_schema(value)
        problem = validator.check_schema(schema) if validator else None
        if problem:
            raise Invalid(f"inputSchema is not a valid JSON Schema: {problem}")
        return dict(schema)
    if key == "handler":
        if value is None:
            raise Invalid("A tool definition requires a handler")
        return validate_handler(value)
    if key == "description":
        if value is not None and not isinstance(value, str):
            raise Invalid("description must be a string")
        check_storable(value, "description")
        return value
    if key == "annotations":
        if value is not None and not isinstance(value, Mapping):
            raise Invalid("annotations must be an object")
        check_storable(value, "annotations")
        return dict(value) if value is not None else None
    if key == "outputSchema":
        if value is None:
            return None
        schema = validate_output_schema(value)
        problem = validator.check_schema(schema) if validator else None
        if problem:
            raise Invalid(f"outputSchema is not a valid JSON Schema: {problem}")
        return dict(schema)
    if key == "title":
        return validate_title(value)
    if key == "icons":
        return validate_icons(value)
    if key == "rolesPermitted":
        return parse_roles(value)
    if key == "alwaysVisible":
        if not isinstance(value, bool):
            raise Invalid("alwaysVisible must be a boolean")
        return value
    raise Invalid(f"Unknown tool field: {key}")


def tool_from_definition(definition: Mapping[str, Any], creator: str, validator: SchemaValidator | None) -> Tool:
    """Build a Tool from a definition dict; ``creator`` is never taken from the dict."""
    name = validate_tool_name(definition.get("name"))
    unknown = sorted(set(definition) - DEFINITION_FIELDS - {"creator"})
    if unknown:
        raise Invalid(f"Unknown toolDefinition field(s): {', '.join(unknown)}")
    missing = [label for key, label in REQUIRED_FIELDS.items() if definition.get(key) is None]
    if missing:
        raise Invalid(f"A tool definition requires {' and '.join(missing)}")
    values = {
        ATTRIBUTE_OF[key]: parse_field(key, definition[key], validator)
        for key in sorted(UPDATABLE_FIELDS)  # sorted: the first bad field reported is always the same one
        if key in definition
    }
    values.setdefault("always_visible", False)
    return Tool(name=name, creator=creator, **values)


def parse_updates(updates: Mapping[str, Any], validator: SchemaValidator | None) -> dict[str, Any]:
    """camelCase updates -> domain attribute changes; unknown or fixed keys are rejected."""
    rejected = sorted(set(updates) - UPDATABLE_FIELDS)
    if rejected:
        raise Invalid(f"Cannot update field(s): {', '.join(rejected)}. Allowed: {', '.join(sorted(UPDATABLE_FIELDS))}")
    return {ATTRIBUTE_OF[key]: parse_field(key, value, validator) for key, value in updates.items()}


def tool_definition(tool: Tool) -> dict[str, Any]:
    """The camelCase definition of a stored tool (what an admin or creator may see)."""
    return {
        "name": tool.name,
        "creator": tool.creator,
        "description": tool.description,
        "inputSchema": dict(tool.input_schema),
        "annotations": dict(tool.annotations) if tool.annotations is not None else None,
        "handler": {"type": tool.handler.type, "config": dict(tool.handler.config)},
        "rolesPermitted": list(tool.roles_permitted) if tool.roles_permitted is not None else None,
        "alwaysVisible": tool.always_visible,
        "outputSchema": dict(tool.output_schema) if tool.output_schema is not None else None,
        "title": tool.title,
        "icons": [dict(i) for i in tool.icons] if tool.icons is not None else None,
    }
