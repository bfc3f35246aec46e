"""tools/list in pages (TOOLS_PAGE_SIZE): the official SDK clients of both eras walk nextCursor to
the whole listing, a change between two pages skips and repeats nothing that stayed, and a cursor
the server did not make is invalid params."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import mcp_types as types
import pytest
from mcp.client import Client
from mcp.shared.exceptions import MCPError

from tests.integration.harness import ADMIN_KEY, ServerProcess, call_ok, connect
from tests.integration.test_access import runtime_tool

PAGE = 4
MODERN = "2026-07-28"


@pytest.fixture(scope="module")
def paged() -> Iterator[ServerProcess]:
    process = ServerProcess({"TOOLS_PAGE_SIZE": str(PAGE)}).start()
    yield process
    process.stop()


def every_tool_name(server: ServerProcess) -> list[str]:
    """What the admin may use, from the REST door (no pages there)."""
    listed = httpx.get(f"{server.url}/api/v1/tools?limit=100", headers={"x-apikey": ADMIN_KEY}).json()
    items: list[dict[str, Any]] = listed.get("tools", listed) if isinstance(listed, dict) else listed
    return sorted(t["name"] for t in items)


async def pages_modern(c: Client, cursor: str | None = None) -> list[list[str]]:
    pages: list[list[str]] = []
    while True:
        result = await c.list_tools(cursor=cursor, cache_mode="refresh")
        pages.append([t.name for t in result.tools])
        cursor = result.next_cursor
        if cursor is None:
            return pages


async def test_both_eras_walk_the_cursors_to_the_whole_sorted_listing(paged: ServerProcess) -> None:
    async with connect(paged.url, ADMIN_KEY) as admin:
        for i in range(7):
            await admin.ok("add-tool", {"toolDefinition": runtime_tool(f"paged-{i}")})
        handshake: list[list[str]] = []
        cursor: str | None = None
        while True:
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            result = await admin.session.list_tools(params=params)
            handshake.append([t.name for t in result.tools])
            cursor = result.next_cursor
            if cursor is None:
                break
    async with Client(f"{paged.url}/mcp?apiKey={ADMIN_KEY}", mode=MODERN) as c:
        modern = await pages_modern(c)
    everything = every_tool_name(paged)
    for pages in (handshake, modern):
        assert all(len(p) == PAGE for p in pages[:-1]) and 0 < len(pages[-1]) <= PAGE, pages
        assert [name for page in pages for name in page] == everything  # sorted by name, each once
    assert handshake == modern


async def test_a_change_between_pages_moves_nothing_that_stayed(paged: ServerProcess) -> None:
    async with Client(f"{paged.url}/mcp?apiKey={ADMIN_KEY}", mode=MODERN) as c:
        for name in ("shift-b", "shift-d", "shift-f"):
            await call_ok(c, "add-tool", {"toolDefinition": runtime_tool(name)})
        before = every_tool_name(paged)
        first = await c.list_tools(cache_mode="refresh")
        assert first.next_cursor is not None
        # before the next page: one tool sorting before the cursor appears, one after it goes
        await call_ok(c, "add-tool", {"toolDefinition": runtime_tool("aaa-early")})
        await call_ok(c, "delete-tool", {"name": "shift-d"})
        rest = await pages_modern(c, first.next_cursor)
    seen = [t.name for t in first.tools] + [name for page in rest for name in page]
    assert len(seen) == len(set(seen))
    assert set(seen) == set(before) - {"shift-d"}


async def test_a_cursor_the_server_did_not_make_is_invalid_params(paged: ServerProcess) -> None:
    async with Client(f"{paged.url}/mcp?apiKey={ADMIN_KEY}", mode=MODERN) as c:
        with pytest.raises(MCPError) as modern:
            await c.list_tools(cursor="not-a-cursor", cache_mode="refresh")
    async with connect(paged.url, ADMIN_KEY) as admin:
        with pytest.raises(MCPError) as handshake:
            await admin.session.list_tools(params=types.PaginatedRequestParams(cursor="bm9wZQ"))
    for raised in (modern, handshake):
        assert raised.value.error.code == -32602
        assert "Invalid cursor" in raised.value.error.message
