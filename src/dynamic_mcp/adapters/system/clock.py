"""Wall-clock time in the form every store keeps: aware UTC, millisecond precision."""

from __future__ import annotations

from datetime import UTC, datetime

from dynamic_mcp.ports.clock import Clock


class SystemClock(Clock):
    def now(self) -> datetime:
        now = datetime.now(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)
