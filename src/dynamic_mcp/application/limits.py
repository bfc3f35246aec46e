"""Per-user rate limits (docs/operations.md): the defaults from the settings, or the user's own
``rateLimits`` override, counted through the RateLimiter port."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamic_mcp.domain.limits import RateLimited, RateLimits
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.limits import RateLimiter
from dynamic_mcp.ports.metrics import Metrics, NoMetrics

OVERRIDE_NAMES = {"tool_calls": "toolCalls", "api": "api", "sessions": "sessions"}


class RateLimitService:
    def __init__(self, limiter: RateLimiter, defaults: RateLimits, metrics: Metrics | None = None) -> None:
        self._limiter = limiter
        self._defaults = defaults
        self._metrics: Metrics = metrics or NoMetrics()

    def limit_for(self, bucket: str, user: User) -> int:
        override = _override(user, bucket)
        return self._defaults.of(bucket) if override is None else override

    async def check(self, bucket: str, user: User) -> None:
        """Take one token of ``bucket`` for ``user``; RateLimited when none is left."""
        per_minute = self.limit_for(bucket, user)
        if per_minute <= 0:
            return
        wait = await self._limiter.acquire(bucket, user.email, per_minute)
        if wait is not None:
            self._metrics.rate_limited(bucket)
            raise RateLimited(bucket, wait)

    async def check_key(self, bucket: str, key: str, per_minute: int) -> None:
        """The same budget for a caller that is not a user yet (an address, before sign-in)."""
        if per_minute <= 0:
            return
        wait = await self._limiter.acquire(bucket, key, per_minute)
        if wait is not None:
            self._metrics.rate_limited(bucket)
            raise RateLimited(bucket, wait)


def _override(user: User, bucket: str) -> int | None:
    limits: Mapping[str, Any] | None = getattr(user, "rate_limits", None)
    if not limits:
        return None
    value = limits.get(OVERRIDE_NAMES[bucket])
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
