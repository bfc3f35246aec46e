"""``tools add`` / ``prompts add`` with a file of several definitions: every entry is tried, in order,
and each one's outcome is reported (docs/cli.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click

from dynamic_mcp.cli_support.output import emit_json


def entry_name(definition: Mapping[str, Any]) -> str:
    """The name an entry gives, in either tool shape (plain or ``{"toolDefinition": ...}``)."""
    inner = definition.get("toolDefinition")
    name = inner.get("name") if isinstance(inner, Mapping) else definition.get("name")
    return name if isinstance(name, str) and name else "(no name)"


def add_each(
    definitions: list[dict[str, Any]],
    add: Callable[[dict[str, Any]], Any],
    *,
    as_json: bool,
    done: Callable[[Any], str],
) -> None:
    """Entries are independent: a bad one does not stop the others, and the command exits 1 if any
    failed. A server-side dry run would repeat every rule the use cases check, so none is done."""
    outcomes: list[Any] = []
    failed = 0
    for number, definition in enumerate(definitions, start=1):
        try:
            result = add(definition)
        except click.ClickException as exc:
            failed += 1
            outcomes.append({"success": False, "name": entry_name(definition), "error": exc.message})
            if not as_json:
                click.echo(f"Entry {number} ({entry_name(definition)}) failed: {exc.message}", err=True)
            continue
        outcomes.append(result)
        if not as_json:
            click.echo(done(result))
    if as_json:
        emit_json(outcomes)
    if failed:
        raise click.ClickException(f"{failed} of {len(definitions)} entries failed; the others were saved")
