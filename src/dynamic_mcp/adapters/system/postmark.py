"""Email through Postmark's HTTP API (docs/configuration.md), used when POSTMARK_API_TOKEN and SMTP_FROM are set."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from dynamic_mcp.ports.email import EmailSender

log = logging.getLogger(__name__)

POSTMARK_URL = "https://api.postmarkapp.com"
TIMEOUT_SECONDS = 10.0


class PostmarkEmailSender(EmailSender):
    delivers = True

    def __init__(self, token: str, sender: str, base_url: str = POSTMARK_URL) -> None:
        self._token = token
        self._sender = sender
        self._base_url = base_url.rstrip("/")

    async def _post(self, message: dict[str, Any]) -> dict[str, Any]:
        headers = {"X-Postmark-Server-Token": self._token, "Accept": "application/json"}
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            response = await client.post(f"{self._base_url}/email", json=message, headers=headers)
        if response.status_code >= 400:
            # Postmark explains itself in the body; never log the message (it may hold a key).
            log.warning("Postmark refused an email: HTTP %s %s", response.status_code, response.text[:200])
            response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def send_email(self, to: str, subject: str, html: str) -> dict[str, Any]:
        return await self._post({"From": self._sender, "To": to, "Subject": subject, "HtmlBody": html})

    async def send_bulk_email(self, to: list[str], subject: str, html: str) -> dict[str, Any]:
        """One message to the sender with the recipients in BCC (docs/configuration.md)."""
        return await self._post(
            {"From": self._sender, "To": self._sender, "Bcc": ", ".join(to), "Subject": subject, "HtmlBody": html}
        )
