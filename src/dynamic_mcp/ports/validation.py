"""Checking call arguments against a tool's JSON Schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class SchemaValidator(Protocol):
    def check_schema(self, schema: Mapping[str, Any]) -> str | None:
        """None when ``schema`` is a usable JSON Schema, else a message saying why not.

        Usable means evaluating it can cause no I/O and cannot run away: only local references,
        and only patterns a linear-time regex engine accepts.
        """
        ...

    async def validate(self, schema: Mapping[str, Any], instance: Mapping[str, Any]) -> str | None:
        """None when ``instance`` conforms, else a message naming the offending field.

        Never blocks the event loop for long, and never raises for a schema stored earlier that
        today's ``check_schema`` would refuse: that is reported as a message too.
        """
        ...
