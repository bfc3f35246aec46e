"""Tool input schemas are user data: evaluating one must cause no I/O, never backtrack, never block
the event loop, and each schema gets its own compiled validator."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import re
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dynamic_mcp.adapters.system import linear_regex
from dynamic_mcp.adapters.system.jsonschema_validator import JsonSchemaValidator
from dynamic_mcp.container import Container
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.tools import MAX_SCHEMA_DEPTH, validate_input_schema

from .support import Caller, echo_definition

EVIL = "^(a+)+$"  # catastrophic backtracking on "aaaa...!" for a backtracking engine


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


@pytest.fixture
def validator() -> JsonSchemaValidator:
    return JsonSchemaValidator()


# -- no I/O ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    ["http://127.0.0.1:9/schema.json", "file:///etc/passwd", "other.json#/a", "//example.com/x", "urn:x:y"],
)
def test_a_reference_that_is_not_local_is_refused_at_creation(validator: JsonSchemaValidator, ref: str) -> None:
    problem = validator.check_schema(obj(x={"$ref": ref}))
    assert problem is not None
    assert "$ref" in problem and "local" in problem


def test_id_is_refused_at_creation(validator: JsonSchemaValidator) -> None:
    problem = validator.check_schema({**obj(x={"$ref": "#/$defs/n"}), "$id": "http://127.0.0.1:9/", "$defs": {}})
    assert problem is not None and "$id" in problem


def test_local_references_still_work(validator: JsonSchemaValidator) -> None:
    schema = {**obj(n={"$ref": "#/$defs/positive"}), "$defs": {"positive": {"type": "integer", "minimum": 1}}}
    assert validator.check_schema(schema) is None
    assert asyncio.run(validator.validate(schema, {"n": 3})) is None
    assert "minimum" in (asyncio.run(validator.validate(schema, {"n": 0})) or "") or "less than" in (
        asyncio.run(validator.validate(schema, {"n": 0})) or ""
    )


def test_a_reference_word_inside_data_keywords_is_not_a_reference(validator: JsonSchemaValidator) -> None:
    assert validator.check_schema(obj(x={"const": {"$ref": "http://a/b"}, "default": {"$id": "x"}})) is None


async def test_a_stored_schema_with_a_file_reference_reads_no_file(
    validator: JsonSchemaValidator, tmp_path: Path
) -> None:
    # A schema stored before the creation check existed: validating against it must not open the file.
    secret = tmp_path / "secret.json"
    secret.write_text('{"type": "integer", "description": "TOP-SECRET"}')
    problem = await validator.validate(obj(x={"$ref": secret.as_uri()}), {"x": "text"})
    assert problem is not None
    assert "cannot be resolved locally" in problem
    assert "integer" not in problem and "TOP-SECRET" not in problem


async def test_add_tool_refuses_a_remote_reference(container: Container, power: Caller) -> None:
    definition = echo_definition("fetcher", inputSchema=obj(x={"$ref": "http://127.0.0.1:9/x.json"}))
    message = await power.fails("add-tool", toolDefinition=definition)
    assert message.startswith("inputSchema is not a valid JSON Schema: $ref")


async def test_add_tool_refuses_an_unknown_dialect(container: Container, power: Caller) -> None:
    definition = echo_definition("dialect", inputSchema={**obj(), "$schema": "http://127.0.0.1:9/meta"})
    assert "$schema" in await power.fails("add-tool", toolDefinition=definition)


# -- linear-time patterns -----------------------------------------------------------------------


async def test_pattern_does_not_backtrack(validator: JsonSchemaValidator) -> None:
    schema = obj(s={"type": "string", "pattern": EVIL})
    started = time.perf_counter()
    problem = await validator.validate(schema, {"s": "a" * 28 + "!"})
    assert time.perf_counter() - started < 1.0
    assert problem is not None and "does not match" in problem
    assert await validator.validate(schema, {"s": "a" * 28}) is None


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "patternProperties": {EVIL: {"type": "integer"}}},
        {"type": "object", "patternProperties": {EVIL: {}}, "additionalProperties": False},
        {"type": "object", "patternProperties": {EVIL: {}}, "unevaluatedProperties": False},
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "patternProperties": {EVIL: {}},
            "additionalProperties": False,
        },
    ],
    ids=["patternProperties", "additionalProperties", "unevaluatedProperties", "draft-07"],
)
async def test_pattern_properties_do_not_backtrack(validator: JsonSchemaValidator, schema: dict[str, Any]) -> None:
    started = time.perf_counter()
    await validator.validate(schema, {"a" * 28 + "!": 1})
    assert time.perf_counter() - started < 1.0


def test_a_pattern_the_linear_engine_cannot_run_is_refused_at_creation(validator: JsonSchemaValidator) -> None:
    for pattern in ["(?=a)b", r"(a)\1"]:
        problem = validator.check_schema(obj(s={"type": "string", "pattern": pattern}))
        assert problem is not None and "linear-time" in problem, pattern
    problem = validator.check_schema({"type": "object", "patternProperties": {"(?<=x)y": {}}})
    assert problem is not None and "linear-time" in problem


async def test_ecma_unicode_escapes_are_understood(validator: JsonSchemaValidator) -> None:
    schema = obj(s={"type": "string", "pattern": r"^caf\u00e9$"})
    assert validator.check_schema(schema) is None
    assert await validator.validate(schema, {"s": "café"}) is None
    assert await validator.validate(schema, {"s": "cafe"}) is not None


def test_every_jsonschema_module_that_searches_with_re_is_patched() -> None:
    """A jsonschema upgrade that matches schema patterns from a new module must fail here."""
    package = Path(jsonschema.__file__).parent
    users = set()
    for source in package.glob("*.py"):
        if re.search(r"\bre\.(search|match|fullmatch|findall|finditer)\(", source.read_text()):
            users.add(f"jsonschema.{source.stem}")
    assert users <= set(linear_regex.PATCHED_MODULES)
    for name in linear_regex.PATCHED_MODULES:
        assert importlib.import_module(name).re is linear_regex.LINEAR_RE, name
    assert "re.search" in inspect.getsource(importlib.import_module("jsonschema._keywords").pattern)


# -- size and depth -----------------------------------------------------------------------------


def test_schema_depth_is_capped_with_a_clear_error() -> None:
    schema: dict[str, Any] = {"type": "object"}
    for _ in range(MAX_SCHEMA_DEPTH):
        schema = {"type": "object", "properties": {"x": schema}}
    with pytest.raises(Invalid, match=f"nested too deeply \\(the limit is {MAX_SCHEMA_DEPTH} levels\\)"):
        validate_input_schema(schema)


def test_a_schema_deeper_than_the_recursion_limit_is_refused_not_crashed_on() -> None:
    schema: dict[str, Any] = {"type": "object"}
    for _ in range(100_000):
        schema = {"not": schema}
    with pytest.raises(Invalid, match="nested too deeply"):
        validate_input_schema({"type": "object", "properties": {"x": schema}})


def test_schema_size_is_capped_with_a_clear_error() -> None:
    schema = obj(**{f"p{i}": {"type": "string", "description": "x" * 100} for i in range(1000)})
    with pytest.raises(Invalid, match=r"inputSchema is too large \(the limit is 65536 characters\)"):
        validate_input_schema(schema)


async def test_add_tool_refuses_an_oversized_schema(container: Container, power: Caller) -> None:
    schema = obj(**{f"p{i}": {"type": "string", "description": "x" * 100} for i in range(1000)})
    assert "too large" in await power.fails("add-tool", toolDefinition=echo_definition("big", inputSchema=schema))


# -- off the event loop -------------------------------------------------------------------------


def _heavy() -> tuple[dict[str, Any], dict[str, Any]]:
    # uniqueItems over objects is quadratic in jsonschema: about a second of CPU for a few hundred items.
    schema = obj(items={"type": "array", "uniqueItems": True})
    return schema, {"items": [{"n": i} for i in range(400)]}


async def test_large_arguments_are_validated_off_the_event_loop(validator: JsonSchemaValidator) -> None:
    schema, instance = _heavy()
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    assert await validator.validate(schema, instance) is None
    took = time.perf_counter() - started
    done.set()
    await task
    # The loop kept turning while the validation ran (a worker thread holds the GIL in short slices).
    assert len(gaps) >= 3, (took, gaps)
    assert max(gaps) < max(0.5, took / 2), (took, max(gaps))


async def test_validation_is_time_boxed() -> None:
    schema, instance = _heavy()
    validator = JsonSchemaValidator(timeout_seconds=0.05)
    started = time.perf_counter()
    problem = await validator.validate(schema, instance)
    assert problem is not None and "took longer" in problem
    assert time.perf_counter() - started < 2.0


# -- one validator per schema -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "value"),
    [(True, 1, True), (1, True, 1), (False, 0, False), (0, False, 0)],
)
async def test_the_validator_cache_tells_booleans_from_numbers(
    validator: JsonSchemaValidator, first: Any, second: Any, value: Any
) -> None:
    assert await validator.validate(obj(x={"const": first}), {"x": value}) is None
    assert await validator.validate(obj(x={"const": second}), {"x": value}) is not None
    assert await validator.validate(obj(x={"enum": [second]}), {"x": value}) is not None


def test_schema_checks_are_remembered_by_their_text_and_bounded() -> None:
    from dynamic_mcp.adapters.system.jsonschema_validator import CHECKED_SCHEMAS, JsonSchemaValidator

    checker = JsonSchemaValidator()
    bad = {"type": "object", "properties": {"a": {"type": 5}}}
    first = checker.check_schema(bad)
    assert first is not None and checker.check_schema(dict(bad)) == first
    assert checker.check_schema({"type": "object", "additionalProperties": True}) is None
    assert checker.check_schema({"type": "object", "additionalProperties": 1}) is not None  # 1 is not true
    for i in range(CHECKED_SCHEMAS + 50):
        assert checker.check_schema({"type": "object", "title": f"t{i}"}) is None
    assert len(checker._checked) == CHECKED_SCHEMAS
