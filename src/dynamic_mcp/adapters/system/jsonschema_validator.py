"""SchemaValidator on the ``jsonschema`` library (Draft 2020-12 unless the schema says otherwise)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jsonschema
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from dynamic_mcp.ports.validation import SchemaValidator


class JsonSchemaValidator(SchemaValidator):
    def check_schema(self, schema: Mapping[str, Any]) -> str | None:
        try:
            validator_for(schema, default=jsonschema.Draft202012Validator).check_schema(schema)
        except SchemaError as exc:
            return str(exc.message)
        return None

    def validate(self, schema: Mapping[str, Any], instance: Mapping[str, Any]) -> str | None:
        try:
            validator = _compiled(_freeze(schema))
        except SchemaError as exc:
            return f"the tool's inputSchema is invalid: {exc.message}"
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is None:
            return None
        path = ".".join(str(p) for p in error.absolute_path)
        return f"{path}: {error.message}" if path else error.message


def _freeze(value: Any) -> Any:
    """A hashable copy of a JSON value, so compiled validators can be cached per schema."""
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("__list__", *(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        if value and value[0] == "__list__":
            return [_thaw(v) for v in value[1:]]
        return {k: _thaw(v) for k, v in value}
    return value


@lru_cache(maxsize=4096)
def _compiled(frozen: Any) -> Any:
    schema = _thaw(frozen)
    cls = validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema)
