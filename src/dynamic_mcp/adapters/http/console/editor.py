"""The JSON editor's checks: JSON syntax (with line and column), then the definition's schema,
then the inputSchema itself. Saving still goes through the use case, which checks everything
again (rights, registered handler) and has the last word."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

MAX_EDITOR_BYTES = 256 * 1024
MAX_ERRORS = 20

_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_HANDLER = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string", "minLength": 1}, "config": {"type": ["object", "null"]}},
    "additionalProperties": False,
}

TOOL_DEFINITION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Tool definition",
    "type": "object",
    "required": ["name", "inputSchema", "handler"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "pattern": "^[^:]+$"},
        "description": {"type": ["string", "null"]},
        "inputSchema": {"type": "object", "required": ["type"], "properties": {"type": {"const": "object"}}},
        "annotations": {"type": ["object", "null"]},
        "handler": _HANDLER,
        "rolesPermitted": {"anyOf": [_STRINGS, {"type": "null"}]},
        "alwaysVisible": {"type": "boolean"},
    },
    "additionalProperties": False,
}

PROMPT_DEFINITION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Prompt definition",
    "type": "object",
    "required": ["name", "description", "handler"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1},
        "arguments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "description": {"type": ["string", "null"]},
                    "required": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
        },
        "handler": _HANDLER,
        "rolesPermitted": _STRINGS,
        "alwaysVisible": {"type": "boolean"},
    },
    "additionalProperties": False,
}

SCHEMAS = {"tool": TOOL_DEFINITION_SCHEMA, "prompt": PROMPT_DEFINITION_SCHEMA}


def _where(path: Any) -> str:
    pointer = "/".join(str(p) for p in path)
    return f"/{pointer}" if pointer else "(top level)"


def check_definition(kind: str, source: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The parsed definition and a list of problems, each naming where it is."""
    if len(source.encode()) > MAX_EDITOR_BYTES:
        return None, [f"The definition is larger than {MAX_EDITOR_BYTES // 1024} KiB"]
    try:
        value = json.loads(source)
    except json.JSONDecodeError as exc:
        return None, [f"Line {exc.lineno}, column {exc.colno}: {exc.msg}"]
    if not isinstance(value, dict):
        return None, ["The definition must be a JSON object"]
    validator = Draft202012Validator(SCHEMAS[kind])
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    problems = [f"{_where(e.absolute_path)}: {e.message}" for e in errors[:MAX_ERRORS]]
    schema = value.get("inputSchema")
    if kind == "tool" and isinstance(schema, dict) and not problems:
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            inner = "".join(f"/{p}" for p in exc.absolute_path)
            problems.append(f"/inputSchema{inner}: not a valid JSON Schema: {exc.message}")
    return value, problems


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
