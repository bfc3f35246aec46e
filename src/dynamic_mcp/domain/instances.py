"""Running server instances and the 2026-era listen streams each one holds, as every instance
sees them through the shared store (docs/deployment.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

MISSED_BEATS = 3
"""An instance that has not written its heartbeat for this many intervals is taken for gone."""


@attrs.frozen
class InstanceRecord:
    id: str
    version: str
    started_at: datetime
    last_beat: datetime
    expires_at: datetime

    def live(self, now: datetime) -> bool:
        return self.expires_at > now


@attrs.frozen
class ListenerRecord:
    """One ``subscriptions/listen`` stream. ``key`` is a random handle, not a credential: the
    stream itself is reached only through its own HTTP response."""

    key: str
    email: str
    instance: str
    client: str
    opened_at: datetime
    expires_at: datetime

    def live(self, now: datetime) -> bool:
        return self.expires_at > now


def lease(now: datetime, interval_seconds: float) -> datetime:
    """Until when a heartbeat written at ``now`` keeps an instance (and its listeners) listed."""
    return now + timedelta(seconds=interval_seconds * MISSED_BEATS)
