"""Rules for the JSON values users store (schemas, handler configs, annotations, prompt fields).

Every store must be able to keep what the rules accept, so the rules follow the strictest one
(BSON): object keys are strings without the NUL character, no string holds a lone UTF-16
surrogate (BSON strings are UTF-8), and integers fit in 64 bits. Nesting and size are capped so a
value cannot exhaust the stack or memory of whoever walks it later. The walk is iterative: a value
nested deeper than Python's recursion limit is refused, not crashed on.
"""

from __future__ import annotations

from collections.abc import Mapping

from dynamic_mcp.domain.errors import Invalid

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_DOCUMENT_DEPTH = 32
MAX_DOCUMENT_SIZE = 256 * 1024  # characters of strings and keys, plus one per value


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_storable(
    value: object, what: str, *, max_depth: int = MAX_DOCUMENT_DEPTH, max_size: int = MAX_DOCUMENT_SIZE
) -> None:
    """Raise Invalid (naming ``what`` and the limit) unless ``value`` is JSON every store can keep."""
    size = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        size += 1
        if isinstance(item, Mapping | list | tuple):
            if depth >= max_depth:
                raise Invalid(f"{what} is nested too deeply (the limit is {max_depth} levels)")
            if isinstance(item, Mapping):
                for key, child in item.items():
                    if not isinstance(key, str):
                        raise Invalid(f"{what} has a key that is not a string")
                    if "\x00" in key:
                        raise Invalid(f"{what} has a key holding the NUL character, which cannot be stored")
                    if _has_surrogate(key):
                        raise Invalid(f"{what} has a key that is not valid Unicode (a lone surrogate)")
                    size += len(key)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            size += len(item)
            if _has_surrogate(item):
                raise Invalid(f"{what} holds a string that is not valid Unicode (a lone surrogate)")
        elif isinstance(item, bool) or item is None:
            pass
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                raise Invalid(f"{what} holds an integer outside the 64-bit range")
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                raise Invalid(f"{what} holds a number JSON cannot represent (NaN or infinity)")
        else:
            raise Invalid(f"{what} holds a value that is not JSON ({type(item).__name__})")
        if size > max_size:
            raise Invalid(f"{what} is too large (the limit is {max_size} characters)")
