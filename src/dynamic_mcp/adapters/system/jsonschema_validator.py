"""SchemaValidator on the ``jsonschema`` library (Draft 2020-12 unless the schema says otherwise).

A schema is data a power user wrote, so evaluating it must not do anything the user chooses:
- no I/O: ``$ref`` resolves through an empty ``referencing`` registry (no retrieval), and a
  ``$ref`` that is not a local JSON pointer (``#`` or ``#/...``) or an ``$id`` is refused when
  the tool is created;
- no backtracking: ``pattern`` and ``patternProperties`` run on RE2 (``linear_regex``);
- no blocked event loop: large arguments are validated on a worker thread, within a deadline.
Size and depth are capped by the domain before a schema gets here.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import jsonschema
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for
from referencing import Registry
from referencing.exceptions import Unresolvable

from dynamic_mcp.adapters.system import linear_regex
from dynamic_mcp.ports.validation import SchemaValidator

log = logging.getLogger(__name__)

linear_regex.install()

# Keywords whose values are instance data, not subschemas: nothing inside them is a reference.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})
_REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
_LEGACY_ID_DIALECTS = (jsonschema.Draft3Validator, jsonschema.Draft4Validator)
# Arguments up to this many JSON values (and characters of text) are validated in place; larger
# ones go to a worker thread, so no single call can hold the event loop.
CHECKED_SCHEMAS = 256
"""Schema checks remembered (by JSON text, at most 64 KiB each: a few MiB at worst)."""
INLINE_MAX_VALUES = 64
INLINE_MAX_CHARACTERS = 8 * 1024
VALIDATION_TIMEOUT_SECONDS = 5.0
# Empty: a reference that is not into the schema itself fails to resolve; nothing is ever fetched.
_NO_RETRIEVAL: Registry[Any] = Registry()


def _schema_nodes(schema: Any) -> Iterator[Mapping[str, Any]]:
    """Every object in a schema, skipping the data keywords (iterative: depth is capped, but be safe)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            yield node
            stack.extend(v for k, v in node.items() if k not in _DATA_KEYWORDS)
        elif isinstance(node, list):
            stack.extend(node)


def _reference_problem(schema: Mapping[str, Any], dialect: Any) -> str | None:
    for node in _schema_nodes(schema):
        for keyword in _REFERENCE_KEYWORDS:
            ref = node.get(keyword)
            if isinstance(ref, str) and not (ref == "#" or ref.startswith("#/")):
                return (
                    f"{keyword} {ref!r} is not allowed: only local references into the same schema "
                    "('#' or '#/...') are resolved, never a URL or file"
                )
        if isinstance(node.get("$id"), str) or (dialect in _LEGACY_ID_DIALECTS and isinstance(node.get("id"), str)):
            return "$id is not allowed: a tool's inputSchema is self-contained and resolves only local references"
    return None


def _pattern_problem(schema: Mapping[str, Any]) -> str | None:
    for node in _schema_nodes(schema):
        patterns = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        if isinstance(node.get("patternProperties"), Mapping):
            patterns.extend(k for k in node["patternProperties"] if isinstance(k, str))
        for pattern in patterns:
            try:
                linear_regex.compile_pattern(pattern)
            except linear_regex.UnsupportedPattern as exc:
                return str(exc)
    return None


def _is_small(instance: Any) -> bool:
    values = characters = 0
    stack = [instance]
    while stack:
        item = stack.pop()
        values += 1
        if isinstance(item, Mapping):
            characters += sum(len(k) for k in item if isinstance(k, str))
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, str):
            characters += len(item)
        if values > INLINE_MAX_VALUES or characters > INLINE_MAX_CHARACTERS:
            return False
    return True


class JsonSchemaValidator(SchemaValidator):
    def __init__(self, *, timeout_seconds: float = VALIDATION_TIMEOUT_SECONDS) -> None:
        self._timeout = timeout_seconds
        # Its own small pool: slow validations cannot take the threads DNS lookups and others use.
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="schema-validation")
        self._checked: dict[str, tuple[str | None]] = {}  # schema JSON text -> (problem,), oldest first

    def check_schema(self, schema: Mapping[str, Any]) -> str | None:
        """The problem with ``schema`` as a tool's schema, or None. Checking against the meta-schema
        takes milliseconds, and bulk writes (an upstream import, a seeded catalogue) repeat the same
        schemas, so answers are remembered by the schema's JSON text."""
        try:
            text = json.dumps(schema, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            return self._check_schema(schema)  # the check itself says what is wrong
        known = self._checked.get(text)
        if known is None:
            known = self._checked[text] = (self._check_schema(schema),)
            while len(self._checked) > CHECKED_SCHEMAS:
                del self._checked[next(iter(self._checked))]
        return known[0]

    def _check_schema(self, schema: Mapping[str, Any]) -> str | None:
        # validator_for answers the default for an unknown $schema; a None default exposes that.
        dialect = validator_for(schema, default=None) if "$schema" in schema else jsonschema.Draft202012Validator
        if dialect is None:
            return f"$schema {schema.get('$schema')!r} is not a JSON Schema dialect this server knows"
        try:
            dialect.check_schema(schema)
        except SchemaError as exc:
            return str(exc.message)
        return _reference_problem(schema, dialect) or _pattern_problem(schema)

    async def validate(self, schema: Mapping[str, Any], instance: Mapping[str, Any]) -> str | None:
        if _is_small(instance):
            return _validate(schema, instance)
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self._executor, _validate, schema, instance), self._timeout
            )
        except TimeoutError:
            # The worker thread finishes on its own (linear-time work); the caller does not wait.
            return f"validation took longer than {self._timeout:g} s; send smaller arguments"


def _validate(schema: Mapping[str, Any], instance: Mapping[str, Any]) -> str | None:
    try:
        validator = _compiled(json.dumps(schema, sort_keys=True, allow_nan=False))
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    except SchemaError as exc:
        return f"the tool's inputSchema is invalid: {exc.message}"
    except Unresolvable as exc:
        return f"the tool's inputSchema has a reference that cannot be resolved locally: {exc}"
    except linear_regex.UnsupportedPattern as exc:
        return f"the tool's inputSchema cannot be evaluated: {exc}"
    except (ValueError, TypeError, RecursionError) as exc:
        log.debug("schema validation failed", exc_info=True)
        return f"the tool's inputSchema cannot be evaluated ({type(exc).__name__})"
    if error is None:
        return None
    path = ".".join(str(p) for p in error.absolute_path)
    return f"{path}: {error.message}" if path else error.message


@lru_cache(maxsize=4096)
def _compiled(key: str) -> Any:
    """One validator per schema, keyed by its canonical JSON text: ``true``, ``1`` and ``1.0`` differ."""
    schema = json.loads(key)
    cls = validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema, registry=_NO_RETRIEVAL)
