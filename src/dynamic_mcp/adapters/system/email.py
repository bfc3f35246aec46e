"""Email senders (docs/configuration.md)."""

from __future__ import annotations

import logging
from typing import Any

from dynamic_mcp.ports.email import EmailSender

log = logging.getLogger(__name__)

NOT_CONFIGURED = {"message": "Email service not configured. Set POSTMARK_API_TOKEN and SMTP_FROM to send email."}


class UnconfiguredEmailSender(EmailSender):
    """Used while POSTMARK_API_TOKEN and SMTP_FROM are unset: logs the attempt (never the body)."""

    delivers = False

    async def send_email(self, to: str, subject: str, html: str) -> dict[str, Any]:
        log.info("email not sent: email service not configured", extra={"to": to, "subject": subject})
        return dict(NOT_CONFIGURED)

    async def send_bulk_email(self, to: list[str], subject: str, html: str) -> dict[str, Any]:
        log.info("bulk email not sent: email service not configured", extra={"count": len(to)})
        return dict(NOT_CONFIGURED)
