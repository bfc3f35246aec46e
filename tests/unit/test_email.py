"""Connection emails (docs/configuration.md): content, Postmark delivery over real HTTP, failures never fail the action."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from dynamic_mcp.adapters.system.postmark import PostmarkEmailSender
from dynamic_mcp.application.onboarding import ServerIdentity, connection_email
from dynamic_mcp.config import Settings
from dynamic_mcp.container import build_container


class Inbox(http.server.BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        Inbox.received.append((dict(self.headers), body))
        payload = json.dumps({"MessageID": "m-1", "ErrorCode": 0}).encode()
        self.send_response(Inbox.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def postmark() -> Iterator[str]:
    Inbox.received = []
    Inbox.status = 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Inbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_connection_email_escapes_every_value() -> None:
    identity = ServerIdentity(name="<srv>", url="https://mcp.example.com", admin_email="boss@example.com")
    subject, html = connection_email(identity, "a&b@example.com", "key<1>", "Hi <b>")
    assert subject == "Your MCP Server Connection Details for <srv>"
    assert "&lt;srv&gt;" in html and "a&amp;b@example.com" in html and "key&lt;1&gt;" in html
    assert "Hi &lt;b&gt;" in html and "<b>" not in html
    assert "https://mcp.example.com/mcp?apiKey=key&lt;1&gt;" in html
    assert "boss@example.com" in html


async def test_postmark_sender_posts_the_message(postmark: str) -> None:
    sender = PostmarkEmailSender("token-1", "from@example.com", base_url=postmark)
    assert (await sender.send_email("to@example.com", "S", "<p>x</p>"))["MessageID"] == "m-1"
    await sender.send_bulk_email(["a@example.com", "b@example.com"], "S", "<p>y</p>")
    (headers, single), (_, bulk) = Inbox.received
    assert headers["X-Postmark-Server-Token"] == "token-1"
    assert single == {"From": "from@example.com", "To": "to@example.com", "Subject": "S", "HtmlBody": "<p>x</p>"}
    assert bulk["To"] == "from@example.com" and bulk["Bcc"] == "a@example.com, b@example.com"


async def test_add_user_emails_the_key_and_a_failing_provider_does_not_fail_the_call(postmark: str) -> None:
    settings = Settings(
        admin_email="admin@example.com",
        admin_api_key="k",
        postmark_api_token="t",
        smtp_from="from@example.com",
        postmark_api_url=postmark,
        server_name="demo",
    )
    container = build_container(settings)
    await container.lifecycle().start()
    calls = container.call_service()
    outcome = await calls.call_tool("admin@example.com", "add-user", {"email": "new@example.com"})
    key = json.loads(outcome.text)["result"]["apiKey"]
    sent = [body for _, body in Inbox.received if body["To"] == "new@example.com"]
    assert len(sent) == 1 and key in sent[0]["HtmlBody"] and sent[0]["Subject"].endswith("for demo")
    Inbox.status = 422
    outcome = await calls.call_tool("admin@example.com", "add-user", {"email": "other@example.com"})
    assert not outcome.is_error


async def reset_message(settings: Settings) -> str:
    container = build_container(settings)
    await container.lifecycle().start()
    outcome = await container.call_service().call_tool("admin@example.com", "reset-api-key", {"userConfirmed": True})
    assert not outcome.is_error
    return str(json.loads(outcome.text)["message"])


async def test_reset_api_key_says_emailed_only_when_an_email_went_out(postmark: str) -> None:
    unconfigured = await reset_message(Settings(admin_email="admin@example.com", admin_api_key="k"))
    assert "emailed" not in unconfigured and "No email was sent" in unconfigured
    configured = Settings(
        admin_email="admin@example.com",
        admin_api_key="k",
        postmark_api_token="t",
        smtp_from="from@example.com",
        postmark_api_url=postmark,
    )
    assert "has been reset and emailed to the user" in await reset_message(configured)
    Inbox.status = 500
    refused = await reset_message(configured)
    assert "emailed" not in refused and "No email was sent" in refused
