"""Human-readable tables by default, JSON with --json (for scripts)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click

MAX_CELL = 60


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, sort_keys=True, default=str))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """Plain aligned columns: ``columns`` are (key, heading) pairs."""
    cells = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    headings = [heading for _, heading in columns]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headings)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)
    return "\n".join(lines)


def emit_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]], footer: str = "") -> None:
    if not rows:
        click.echo("(none)")
    else:
        click.echo(table(rows, columns))
    if footer:
        click.echo(footer)


def page_footer(shown: int, skip: int, total: int | None = None, has_more: bool = False) -> str:
    if total is not None:
        end = skip + shown
        more = f"; next page: --skip {end}" if end < total else ""
        return f"{shown} shown ({skip + 1 if shown else skip}-{end} of {total}){more}" if shown else f"0 of {total}"
    return f"{shown} shown; next page: --skip {skip + shown}" if has_more else f"{shown} shown"
