"""Request bodies as the client sent them.

msgspec checks the declared fields' types but silently drops keys a TypedDict does not declare.
The use cases refuse unknown and fixed fields (``apiKey``, ``email``, ``name`` of a tool) with a
clear error, as the MCP tools do, so they must see those keys too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request

AnyRequest = Request[Any, Any, Any]


async def as_sent(request: AnyRequest, parsed: Mapping[str, Any]) -> dict[str, Any]:
    """The validated body plus every key the schema dropped (still to be refused by the use case)."""
    raw = await request.json()
    body = dict(parsed)
    if isinstance(raw, dict):
        body.update({key: value for key, value in raw.items() if key not in body})
    return body
