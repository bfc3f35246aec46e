"""Checking call arguments against a tool's JSON Schema (SPEC §4.4, §10.4.4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class SchemaValidator(Protocol):
    def check_schema(self, schema: Mapping[str, Any]) -> str | None:
        """None when ``schema`` is a usable JSON Schema, else a message saying why not."""
        ...

    def validate(self, schema: Mapping[str, Any], instance: Mapping[str, Any]) -> str | None:
        """None when ``instance`` conforms, else a message naming the offending field."""
        ...
