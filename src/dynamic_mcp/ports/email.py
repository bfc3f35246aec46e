"""Outbound email (docs/configuration.md). Failures never fail the action that triggered them."""

from __future__ import annotations

from typing import Any, Protocol


class EmailSender(Protocol):
    @property
    def delivers(self) -> bool:
        """False for a sender that only logs because no email service is configured."""
        ...

    async def send_email(self, to: str, subject: str, html: str) -> dict[str, Any]: ...

    async def send_bulk_email(self, to: list[str], subject: str, html: str) -> dict[str, Any]: ...
