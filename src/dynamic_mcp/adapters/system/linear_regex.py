"""JSON Schema ``pattern`` matching on RE2, a regex engine whose running time is linear in the input.

Python's ``re`` backtracks: ``^(a+)+$`` against a few dozen characters takes seconds and holds the
event loop. RE2 never backtracks; the price is that it refuses lookaround and backreferences,
which a tool's schema therefore may not use (ADR 0009).

``jsonschema`` calls ``re.search`` from the modules listed in ``PATCHED_MODULES`` (``pattern``,
``patternProperties``, and the ``additionalProperties`` / ``unevaluatedProperties`` logic that
consults ``patternProperties``). ``install()`` points their ``re`` at this module's stand-in, so
every pattern a schema holds is matched by RE2; tests check that the list is complete.
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

import re2

PATCHED_MODULES = ("jsonschema._keywords", "jsonschema._utils", "jsonschema._legacy_keywords")

# ECMA-262 (the dialect JSON Schema names) writes a code point as \uXXXX; RE2 spells it \x{XXXX}.
# Only an unescaped backslash starts one: an even run of backslashes before it is literal.
_ECMA_U_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9A-Fa-f]{4})")


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern to stderr
    options.never_capture = True  # JSON Schema only asks "does it match"
    return options


_OPTIONS = _options()


class UnsupportedPattern(ValueError):
    """The pattern is not valid, or uses a construct (lookaround, backreference) RE2 refuses."""


@functools.lru_cache(maxsize=2048)
def compile_pattern(pattern: str) -> Any:
    translated = _ECMA_U_ESCAPE.sub(r"\1\\x{\2}", pattern)
    try:
        return re2.compile(translated, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise UnsupportedPattern(
            f"pattern {pattern!r} is not supported ({reason}); patterns run on a linear-time engine, "
            "which has no lookaround or backreferences"
        ) from None


def search(pattern: str, string: str, flags: int = 0) -> Any:
    """``re.search`` as jsonschema calls it, on RE2. A string that is not valid Unicode never matches."""
    if flags:
        raise UnsupportedPattern("regex flags are not supported")
    compiled = compile_pattern(pattern)
    try:
        return compiled.search(string)
    except UnicodeEncodeError:
        return None


class _LinearRe:
    """The part of the ``re`` module that jsonschema's keyword code uses."""

    search = staticmethod(search)
    error = UnsupportedPattern


LINEAR_RE = _LinearRe()


def install() -> None:
    for name in PATCHED_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "re", None) is not LINEAR_RE:
            module.re = LINEAR_RE  # type: ignore[attr-defined]
