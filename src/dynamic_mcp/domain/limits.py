"""Token buckets (docs/operations.md): ``per_minute`` tokens refill evenly over a minute, and a
full bucket holds one minute's worth, so a quiet client may burst that much at once."""

from __future__ import annotations

import math
from typing import Any

import attrs

from dynamic_mcp.domain.errors import Invalid

BUCKETS = ("tool_calls", "api", "sessions")


@attrs.frozen
class Bucket:
    tokens: float
    updated: float
    """Seconds on a monotonic or wall clock; only differences matter."""


def refill(bucket: Bucket | None, now: float, per_minute: int) -> Bucket:
    if bucket is None:
        return Bucket(float(per_minute), now)
    elapsed = max(0.0, now - bucket.updated)
    return Bucket(min(float(per_minute), bucket.tokens + elapsed * per_minute / 60.0), now)


def take(bucket: Bucket, count: float = 1.0) -> tuple[Bucket | None, Bucket]:
    """(the bucket after taking ``count``, or None when there are not enough tokens; the bucket as is)."""
    if bucket.tokens >= count:
        return Bucket(bucket.tokens - count, bucket.updated), bucket
    return None, bucket


def retry_after(tokens: float, per_minute: int, needed: float = 1.0) -> int:
    """Whole seconds until ``needed`` tokens are back (at least 1)."""
    missing = max(0.0, needed - tokens)
    return max(1, math.ceil(missing * 60.0 / per_minute))


@attrs.frozen
class RateLimits:
    """Requests per minute for one user; 0 turns a limit off."""

    tool_calls: int
    api: int
    sessions: int

    def of(self, bucket: str) -> int:
        return int(getattr(self, bucket))


@attrs.frozen
class RateLimited(Exception):
    bucket: str
    retry_after: int

    @property
    def message(self) -> str:
        return f"Rate limit exceeded; retry after {self.retry_after} s"


OVERRIDE_KEYS = ("toolCalls", "api", "sessions")
MAX_PER_MINUTE = 10_000_000


def parse_rate_limits(value: Any) -> dict[str, int] | None:
    """A user's ``rateLimits`` override: null clears it; each given key is requests per minute (0: off)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid('rateLimits must be an object like {"toolCalls": 120, "api": 60, "sessions": 10} or null')
    unknown = sorted(set(value) - set(OVERRIDE_KEYS))
    if unknown:
        raise Invalid(f"Unknown rateLimits key(s): {', '.join(map(str, unknown))}. Allowed: {', '.join(OVERRIDE_KEYS)}")
    limits: dict[str, int] = {}
    for key, amount in value.items():
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_PER_MINUTE:
            raise Invalid(f"rateLimits.{key} must be an integer between 0 and {MAX_PER_MINUTE}")
        limits[key] = amount
    return limits or None
