"""The storable-value rule matches what BSON can encode, and every door applies it."""

from __future__ import annotations

from typing import Any

import bson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynamic_mcp.domain.documents import MAX_DOCUMENT_DEPTH, check_storable
from dynamic_mcp.domain.errors import Invalid

from .support import Caller, tool_definition

# Text with the characters BSON cares about made likely: NUL and lone surrogates.
text = st.text(alphabet=st.sampled_from(["a", "é", "\x00", "\ud800", "\udfff", "$", "."]) | st.characters(), max_size=6)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=12
)


def bson_can_store(value: Any) -> bool:
    try:
        bson.encode({"v": value})
    except (bson.errors.InvalidDocument, bson.errors.InvalidStringData, OverflowError, UnicodeEncodeError):
        return False
    return True


@given(values)
def test_the_rule_accepts_exactly_what_bson_can_store(value: Any) -> None:
    try:
        check_storable(value, "value")
    except Invalid:
        accepted = False
    else:
        accepted = True
    assert accepted == bson_can_store(value)


def test_infinity_is_refused_as_json_cannot_carry_it() -> None:
    with pytest.raises(Invalid, match="NaN or infinity"):
        check_storable({"x": float("inf")}, "value")


def test_nesting_is_capped_without_recursion() -> None:
    value: Any = 1
    for _ in range(50_000):
        value = [value]
    with pytest.raises(Invalid, match=f"the limit is {MAX_DOCUMENT_DEPTH} levels"):
        check_storable(value, "value")


async def test_mcp_add_tool_refuses_a_nul_key_like_rest(power: Caller) -> None:
    definition = tool_definition("nul", handler={"type": "test-echo", "config": {"a\x00": 1}})
    assert "NUL" in await power.fails("add-tool", toolDefinition=definition)


async def test_mcp_list_users_bounds_skip(admin: Caller) -> None:
    assert "skip must be at most" in await admin.fails("list-users", skip=2**63)
    assert "skip must be at most" in await admin.fails("list-users", skip=1e20)
