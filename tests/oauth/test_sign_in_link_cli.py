"""``dynamic-mcp users sign-in-link EMAIL`` against the database: the link the command prints
signs that user in, once, on a server sharing the database (docs/oauth.md)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import httpx
from click.testing import CliRunner

from dynamic_mcp.api import DynamicMcpServer
from dynamic_mcp.cli import main
from dynamic_mcp.config import Settings
from tests.integration.harness import ADMIN_EMAIL, ADMIN_KEY, free_port
from tests.oauth.support import hidden


async def test_the_cli_prints_a_one_time_link_that_signs_the_user_in(
    mongo_uri: str, fresh_database_name: Callable[[str], str]
) -> None:
    port, database = free_port(), fresh_database_name("oauth-cli")
    url = f"http://127.0.0.1:{port}"
    env = {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": database,
        "MCP_ADMIN_EMAIL": ADMIN_EMAIL,
        "MCP_ADMIN_API_KEY": ADMIN_KEY,
        "OAUTH_ENABLED": "true",
        "MCP_SERVER_URL": url,
        "RATE_LIMIT_API": "0",
    }
    server = DynamicMcpServer(settings=Settings.from_env(env))
    await server.start(host="127.0.0.1", port=port)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30.0) as http:
            email = "linked@example.com"
            created = await http.post("/api/v1/users", json={"email": email}, headers={"x-apikey": ADMIN_KEY})
            assert created.status_code == 201
            result = await asyncio.to_thread(CliRunner().invoke, main, ["users", "sign-in-link", email], env=env)
            assert result.exit_code == 0, result.output
            link = re.search(r"http://\S+/console/oauth/link\?token=dmcp_sl_\S+", result.output)
            assert link, result.output
            page = await http.get(link.group(0))
            assert page.status_code == 200 and email in page.text
            form = {"csrf_token": hidden(page.text, "csrf_token"), "token": hidden(page.text, "token")}
            opened = await http.post("/console/oauth/link", data=form)
            assert opened.status_code == 303 and "dmcp_console" in opened.headers["set-cookie"]
            again = await http.get(link.group(0))
            assert again.status_code == 404
            missing = await asyncio.to_thread(
                CliRunner().invoke, main, ["users", "sign-in-link", "nobody@example.com"], env=env
            )
            assert missing.exit_code != 0 and "not found" in missing.output
    finally:
        await server.stop()
