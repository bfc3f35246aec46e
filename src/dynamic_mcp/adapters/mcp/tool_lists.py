"""tools/list answered from wire forms made once per listed tool (SPEC §11.8).

The SDK validates and re-serializes every handler result against the protocol version's schema
(``mcp_types.methods.serialize_server_result``): for a user with 10,000 tools that pipeline costs
about half a second per tools/list. A tool's wire form changes only when the tool does, so this
middleware answers plain handshake-era tools/list requests itself, from wire dicts made by that
same SDK serializer once per listed tool and protocol version (the SDK's middleware contract
trusts a short-circuiting middleware to return the finished result). Anything else - a request
the SDK must check or refuse, the 2026 envelope - goes down the normal path to the handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import mcp_types as types
from mcp.server.context import CallNext, ServerRequestContext
from mcp_types.methods import serialize_server_result, validate_client_request
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from dynamic_mcp.application.calls import ListedTool
from dynamic_mcp.application.catalog import MAX_CACHED_TOOLSETS
from dynamic_mcp.application.memo import IdentityMemo

METHOD = "tools/list"
Wire = dict[str, Any]
Listing = tuple[ListedTool, ...]


def _answerable(ctx: ServerRequestContext[Any, Any]) -> bool:
    """A handshake-era tools/list on an initialized connection, with params the SDK accepts."""
    version = ctx.protocol_version
    if ctx.method != METHOD or version not in HANDSHAKE_PROTOCOL_VERSIONS or ctx.session.client_params is None:
        return False
    try:
        validate_client_request(METHOD, version, ctx.params)
    except Exception:
        return False  # the SDK's own path produces the right error
    return True


def serve_tool_lists(
    listing_of: Callable[[ServerRequestContext[Any, Any]], Awaitable[tuple[str, Listing]]],
    to_mcp: Callable[[ListedTool], types.Tool],
) -> Any:
    """Middleware over the tools/list handler's own pieces: ``listing_of`` gives the caller's email
    and listing (the same tuple while nothing changed), ``to_mcp`` maps one listed tool."""
    wire_tools: IdentityMemo[ListedTool, dict[str, Wire]] = IdentityMemo()
    envelopes: dict[str, Wire] = {}
    # email -> (the listing, protocol version, its wire tools): like the toolsets they come from
    lists: dict[str, tuple[Listing, str, list[Wire]]] = {}

    def wire(tool: ListedTool, version: str) -> Wire:
        by_version = wire_tools.get(tool) or wire_tools.put(tool, {})
        found = by_version.get(version)
        if found is None:
            dumped = to_mcp(tool).model_dump(by_alias=True, mode="json", exclude_none=True)
            found = by_version[version] = serialize_server_result(METHOD, version, {"tools": [dumped]})["tools"][0]
        return found

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> Any:
        if not _answerable(ctx):
            return await call_next(ctx)
        version = ctx.protocol_version
        email, listing = await listing_of(ctx)
        cached = lists.get(email)
        if cached is not None and cached[0] is listing and cached[1] == version:
            tools = cached[2]
        else:
            tools = [wire(t, version) for t in listing]
            if len(lists) >= MAX_CACHED_TOOLSETS:
                lists.clear()
            lists[email] = (listing, version, tools)
        envelope = envelopes.get(version)
        if envelope is None:
            envelope = envelopes[version] = serialize_server_result(METHOD, version, {"tools": []})
        # The cached dicts and list go out read-only: the SDK copies the result and only encodes it.
        return {**envelope, "tools": tools}

    return middleware
