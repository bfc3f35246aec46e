"""Who to tell about a change: the users with a live session or listen stream on this instance
(docs/protocol.md, docs/deployment.md).

Only they can receive a notification here, and every instance sees every change (its own through
the use cases, the others' through the change feed), so each works out its audience among its own
live users, from a ``ReachIndex`` of their records: the cost follows the audience, not how many
users the server holds. A live user whose record is not at hand yet (just joined, or just changed)
counts as reached by everything until the record is read back: a spare ``list_changed`` is harmless,
a missing one is not.
"""

from __future__ import annotations

from collections.abc import Iterable

from dynamic_mcp.application.caching import CachedUserRepository
from dynamic_mcp.application.reach import ReachIndex
from dynamic_mcp.domain.events import ChangeEvent, UserChanged, UserSessionsRevoked
from dynamic_mcp.domain.visibility import Guarded


class LiveAudience:
    def __init__(self, users: CachedUserRepository) -> None:
        self._users = users
        self._holds: dict[str, int] = {}
        self._index = ReachIndex()
        self._unread: set[str] = set()
        self._generation: dict[str, int] = {}

    # -- fed by the session and listener registries ----------------------------------------------
    def join(self, email: str) -> None:
        """One more live session or listen stream of ``email`` here."""
        held = self._holds.get(email, 0)
        self._holds[email] = held + 1
        if held == 0:
            self._take(email)

    def leave(self, email: str) -> None:
        held = self._holds.get(email, 0) - 1
        if held > 0:
            self._holds[email] = held
            return
        self._holds.pop(email, None)
        self._index.remove(email)
        self._unread.discard(email)
        self._generation.pop(email, None)

    def live(self) -> frozenset[str]:
        return frozenset(self._holds)

    def __contains__(self, email: object) -> bool:
        return email in self._holds

    def _take(self, email: str) -> None:
        """Index the record at hand (a joining user was just authenticated, so it usually is)."""
        self._generation[email] = self._generation.get(email, 0) + 1
        record = self._users.cached(email)
        if record is None:
            self._index.remove(email)
            self._unread.add(email)
        else:
            self._index.put(record)
            self._unread.discard(email)

    async def on_event(self, event: ChangeEvent) -> None:
        if isinstance(event, UserChanged | UserSessionsRevoked) and event.email in self._holds:
            self._take(event.email)

    # -- audiences -------------------------------------------------------------------------------
    async def _read_unread(self) -> None:
        for email in list(self._unread):
            generation = self._generation.get(email)
            user = await self._users.get(email)
            if email not in self._unread or self._generation.get(email) != generation:
                continue  # changed again, or gone, while it was read: the newer state decides
            self._unread.discard(email)
            if user is not None:
                self._index.put(user)

    async def reached_by(self, items: Iterable[Guarded | None]) -> frozenset[str]:
        """Live users any of ``items`` reaches (before or after a change: pass both)."""
        await self._read_unread()
        return frozenset(self._index.reached_by(items) | self._unread)
