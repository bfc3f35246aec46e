"""Time, so tests can be deterministic."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC, truncated to milliseconds (what BSON keeps)."""
        ...
