"""Where a request carries its API key (docs/access.md), in order of precedence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

QUERY_NAMES = ("apiKey", "apikey")
HEADER_NAMES = (b"x-apikey", b"apikey")


def api_key_from_scope(scope: Mapping[str, Any], *, allow_query: bool) -> str | None:
    if allow_query:
        query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
        for name in QUERY_NAMES:
            values = query.get(name)
            if values and values[0]:
                return str(values[0])
    headers: dict[bytes, bytes] = dict(scope.get("headers") or [])
    for raw_name in HEADER_NAMES:
        value = headers.get(raw_name)
        if value:
            return value.decode("latin-1").strip() or None
    auth = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None
