"""The ``WWW-Authenticate`` challenge sent with every 401, on /mcp and on the REST API alike.

Clients such as the MCP Inspector assume OAuth when a 401 carries no challenge and hide the body;
an ``ApiKey`` challenge with the reason lets them show the real message. With OAuth on, a second
``Bearer`` challenge names the protected resource metadata (RFC 9728 section 5.1), so OAuth
clients discover the authorization server by themselves (docs/oauth.md).
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


def bearer_challenge(resource_metadata: str, error: str | None = None, description: str | None = None) -> str:
    parts = [f'resource_metadata="{_quoted(resource_metadata)}"', 'scope="mcp"']
    if error:
        parts.append(f'error="{_quoted(error)}"')
        if description:
            parts.append(f'error_description="{_quoted(description)}"')
    return "Bearer " + ", ".join(parts)


def challenge_headers(
    error: str, description: str, resource_metadata: str | None, *, token: bool = False
) -> list[tuple[bytes, bytes]]:
    """The ``ApiKey`` challenge, and the ``Bearer`` one when OAuth is on. A missing credential gets
    no Bearer error code (RFC 6750 section 3.1); a refused token gets ``invalid_token``."""
    headers = [(b"www-authenticate", www_authenticate(error, description).encode("latin-1", "replace"))]
    if resource_metadata:
        bearer_error = INVALID if token else None
        value = bearer_challenge(resource_metadata, bearer_error, description if token else None)
        headers.append((b"www-authenticate", value.encode("latin-1", "replace")))
    return headers
