"""A test-call form generated from a tool's inputSchema, and the arguments read back from it."""

from __future__ import annotations

import json
from typing import Any

import attrs

from dynamic_mcp.adapters.http.console.forms import text

FIELD_PREFIX = "arg."
MAX_FIELDS = 50


@attrs.frozen
class Field:
    name: str
    label: str
    kind: str  # text | number | integer | boolean | choice | json
    required: bool
    description: str | None
    choices: tuple[str, ...] = ()
    default: str = ""

    @property
    def input_name(self) -> str:
        return FIELD_PREFIX + self.name


def _kind(spec: dict[str, Any]) -> str:
    if "enum" in spec and all(isinstance(v, str | int | float | bool) for v in spec["enum"]):
        return "choice"
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return {"string": "text", "number": "number", "integer": "integer", "boolean": "boolean"}.get(str(kind), "json")


def fields_of(schema: Any) -> list[Field]:
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return []
    required = set(schema.get("required") or [])
    fields = []
    for name, raw in list(schema["properties"].items())[:MAX_FIELDS]:
        spec = raw if isinstance(raw, dict) else {}
        kind = _kind(spec)
        default = spec.get("default")
        fields.append(
            Field(
                name=str(name),
                label=str(spec.get("title") or name),
                kind=kind,
                required=name in required,
                description=spec.get("description") if isinstance(spec.get("description"), str) else None,
                choices=tuple(json.dumps(v) if not isinstance(v, str) else v for v in spec.get("enum", ()))
                if kind == "choice"
                else (),
                default="" if default is None else (default if isinstance(default, str) else json.dumps(default)),
            )
        )
    return fields


def arguments_from(form: Any, fields: list[Field], schema: Any) -> tuple[dict[str, Any], list[str]]:
    """Typed arguments from the form; problems name the field. Empty optional fields are left out."""
    args: dict[str, Any] = {}
    problems: list[str] = []
    enums = {f.name: (schema.get("properties", {}).get(f.name) or {}).get("enum", []) for f in fields}
    for field in fields:
        raw = text(form, field.input_name, strip=field.kind != "text")
        if raw == "":
            continue
        try:
            if field.kind == "text":
                args[field.name] = raw
            elif field.kind == "integer":
                args[field.name] = int(raw)
            elif field.kind == "number":
                args[field.name] = float(raw) if any(c in raw for c in ".eE") else int(raw)
            elif field.kind == "boolean":
                args[field.name] = raw == "true"
            elif field.kind == "choice":
                args[field.name] = next(
                    v for v in enums[field.name] if (v if isinstance(v, str) else json.dumps(v)) == raw
                )
            else:
                args[field.name] = json.loads(raw)
        except (ValueError, StopIteration):
            problems.append(f"{field.label}: not a valid {field.kind} value")
    return args, problems
