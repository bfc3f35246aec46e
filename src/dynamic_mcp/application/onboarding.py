"""Connection-instruction emails (docs/configuration.md)."""

from __future__ import annotations

import html
import json
import logging

import attrs

from dynamic_mcp.ports.email import EmailSender

log = logging.getLogger(__name__)


@attrs.frozen
class ServerIdentity:
    name: str
    url: str
    admin_email: str


def connection_email(identity: ServerIdentity, email: str, api_key: str, intro: str) -> tuple[str, str]:
    """(subject, html body) with every value HTML-escaped."""
    snippet = json.dumps({"mcpServers": {identity.name: {"url": f"{identity.url}/mcp?apiKey={api_key}"}}})
    esc = html.escape
    body = (
        f"<p>{esc(intro)}</p>"
        f"<p>Email: {esc(email)}<br>API key: <code>{esc(api_key)}</code><br>"
        f"Server URL: {esc(identity.url)}/mcp</p>"
        f"<p>Client configuration:</p><pre>{esc(snippet)}</pre>"
        f"<p>Questions? Contact {esc(identity.admin_email)}.</p>"
    )
    return f"Your MCP Server Connection Details for {identity.name}", body


class Onboarding:
    def __init__(self, sender: EmailSender, identity: ServerIdentity) -> None:
        self._sender = sender
        self._identity = identity

    async def send_key(self, email: str, api_key: str, intro: str) -> bool:
        """Send instructions; True when an email went out. A failure is logged and never fails the
        caller's action."""
        subject, body = connection_email(self._identity, email, api_key, intro)
        try:
            await self._sender.send_email(email, subject, body)
        except Exception:  # any provider failure: the key was issued, the call must succeed
            log.warning("could not send connection email", extra={"to": email}, exc_info=True)
            return False
        return self._sender.delivers
