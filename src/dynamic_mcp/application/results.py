"""The success envelope of built-in tools (docs/access.md) and what tool handlers may return (docs/tools.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from dynamic_mcp.domain.errors import Invalid


@attrs.frozen
class ToolOutput:
    result: Any
    message: str | None = None
    next_steps: tuple[str, ...] | None = None

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"result": self.result}
        if self.message is not None:
            body["message"] = self.message
        if self.next_steps:
            body["nextSteps"] = list(self.next_steps)
        return body


# -- what a tool handler may return (docs/tools.md) -----------------------------------------------
RICH_KEYS = frozenset({"content", "structuredContent", "isError"})
# block type -> the string fields it must carry
BLOCK_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text",),
    "image": ("data", "mimeType"),
    "audio": ("data", "mimeType"),
    "resource": (),
    "resource_link": ("uri", "name"),
}
MAX_BLOCKS = 1000


@attrs.frozen
class RichResult:
    """A handler's MCP result: content blocks (wire-shaped dicts), structured content, error flag."""

    content: tuple[Mapping[str, Any], ...]
    structured: Mapping[str, Any] | None = None
    is_error: bool = False
    meta: Mapping[str, Any] | None = None

    def summary(self) -> str:
        """The blocks as one text, for doors that show text (the console)."""
        parts = []
        for block in self.content:
            if block["type"] == "text":
                parts.append(str(block["text"]))
            elif block["type"] == "resource_link":
                parts.append(f"[resource link {block['uri']}]")
            elif block["type"] == "resource":
                parts.append(f"[resource {block['resource'].get('uri')}]")
            else:
                parts.append(f"[{block['type']} {block.get('mimeType')}]")
        return "\n".join(parts)


def is_rich(output: object) -> bool:
    return isinstance(output, Mapping) and not RICH_KEYS.isdisjoint(output)


def envelope_text(output: Any) -> str:
    """Today's one text block: ``{result, message?, nextSteps?}`` as JSON (kept byte for byte)."""
    if isinstance(output, Mapping) and "result" in output:
        body = {k: output[k] for k in ("result", "message", "nextSteps") if output.get(k) is not None or k == "result"}
    else:
        body = {"result": output}
    return json.dumps(body, default=str, ensure_ascii=False)


def _check_block(block: object, where: str) -> Mapping[str, Any]:
    if not isinstance(block, Mapping) or block.get("type") not in BLOCK_FIELDS:
        raise Invalid(f"{where} must be an object whose type is one of {', '.join(BLOCK_FIELDS)}")
    kind = block["type"]
    missing = [f for f in BLOCK_FIELDS[kind] if not isinstance(block.get(f), str)]
    if missing:
        raise Invalid(f"{where} ({kind}) needs string field(s) {', '.join(missing)}")
    if kind == "resource":
        resource = block.get("resource")
        if (
            not isinstance(resource, Mapping)
            or not isinstance(resource.get("uri"), str)
            or not (isinstance(resource.get("text"), str) or isinstance(resource.get("blob"), str))
        ):
            raise Invalid(f"{where} (resource) needs resource: {{uri, text or blob}}")
    return block


def parse_rich(output: Mapping[str, Any]) -> RichResult:
    """Read ``{content?, structuredContent?, isError?, _meta?}`` (plus, optionally, the envelope keys).

    Without ``content`` the text block is the structured content as JSON (what the protocol asks
    for older clients), else the envelope text when ``result`` is given."""
    is_error = output.get("isError", False)
    if not isinstance(is_error, bool):
        raise Invalid("isError must be a boolean")
    structured = output.get("structuredContent")
    if structured is not None and not isinstance(structured, Mapping):
        raise Invalid("structuredContent must be an object")
    meta = output.get("_meta")
    if meta is not None and not isinstance(meta, Mapping):
        raise Invalid("_meta must be an object")
    raw = output.get("content")
    if raw is None:
        if structured is not None:
            text = json.dumps(structured, default=str, ensure_ascii=False)
        elif "result" in output:
            text = envelope_text(output)
        else:
            text = ""
        blocks: tuple[Mapping[str, Any], ...] = ({"type": "text", "text": text},)
    else:
        if not isinstance(raw, list | tuple) or len(raw) > MAX_BLOCKS:
            raise Invalid(f"content must be an array of at most {MAX_BLOCKS} content blocks")
        blocks = tuple(_check_block(b, f"content[{i}]") for i, b in enumerate(raw))
    return RichResult(
        blocks, dict(structured) if structured is not None else None, is_error, dict(meta) if meta is not None else None
    )
