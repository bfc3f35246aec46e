"""The console's templates and static files ship in the wheel: pyproject's package-data covers
every one of them (a file outside the globs would be missing from an installed server)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import dynamic_mcp.adapters.http.console as console

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "dynamic_mcp.adapters.http.console"


def test_every_template_and_static_file_is_package_data() -> None:
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][PACKAGE]
    base = Path(console.__file__).parent
    files = [
        p.relative_to(base).as_posix() for d in ("templates", "static") for p in (base / d).rglob("*") if p.is_file()
    ]
    assert len(files) > 20
    assert [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)] == []
    assert "static/htmx.min.js" in files and "static/htmx.LICENSE.txt" in files
