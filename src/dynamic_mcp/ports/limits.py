"""Counting requests against per-user budgets (docs/operations.md)."""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    async def acquire(self, bucket: str, key: str, per_minute: int) -> int | None:
        """None when a token was taken, else the seconds to wait before one is back."""
        ...
