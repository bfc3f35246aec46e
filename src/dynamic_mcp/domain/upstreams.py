"""Upstream MCP servers whose tools are imported as dynamic-mcp tools (docs/upstreams.md).

An upstream is a record: where it is (a streamable HTTP URL), how to authenticate (headers shared
by every caller, or one token per user), how long to wait, which of its tools to import and under
what prefix. Header values and tokens are kept only sealed (encrypted); the domain never sees them
in plain text.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import attrs

from dynamic_mcp.domain.errors import Invalid

SHARED = "shared"
PER_USER = "per-user"
CREDENTIAL_MODES = (SHARED, PER_USER)
PROTOCOL_MODES = ("auto", "legacy", "2026-07-28")
"""The SDK client's modes: ``auto`` asks ``server/discover`` and falls back to ``initialize``."""

MCP_PACKAGE = "mcp"
"""The handler package that forwards a call to an upstream tool."""

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_CALL_TIMEOUT = 60.0
MAX_TIMEOUT = 600.0
MAX_HEADERS = 32
MAX_FILTERS = 100
MAX_PREFIX = 64

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 9110 token
_PREFIX = re.compile(r"[A-Za-z0-9_.-]*")
RESERVED_HEADERS = frozenset({"host", "content-length", "content-type", "mcp-session-id", "mcp-protocol-version"})


@attrs.frozen
class Upstream:
    name: str
    url: str
    creator: str
    credential_mode: str = SHARED
    sealed_headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    """Header name -> sealed value; sent with every call (in per-user mode under the user's token)."""
    protocol: str = "auto"
    connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT
    call_timeout_seconds: float = DEFAULT_CALL_TIMEOUT
    tool_filter: tuple[str, ...] = ()
    """Shell-style patterns of upstream tool names to import; empty imports every tool."""
    name_prefix: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def per_user(self) -> bool:
        return self.credential_mode == PER_USER

    def selects(self, tool_name: str) -> bool:
        return not self.tool_filter or any(fnmatch.fnmatchcase(tool_name, p) for p in self.tool_filter)

    def local_name(self, tool_name: str) -> str:
        return f"{self.name_prefix}{tool_name}"


@attrs.frozen
class UpstreamCredential:
    """One user's token for one per-user upstream, sealed."""

    upstream: str
    email: str
    sealed_token: str = attrs.field(repr=False)
    updated_at: datetime | None = None


def validate_upstream_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise Invalid("An upstream name is 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit")
    return name


def validate_url(url: object) -> str:
    if not isinstance(url, str) or not url or len(url) > 2048:
        raise Invalid("An upstream needs a url (an absolute http(s) URL of its streamable HTTP endpoint)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Invalid("The upstream url is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise Invalid("The upstream url must be an absolute http(s) URL")
    if parts.username or parts.password:
        raise Invalid("The upstream url must not carry credentials; use headers or per-user credentials")
    if any(c in url for c in "\r\n\x00 "):
        raise Invalid("The upstream url must not hold spaces, line breaks or NUL")
    return url


def validate_headers(headers: object) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, Mapping) or len(headers) > MAX_HEADERS:
        raise Invalid(f"headers must be an object of at most {MAX_HEADERS} header names to string values")
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name) or not isinstance(value, str):
            raise Invalid("headers must map header names (letters, digits, -_.!#$%&'*+^`|~) to string values")
        if name.lower() in RESERVED_HEADERS:
            raise Invalid(f"The header {name} is set by the MCP transport and cannot be configured")
        if any(c in value for c in "\r\n\x00") or len(value) > 8192:
            raise Invalid(f"The value of header {name} holds a line break or NUL, or is too long")
        checked[name.lower()] = value
    return checked


def validate_token(token: object) -> str:
    if not isinstance(token, str) or not token.strip() or len(token) > 8192:
        raise Invalid("A credential is a non-empty token of at most 8192 characters")
    if any(c in token for c in "\r\n\x00"):
        raise Invalid("A credential must not hold line breaks or NUL")
    return token.strip()


def _timeout(value: object, what: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_TIMEOUT:
        raise Invalid(f"{what} must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}")
    return float(value)


def _filters(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) > MAX_FILTERS:
        raise Invalid(f"toolFilter must be an array of at most {MAX_FILTERS} tool names or patterns")
    if not all(isinstance(p, str) and 0 < len(p) <= 256 for p in value):
        raise Invalid("toolFilter entries must be non-empty strings (tool names or shell-style patterns)")
    return tuple(value)


def upstream_from_definition(definition: Mapping[str, Any], creator: str) -> tuple[Upstream, dict[str, str]]:
    """A validated upstream (without sealed headers) and its plain headers, from camelCase fields."""
    known = {
        "name",
        "url",
        "headers",
        "credentialMode",
        "protocol",
        "connectTimeoutSeconds",
        "callTimeoutSeconds",
        "toolFilter",
        "namePrefix",
        "token",
    }
    unknown = sorted(str(k) for k in definition if k not in known)
    if unknown:
        raise Invalid(f"Unknown upstream fields: {', '.join(unknown)}")
    mode = definition.get("credentialMode") or SHARED
    if mode not in CREDENTIAL_MODES:
        raise Invalid(f"credentialMode must be one of {', '.join(CREDENTIAL_MODES)}")
    protocol = definition.get("protocol") or "auto"
    if protocol not in PROTOCOL_MODES:
        raise Invalid(f"protocol must be one of {', '.join(PROTOCOL_MODES)}")
    prefix = definition.get("namePrefix") or ""
    if not isinstance(prefix, str) or len(prefix) > MAX_PREFIX or not _PREFIX.fullmatch(prefix):
        raise Invalid(f"namePrefix is at most {MAX_PREFIX} letters, digits, '_', '.' or '-'")
    upstream = Upstream(
        name=validate_upstream_name(definition.get("name")),
        url=validate_url(definition.get("url")),
        creator=creator,
        credential_mode=str(mode),
        protocol=str(protocol),
        connect_timeout_seconds=_timeout(
            definition.get("connectTimeoutSeconds"), "connectTimeoutSeconds", DEFAULT_CONNECT_TIMEOUT
        ),
        call_timeout_seconds=_timeout(definition.get("callTimeoutSeconds"), "callTimeoutSeconds", DEFAULT_CALL_TIMEOUT),
        tool_filter=_filters(definition.get("toolFilter")),
        name_prefix=prefix,
    )
    return upstream, validate_headers(definition.get("headers"))


def describe(upstream: Upstream) -> dict[str, Any]:
    """What any door shows of an upstream: header names only, never a value."""
    return {
        "name": upstream.name,
        "url": upstream.url,
        "creator": upstream.creator,
        "credentialMode": upstream.credential_mode,
        "protocol": upstream.protocol,
        "headerNames": sorted(upstream.sealed_headers),
        "connectTimeoutSeconds": upstream.connect_timeout_seconds,
        "callTimeoutSeconds": upstream.call_timeout_seconds,
        "toolFilter": list(upstream.tool_filter),
        "namePrefix": upstream.name_prefix,
    }
