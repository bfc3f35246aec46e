"""The store's change feed: every write by any writer (this process, another instance, the CLI),
as the stored state before and after it, so each instance can refresh its caches and tell its own
clients (docs/deployment.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

import attrs

from dynamic_mcp.domain.prompts import Prompt
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import User


@attrs.frozen
class StoredChange:
    """Common to every change: when it was written, and whether this very process wrote it.

    ``before_known`` is False when the store could not say what the record was before the write
    (then ``before`` is None even though a record may have existed).
    """

    written_at: datetime | None
    own: bool
    before_known: bool


@attrs.frozen
class UserStored(StoredChange):
    before: User | None
    after: User | None


@attrs.frozen
class ToolStored(StoredChange):
    before: Tool | None
    after: Tool | None


@attrs.frozen
class PromptStored(StoredChange):
    before: Prompt | None
    after: Prompt | None


@attrs.frozen
class ResourceStored(StoredChange):
    before: Resource | None
    after: Resource | None


@attrs.frozen
class StoreReset:
    """The feed lost track (history gone, collection dropped, unreadable record): nothing cached
    from the store can be trusted any more. Only sent once the feed follows again."""

    reason: str


Change = UserStored | ToolStored | PromptStored | ResourceStored | StoreReset


class ChangeFeed(Protocol):
    async def open(self) -> bool:
        """Start following: writes acknowledged after this returns are all delivered. False when
        the store cannot feed changes (e.g. a standalone MongoDB); the reason is logged."""
        ...

    def changes(self) -> AsyncIterator[Change]:
        """Changes in write order, forever; resumes by itself after the store comes back."""
        ...

    async def close(self) -> None: ...
