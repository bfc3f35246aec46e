"""Where a request carries its API key (SPEC §7.2), in order of precedence."""

from __future__ import annotations

from urllib.parse import parse_qs

QUERY_NAMES = ("apiKey", "apikey")
HEADER_NAMES = (b"x-apikey", b"apikey")


def api_key_from_scope(scope: dict, *, allow_query: bool) -> str | None:  # type: ignore[type-arg]
    if allow_query:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        for name in QUERY_NAMES:
            if query.get(name) and query[name][0]:
                return query[name][0]
    headers = dict(scope.get("headers") or [])
    for name in HEADER_NAMES:
        if headers.get(name):
            return headers[name].decode("latin-1").strip() or None
    auth = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None
