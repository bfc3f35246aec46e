"""``{{ name }}`` placeholders in handler config argument mappings (docs/tools.md).

A string that is exactly one placeholder takes the value itself (any JSON type); placeholders
inside a longer string become text. Substituted values are never scanned again, so a value that
happens to contain ``{{x}}`` cannot pull in anything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
WHOLE = re.compile(r"\s*\{\{\s*([^{}\s]+)\s*\}\}\s*")

Lookup = Callable[[str], Any]
MISSING: Any = object()


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, default=str)


def render(template: Any, lookup: Lookup) -> Any:
    """Resolve every placeholder in a nested structure of dicts, lists and scalars."""
    if isinstance(template, str):
        whole = WHOLE.fullmatch(template)
        if whole:
            return lookup(whole.group(1))
        return PLACEHOLDER.sub(lambda m: as_text(lookup(m.group(1))), template)
    if isinstance(template, Mapping):
        return {key: render(value, lookup) for key, value in template.items()}
    if isinstance(template, list | tuple):
        return [render(value, lookup) for value in template]
    return template


def chain(*sources: Mapping[str, Any] | Callable[[str], Any]) -> Lookup:
    """First source that has the name wins; else the empty string (docs/tools.md step 4).

    A source is a mapping, or a function returning MISSING for names it does not have.
    """

    def lookup(name: str) -> Any:
        for source in sources:
            if isinstance(source, Mapping):
                if name in source:
                    return source[name]
            else:
                value = source(name)
                if value is not MISSING:
                    return value
        return ""

    return lookup


def context_values(session_id: str | None, user_email: str) -> dict[str, Any]:
    """Facts about the caller that templates may use; never taken from the caller's input."""
    return {"sessionId": session_id, "userEmail": user_email}


def caller_lookup(
    arguments: Mapping[str, Any], context: Mapping[str, Any], *more: Mapping[str, Any] | Lookup
) -> Lookup:
    """Context first, then the arguments, then ``more``: an argument named ``userEmail`` cannot
    pose as the caller (ADR 0016)."""
    return chain(context, arguments, *more)


def with_context(arguments: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments a handler receives: a context name given as an argument holds the context's value."""
    return {key: context.get(key, value) for key, value in arguments.items()}


def argument_mapping(config: Mapping[str, Any]) -> Any:
    """``argMappings``, or its alias ``args`` when absent."""
    if "argMappings" in config:
        return config["argMappings"]
    return config.get("args")


def merge_mapped(arguments: Mapping[str, Any], mapped: Any) -> dict[str, Any]:
    """Input arguments plus mapped ones; on a top-level clash the mapped value wins (docs/compatibility.md)."""
    merged = dict(arguments)
    if isinstance(mapped, Mapping):
        merged.update(mapped)
    return merged
