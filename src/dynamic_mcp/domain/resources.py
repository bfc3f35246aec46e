"""Resources as data (docs/resources.md): fixed content, or content a handler package produces.

A resource is keyed by (creator, uri), like a tool by (creator, name). A *template* resource has
an RFC 6570 URI template instead of a URI and answers every URI that matches it. Who reaches a
resource is the one access rule of ``visibility.can_reach``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from dynamic_mcp.domain.documents import check_storable
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.tools import SYSTEM_CREATOR, HandlerRef

DEFAULT_MAX_RESOURCE_BYTES = 1024 * 1024
MAX_URI_LENGTH = 2048
MAX_LABEL_LENGTH = 4096
# RFC 3986 scheme, then anything but whitespace (templates add braces).
URI_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*")


@attrs.frozen
class Resource:
    uri: str
    """A URI, or for a template an RFC 6570 URI template."""
    name: str
    creator: str
    template: bool = False
    title: str | None = None
    description: str | None = None
    mime_type: str | None = None
    text: str | None = None
    blob: str | None = None
    """Base64, as MCP carries binary contents."""
    handler: HandlerRef | None = None
    roles_permitted: tuple[str, ...] | None = None
    always_visible: bool = False
    completions: Mapping[str, tuple[str, ...]] | None = None
    """For a template: suggested values per variable (``completion/complete``)."""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def resource_id(self) -> str:
        return f"{self.creator}:{self.uri}"

    @property
    def open_to_all(self) -> bool:
        return False  # the tools' rule: alwaysVisible keeps it from being hidden, grants no reach

    @property
    def share_names(self) -> tuple[str, str | None]:
        return self.resource_id, None  # no legacy plain-name shares for resources

    @property
    def size(self) -> int | None:
        """Bytes of the fixed content; None when a handler produces it."""
        if self.text is not None:
            return len(self.text.encode("utf-8"))
        if self.blob is not None:
            return len(base64.b64decode(self.blob))
        return None

    def is_package_resource(self, packages: frozenset[str]) -> bool:
        return self.creator == SYSTEM_CREATOR or self.creator in packages


def validate_uri(uri: object, *, template: bool) -> str:
    what = "uriTemplate" if template else "uri"
    if not isinstance(uri, str) or not uri:
        raise Invalid(f"A resource needs a {what}")
    if len(uri) > MAX_URI_LENGTH:
        raise Invalid(f"The {what} is too long (the limit is {MAX_URI_LENGTH} characters)")
    if not URI_PATTERN.fullmatch(uri):
        raise Invalid(f"The {what} must be an absolute URI with a scheme, without spaces (e.g. file:///notes.txt)")
    if not template and ("{" in uri or "}" in uri):
        raise Invalid("A uri cannot hold '{' or '}'; declare a uriTemplate for a resource template")
    check_storable(uri, what)
    return uri


def optional_label(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"{what} must be a string")
    if len(value) > MAX_LABEL_LENGTH:
        raise Invalid(f"{what} is too long (the limit is {MAX_LABEL_LENGTH} characters)")
    check_storable(value, what)
    return value


def validate_content(
    text: object, blob: object, handler: HandlerRef | None, *, template: bool, max_bytes: int
) -> tuple[str | None, str | None]:
    """Exactly one of text, blob or handler; fixed content at most ``max_bytes`` bytes."""
    given = [k for k, v in (("text", text), ("blob", blob), ("handler", handler)) if v is not None]
    if len(given) != 1:
        raise Invalid("A resource needs exactly one of text, blob (base64) or handler")
    if template and blob is not None:
        raise Invalid("A resource template takes text (with {{variable}} placeholders) or a handler, not a blob")
    if text is not None:
        if not isinstance(text, str):
            raise Invalid("text must be a string")
        if len(text) > max_bytes or len(text.encode("utf-8", errors="surrogatepass")) > max_bytes:
            raise Invalid(f"text is too large (the limit is {max_bytes} bytes, MAX_RESOURCE_BYTES)")
        check_storable(text, "text", max_size=max_bytes + 1)
        return text, None
    if blob is not None:
        if not isinstance(blob, str):
            raise Invalid("blob must be a base64 string")
        if len(blob) > (max_bytes + 2) // 3 * 4 + 4:
            raise Invalid(f"blob is too large (the limit is {max_bytes} bytes, MAX_RESOURCE_BYTES)")
        try:
            decoded = base64.b64decode(blob, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Invalid("blob must be valid base64") from exc
        if len(decoded) > max_bytes:
            raise Invalid(f"blob is too large (the limit is {max_bytes} bytes, MAX_RESOURCE_BYTES)")
        return None, blob
    return None, None


def contents_size(contents: Mapping[str, Any]) -> int:
    """Bytes of one produced content entry (text as UTF-8, blob decoded, estimated from base64)."""
    text = contents.get("text")
    if isinstance(text, str):
        return len(text.encode("utf-8"))
    blob = contents.get("blob")
    if isinstance(blob, str):
        return len(blob) * 3 // 4
    return 0


def validate_completions(value: object, variables: tuple[str, ...]) -> Mapping[str, tuple[str, ...]] | None:
    """``{variable: [value, ...]}`` naming only the template's variables."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()
    ):
        raise Invalid("completions must be an object of string lists, one per template variable")
    unknown = sorted(set(value) - set(variables))
    if unknown:
        raise Invalid(f"completions name variables the uriTemplate does not have: {', '.join(unknown)}")
    check_storable(dict(value), "completions")
    return {str(k): tuple(v) for k, v in value.items()}
