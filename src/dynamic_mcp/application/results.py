"""The success envelope of built-in tools (docs/access.md)."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class ToolOutput:
    result: Any
    message: str | None = None
    next_steps: tuple[str, ...] | None = None

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"result": self.result}
        if self.message is not None:
            body["message"] = self.message
        if self.next_steps:
            body["nextSteps"] = list(self.next_steps)
        return body
