"""Whether the store answers, for the admin's Health page."""

from __future__ import annotations

from typing import Protocol


class StorageProbe(Protocol):
    async def check(self) -> None:
        """Return when the store answers in time; raise StorageUnavailable otherwise."""
        ...
