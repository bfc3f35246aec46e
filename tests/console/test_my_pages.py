"""Every user's own pages: Connect a client (configs with this server's URL), My key (the prefix,
never the key) and the shares they received on My tools."""

from __future__ import annotations

import html

from tests.console.conftest import ADMIN, Browser, add_user
from tests.console.test_tools_pages import GREET, create

CLIENTS = ("Claude Code", "Claude Desktop", "VS Code", "Cursor", "MCP Inspector")


def test_connect_offers_ready_configs_with_the_server_url(admin: Browser) -> None:
    user = Browser(admin.client)
    user.sign_in(add_user(admin, "cora@example.com", "user"))
    page = html.unescape(user.get("/console/connect").text)
    url = "http://testserver.local/mcp"
    assert f'<code id="mcp-url">{url}</code>' in page
    for client in CLIENTS:
        assert f">{client}</h2>" in page, client
        assert f">{client} configuration</label>" in page, client
    configs = page.split("<textarea")[1:]
    assert len(configs) == len(CLIENTS) and all(url in c for c in configs)


def test_my_key_shows_only_the_prefix_of_the_key(admin: Browser) -> None:
    key = add_user(admin, "kay@example.com", "user")
    user = Browser(admin.client)
    user.sign_in(key)
    page = user.get("/console/my-key").text
    assert "kay@example.com" in page and key not in page
    prefix = page.split("Your API key starts with <code>", 1)[1].split("…", 1)[0]
    assert prefix and key.startswith(prefix) and len(prefix) < len(key) // 2


def test_my_tools_lists_the_shares_received(admin: Browser) -> None:
    create(admin, GREET)
    key = add_user(admin, "rex@example.com", "user")
    admin.post(f"/console/tools/{ADMIN}:greet/share", {"email": "rex@example.com", "access_level": "read"})
    user = Browser(admin.client)
    user.sign_in(key)
    page = html.unescape(user.get("/console/my-tools").text)
    assert f"{ADMIN}:greet</a> — read, from {ADMIN}" in page
