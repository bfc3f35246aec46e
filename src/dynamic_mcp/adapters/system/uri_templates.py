"""URI templates through the MCP SDK's RFC 6570 implementation (expansion and linear-time matching)."""

from __future__ import annotations

import functools

from mcp.shared.uri_template import InvalidUriTemplate, UriTemplate

from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.ports.uri_templates import UriTemplates

MAX_VARIABLES = 32


@functools.lru_cache(maxsize=4096)
def _parse(template: str) -> UriTemplate:
    return UriTemplate.parse(template, max_variables=MAX_VARIABLES)


class SdkUriTemplates(UriTemplates):
    def variables(self, template: str) -> tuple[str, ...]:
        try:
            parsed = _parse(template)
        except (InvalidUriTemplate, ValueError) as exc:
            raise Invalid(f"uriTemplate is not a valid RFC 6570 template: {exc}") from exc
        if not parsed.variable_names:
            raise Invalid("uriTemplate has no {variable}; declare a plain uri instead")
        return tuple(parsed.variable_names)

    def match(self, template: str, uri: str) -> dict[str, str] | None:
        try:
            found = _parse(template).match(uri)
        except (InvalidUriTemplate, ValueError):
            return None
        if found is None:
            return None
        return {k: v if isinstance(v, str) else "/".join(v) for k, v in found.items()}
