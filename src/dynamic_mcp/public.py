"""Names of the public API (docs/tools.md), re-exported lazily by ``dynamic_mcp`` (its ``__all__``)."""

from __future__ import annotations

import logging
from typing import Any

from dynamic_mcp.adapters.system.email import UnconfiguredEmailSender
from dynamic_mcp.adapters.system.postmark import PostmarkEmailSender
from dynamic_mcp.api import DynamicMcpServer as DynamicMcpServer
from dynamic_mcp.application.packages import HandlerPackage as HandlerPackage
from dynamic_mcp.config import Settings
from dynamic_mcp.ports.email import EmailSender
from dynamic_mcp.ports.handlers import PromptContext as PromptContext
from dynamic_mcp.ports.handlers import ToolContext as ToolContext

ToolDefinition = dict[str, Any]
"""A tool definition with the original camelCase keys (docs/tools.md minus creator)."""
PromptDefinition = dict[str, Any]
HandlerOutput = dict[str, Any]
"""``{"result": ..., "message"?: str, "nextSteps"?: [str]}``."""
PromptOutput = dict[str, Any]
"""``{"description"?: str, "messages": [{"role": ..., "content": {...}}]}``."""

logger = logging.getLogger("dynamic_mcp")


def _sender() -> EmailSender:
    """Postmark when POSTMARK_API_TOKEN and SMTP_FROM are set, else a sender that only logs (docs/configuration.md)."""
    settings = Settings.from_env()
    if settings.postmark_api_token and settings.smtp_from:
        return PostmarkEmailSender(settings.postmark_api_token, settings.smtp_from, settings.postmark_api_url)
    return UnconfiguredEmailSender()


async def send_email(to: str, subject: str, html: str) -> dict[str, Any]:
    return await _sender().send_email(to, subject, html)


async def send_bulk_email(to: list[str], subject: str, html: str) -> dict[str, Any]:
    return await _sender().send_bulk_email(to, subject, html)
