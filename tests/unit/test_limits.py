"""Per-user overrides and their validation; the limit service counts refusals."""

from __future__ import annotations

import pytest

from dynamic_mcp.adapters.memory.limits import InMemoryRateLimiter
from dynamic_mcp.application.limits import RateLimitService
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.limits import RateLimited, RateLimits, parse_rate_limits
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.metrics import NoMetrics


class Counting(NoMetrics):
    def __init__(self) -> None:
        self.refused: list[str] = []

    def rate_limited(self, bucket: str) -> None:
        self.refused.append(bucket)


async def test_a_users_override_wins_over_the_default_and_zero_turns_it_off() -> None:
    metrics = Counting()
    service = RateLimitService(InMemoryRateLimiter(), RateLimits(tool_calls=100, api=1, sessions=1), metrics)
    tight = User(email="t@x.com", rate_limits={"toolCalls": 1})
    await service.check("tool_calls", tight)
    with pytest.raises(RateLimited) as refused:
        await service.check("tool_calls", tight)
    assert refused.value.message.startswith("Rate limit exceeded; retry after ")
    free = User(email="f@x.com", rate_limits={"api": 0})
    for _ in range(5):
        await service.check("api", free)
    assert metrics.refused == ["tool_calls"]


@pytest.mark.parametrize("value", [[], "fast", {"calls": 1}, {"api": -1}, {"api": True}, {"api": 1.5}, {"api": 10**8}])
def test_bad_overrides_are_refused(value: object) -> None:
    with pytest.raises(Invalid):
        parse_rate_limits(value)


def test_good_overrides_are_kept_and_null_or_empty_clears() -> None:
    assert parse_rate_limits({"toolCalls": 10, "sessions": 0}) == {"toolCalls": 10, "sessions": 0}
    assert parse_rate_limits(None) is None
    assert parse_rate_limits({}) is None
