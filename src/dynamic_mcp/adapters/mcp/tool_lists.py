"""tools/list answered from wire forms made once per listed tool (docs/deployment.md).

The SDK validates and re-serializes every handler result against the protocol version's schema
(``mcp_types.methods.serialize_server_result``): for a user with 10,000 tools that pipeline costs
about half a second per tools/list. A tool's wire form changes only when the tool does, so this
middleware answers plain handshake-era tools/list requests itself, from wire dicts made by that
same SDK serializer once per listed tool and protocol version (the SDK's middleware contract
trusts a short-circuiting middleware to return the finished result). 2026-07-28 requests are
answered the same way, in the order the handler gives that era, with the envelope the SDK would
add there (``resultType``, the server's cache hint, the ``serverInfo`` stamp). Anything else - a
request the SDK must check or refuse - goes down the normal path to the handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import mcp_types as types
from mcp.server.context import CallNext, ServerRequestContext
from mcp.server.lowlevel import Server
from mcp_types import SERVER_INFO_META_KEY
from mcp_types.methods import serialize_server_result, validate_client_request
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

from dynamic_mcp.adapters.mcp.listing_pages import Key, ListingOrder, page_bounds
from dynamic_mcp.application.calls import ListedTool
from dynamic_mcp.application.catalog import MAX_CACHED_TOOL_ENTRIES, MAX_CACHED_TOOLSETS
from dynamic_mcp.application.lru import LruCache
from dynamic_mcp.application.memo import IdentityMemo

METHOD = "tools/list"
Wire = dict[str, Any]
Listing = tuple[ListedTool, ...]
MODERN_FIELDS: Wire = {"resultType": "complete", "ttlMs": 0, "cacheScope": "private"}


def _answerable(ctx: ServerRequestContext[Any, Any]) -> bool:
    """A tools/list with params the SDK accepts: of the 2026 era, or on an initialized
    handshake-era connection."""
    version = ctx.protocol_version
    if ctx.method != METHOD:
        return False
    if version in HANDSHAKE_PROTOCOL_VERSIONS:
        if ctx.session.client_params is None:
            return False
    elif version not in MODERN_PROTOCOL_VERSIONS:
        return False
    try:
        validate_client_request(METHOD, version, ctx.params)
    except Exception:
        return False  # the SDK's own path produces the right error
    return True


def _modern_envelope(server: Server[Any], version: str) -> Wire:
    """What the SDK adds to a 2026-era result after the handler: the type, the cache hint, the stamp."""
    fields: Wire = {"tools": [], "resultType": "complete"}
    hint = server.cache_hints.get(METHOD)
    if hint is not None:
        fields.update(ttlMs=hint.ttl_ms, cacheScope=hint.scope)
    envelope = serialize_server_result(METHOD, version, fields)
    envelope["_meta"] = {SERVER_INFO_META_KEY: server.server_info_stamp}
    return envelope


def serve_tool_lists(
    listing_of: Callable[[ServerRequestContext[Any, Any]], Awaitable[tuple[str, Listing]]],
    to_mcp: Callable[[ListedTool], types.Tool],
    server: Server[Any],
    order: ListingOrder,
    page_size: int = 0,
) -> Any:
    """Middleware over the tools/list handler's own pieces: ``listing_of`` gives the caller's email
    and listing (the same tuple while nothing changed), ``to_mcp`` maps one listed tool, and
    ``order`` sorts a listing for the 2026 era and for pages (again the same tuple while
    unchanged); ``page_size`` > 0 splits listings into pages (listing_pages.py)."""
    wire_tools: IdentityMemo[ListedTool, dict[str, Wire]] = IdentityMemo()
    envelopes: dict[str, Wire] = {}
    # email -> (the listing, protocol version, its wire tools): like the toolsets they come from
    lists: LruCache[str, tuple[Listing, str, list[Wire]]] = LruCache(
        MAX_CACHED_TOOLSETS, weigh=lambda e: 1 + len(e[2]), max_weight=MAX_CACHED_TOOL_ENTRIES
    )

    def wire(tool: ListedTool, version: str) -> Wire:
        by_version = wire_tools.get(tool) or wire_tools.put(tool, {})
        found = by_version.get(version)
        if found is None:
            dumped = to_mcp(tool).model_dump(by_alias=True, mode="json", exclude_none=True)
            # A 2026-era list result must carry its type and cache fields; the handshake era has neither.
            fields = {"tools": [dumped], **(MODERN_FIELDS if version in MODERN_PROTOCOL_VERSIONS else {})}
            found = by_version[version] = serialize_server_result(METHOD, version, fields)["tools"][0]
        return found

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> Any:
        if not _answerable(ctx):
            return await call_next(ctx)
        version = ctx.protocol_version
        modern = version in MODERN_PROTOCOL_VERSIONS
        email, listing = await listing_of(ctx)
        cursor = (ctx.params or {}).get("cursor")
        paged = page_size > 0 or cursor is not None
        keys: list[Key] = []
        if modern or paged:
            listing, keys = order.sorted(email, listing)
        cached = lists.get(email)
        if cached is not None and cached[0] is listing and cached[1] == version:
            tools = cached[2]
        else:
            tools = [wire(t, version) for t in listing]
            lists.put(email, (listing, version, tools))
        envelope = envelopes.get(version)
        if envelope is None:
            envelope = envelopes[version] = (
                _modern_envelope(server, version) if modern else serialize_server_result(METHOD, version, {"tools": []})
            )
        if not paged:
            # The cached dicts and list go out read-only: the SDK copies the result and only encodes it.
            return {**envelope, "tools": tools}
        start, end, next_cursor = page_bounds(keys, cursor, page_size)
        page: Wire = {**envelope, "tools": tools[start:end]}
        if next_cursor is not None:
            page["nextCursor"] = next_cursor
        return page

    return middleware
