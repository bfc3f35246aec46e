"""Properties of argument templating (docs/tools.md)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dynamic_mcp.domain.templating import PLACEHOLDER, argument_mapping, chain, merge_mapped, render

NAMES = st.sampled_from(["a", "b", "count", "userEmail", "sessionId", "HOME_DIR", "missing"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))
PLAIN_TEXT = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=12)
PIECE = st.one_of(PLAIN_TEXT, NAMES.map(lambda n: "{{ " + n + " }}"), NAMES.map(lambda n: "{{" + n + "}}"))
TEMPLATE_STRINGS = st.lists(PIECE, max_size=5).map("".join)
TEMPLATES = st.recursive(
    st.one_of(TEMPLATE_STRINGS, SCALARS),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=12,
)
VALUES = st.dictionaries(NAMES, st.one_of(SCALARS.filter(lambda v: not isinstance(v, str)), PLAIN_TEXT), max_size=6)


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


@given(TEMPLATES, VALUES)
def test_no_placeholder_survives_resolution(template: Any, values: dict[str, Any]) -> None:
    rendered = render(template, chain(values))
    assert not any(PLACEHOLDER.search(s) for s in strings_in(rendered))


@given(st.recursive(st.one_of(PLAIN_TEXT, SCALARS), lambda i: st.lists(i, max_size=3), max_leaves=8))
def test_templates_without_placeholders_are_unchanged(template: Any) -> None:
    assert render(template, chain({})) == template


@given(
    NAMES, st.one_of(SCALARS, st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers()))
)
def test_a_whole_string_placeholder_keeps_the_value_type(name: str, value: Any) -> None:
    assert render("{{ " + name + " }}", chain({name: value})) == value


@given(NAMES, st.integers())
def test_embedded_placeholders_become_text(name: str, value: int) -> None:
    assert render("n={{" + name + "}}!", chain({name: value})) == f"n={value}!"


@given(TEMPLATES)
def test_unknown_names_resolve_to_the_empty_string(template: Any) -> None:
    rendered = render(template, chain({}))
    for original, result in zip(strings_in(template), strings_in(rendered), strict=False):
        if PLACEHOLDER.fullmatch(original.strip()):
            assert result == ""


@given(st.dictionaries(NAMES, PLAIN_TEXT), st.dictionaries(NAMES, PLAIN_TEXT))
def test_earlier_sources_win(first: dict[str, str], second: dict[str, str]) -> None:
    lookup = chain(first, second)
    for name in set(first) | set(second):
        assert lookup(name) == (first[name] if name in first else second[name])


@given(st.dictionaries(st.text(max_size=3), st.integers()), st.dictionaries(st.text(max_size=3), st.integers()))
def test_mapped_keys_win_over_caller_keys(arguments: dict[str, int], mapped: dict[str, int]) -> None:
    merged = merge_mapped(arguments, mapped)
    assert merged == {**arguments, **mapped}


def test_args_is_an_alias_only_when_arg_mappings_is_absent() -> None:
    assert argument_mapping({"args": {"a": 1}}) == {"a": 1}
    assert argument_mapping({"argMappings": {"b": 2}, "args": {"a": 1}}) == {"b": 2}
    assert argument_mapping({}) is None


def test_substituted_values_are_not_scanned_again() -> None:
    assert render("x {{a}}", chain({"a": "{{b}}", "b": "secret"})) == "x {{b}}"
    assert re.search("secret", str(render({"k": "{{a}}"}, chain({"a": "{{b}}", "b": "secret"})))) is None
