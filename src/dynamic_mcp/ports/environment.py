"""Process environment, for ``{{ENV_NAME}}`` placeholders (docs/tools.md)."""

from __future__ import annotations

from typing import Protocol


class Environment(Protocol):
    def get(self, name: str) -> str | None: ...
