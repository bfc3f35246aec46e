"""Shares received by a user (docs/access.md)."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs


class AccessLevel(enum.StrEnum):
    READ = "read"
    WRITE = "write"


SYSTEM_SHARER = "system"


class ShareKind(enum.StrEnum):
    """What a share or a hide names: a tool (``creator:name``) or a resource (``creator:uri``)."""

    TOOL = "tool"
    RESOURCE = "resource"


@attrs.frozen
class Share:
    """One tool shared with the user who holds it.

    ``tool_id`` is a namespaced id (``creator:name``) or, in legacy data, a plain tool name.
    """

    tool_id: str
    shared_by: str
    access_level: AccessLevel = AccessLevel.READ
    shared_at: datetime | None = None

    @property
    def is_legacy(self) -> bool:
        return ":" not in self.tool_id


def with_share(shares: tuple[Share, ...], share: Share) -> tuple[Share, ...]:
    """Add ``share``, replacing any share of the same tool by the same sharer (docs/access.md invariant)."""
    kept = tuple(s for s in shares if (s.tool_id, s.shared_by) != (share.tool_id, share.shared_by))
    return (*kept, share)


def without_shares(shares: tuple[Share, ...], tool_ids: frozenset[str], shared_by: str | None) -> tuple[Share, ...]:
    """Drop shares of any of ``tool_ids``; only those by ``shared_by`` unless it is None (docs/access.md)."""
    return tuple(s for s in shares if not (s.tool_id in tool_ids and (shared_by is None or s.shared_by == shared_by)))
