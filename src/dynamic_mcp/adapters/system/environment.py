"""The real process environment."""

from __future__ import annotations

import os

from dynamic_mcp.ports.environment import Environment


class OsEnvironment(Environment):
    def get(self, name: str) -> str | None:
        return os.environ.get(name)
