"""The order and the pages of tools/list (docs/protocol.md, "Listing pages").

One order for one state, whichever instance answers: by name, then by a digest of what the
client sees of the tool (tools of different creators may share a name). The catalogue's own
order follows the store and the order writes arrived in, so it may differ between instances;
the 2026 era, where consecutive requests land anywhere, always gets this order, and so does any
paged listing.

Pages (``TOOLS_PAGE_SIZE`` > 0, or a client sending a cursor): a cursor holds the order key of
the last tool of the page before, not a position, so the next page may be asked of any instance
and stays right when tools come and go between pages: what did not change is neither skipped
nor repeated.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import json
from collections.abc import Sequence

from mcp.shared.exceptions import MCPError

from dynamic_mcp.application.calls import ListedTool
from dynamic_mcp.application.catalog import MAX_CACHED_TOOL_ENTRIES, MAX_CACHED_TOOLSETS
from dynamic_mcp.application.lru import LruCache
from dynamic_mcp.application.memo import IdentityMemo

INVALID_PARAMS = -32602
MAX_CURSOR_CHARS = 1024
Key = tuple[str, str]
Listing = tuple[ListedTool, ...]


def _digest(tool: ListedTool) -> str:
    seen = [tool.description, tool.input_schema, tool.title, tool.annotations, tool.output_schema]
    text = json.dumps(seen, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class ListingOrder:
    """Sorts a listing once while it is unchanged (the same tuple comes back), with its keys."""

    def __init__(self) -> None:
        self._keys: IdentityMemo[ListedTool, Key] = IdentityMemo()
        self._sorted: LruCache[str, tuple[Listing, Listing, list[Key]]] = LruCache(
            MAX_CACHED_TOOLSETS, weigh=lambda e: 1 + 2 * len(e[1]), max_weight=MAX_CACHED_TOOL_ENTRIES
        )

    def key(self, tool: ListedTool) -> Key:
        return self._keys.get(tool) or self._keys.put(tool, (tool.name, _digest(tool)))

    def sorted(self, email: str, listing: Listing) -> tuple[Listing, list[Key]]:
        cached = self._sorted.get(email)
        if cached is not None and cached[0] is listing:
            return cached[1], cached[2]
        ordered = tuple(sorted(listing, key=self.key))
        keys = [self.key(t) for t in ordered]
        self._sorted.put(email, (listing, ordered, keys))
        return ordered, keys

    def __call__(self, email: str, listing: Listing) -> Listing:
        return self.sorted(email, listing)[0]


def encode_cursor(key: Key) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: object) -> Key:
    """The key a cursor holds; invalid params for anything this server did not make."""
    if isinstance(cursor, str) and len(cursor) <= MAX_CURSOR_CHARS:
        try:
            value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (binascii.Error, ValueError, RecursionError):
            value = None
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
            return value[0], value[1]
    raise MCPError(INVALID_PARAMS, "Invalid cursor")


def page_bounds(keys: Sequence[Key], cursor: object | None, size: int) -> tuple[int, int, str | None]:
    """[start, end) of the page after ``cursor`` (None: the first) in a sorted listing, and the
    cursor of the page after it (None: this is the last). ``size`` 0: the whole rest."""
    start = 0 if cursor is None else bisect.bisect_right(keys, decode_cursor(cursor))
    end = len(keys) if size <= 0 else min(start + size, len(keys))
    return start, end, encode_cursor(keys[end - 1]) if end < len(keys) else None
