"""The ``WWW-Authenticate`` challenge sent with every 401, on /mcp and on the REST API alike.

Clients such as the MCP Inspector assume OAuth when a 401 carries no challenge and hide the body;
an ``ApiKey`` challenge with the reason lets them show the real message.
"""

from __future__ import annotations

REALM = "dynamic-mcp"
MISSING = "invalid_request"
INVALID = "invalid_token"


def _quoted(text: str) -> str:
    # A quoted-string may not hold raw quotes, backslashes or control characters.
    return "".join(c for c in text if c.isprintable() and c not in '"\\')


def www_authenticate(error: str, description: str) -> str:
    return f'ApiKey realm="{REALM}", error="{_quoted(error)}", error_description="{_quoted(description)}"'
