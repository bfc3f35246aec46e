"""Pages of tools/list: walking the cursors yields every tool once, even while tools come and go."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mcp.shared.exceptions import MCPError

from dynamic_mcp.adapters.mcp.listing_pages import Key, decode_cursor, encode_cursor, page_bounds

KEYS = st.sets(st.tuples(st.text(max_size=4), st.sampled_from(["0a", "1b", "2c"])), max_size=30)


def walk(states: list[set[Key]], size: int) -> list[Key]:
    """Page through a listing whose state may change before each next page (the last state stays)."""
    seen: list[Key] = []
    cursor: str | None = None
    for turn in range(10_000):
        keys = sorted(states[min(turn, len(states) - 1)])
        start, end, cursor = page_bounds(keys, cursor, size)
        assert size <= 0 or end - start <= size
        seen.extend(keys[start:end])
        if cursor is None:
            return seen
    raise AssertionError("the pages never ended")


@given(KEYS, st.integers(min_value=0, max_value=7))
def test_the_pages_of_an_unchanged_listing_hold_each_tool_once_in_order(keys: set[Key], size: int) -> None:
    assert walk([keys], size) == sorted(keys)


@given(st.lists(KEYS, min_size=1, max_size=6), st.integers(min_value=1, max_value=5))
def test_a_tool_present_throughout_is_listed_exactly_once_whatever_changes_between_pages(
    states: list[set[Key]], size: int
) -> None:
    seen = walk(states, size)
    assert len(seen) == len(set(seen))  # nothing twice
    assert set.intersection(*states) <= set(seen)  # nothing that stayed is skipped
    assert set(seen) <= set.union(*states)  # nothing that never was


@given(st.tuples(st.text(), st.text()))
def test_a_cursor_names_its_key(key: Key) -> None:
    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize("cursor", ["", "!!", "bm9wZQ", encode_cursor(("a", "b")) + "x" * 2000, 7, ["a", "b"], "WzFd"])
def test_a_cursor_this_server_did_not_make_is_invalid_params(cursor: object) -> None:
    with pytest.raises(MCPError) as raised:
        decode_cursor(cursor)
    assert raised.value.error.code == -32602
