"""The quality gate itself: a lint error must make `./dev lint` and `./dev test` exit non-zero.

Each case runs the real `dev` script in a throwaway copy of the project layout (its own
pyproject.toml, the real .venv), so the repository's own sources are never touched and pytest is
never started recursively: `./dev test` must stop at the lint step, before mypy and pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
CLEAN = '"""A module ruff accepts."""\n\nimport os\n\nHOME = os.environ.get("HOME")\n'
# Unused import (F401) and unsorted imports (I001).
DIRTY = "import sys\nimport os\n\nHOME = os.environ.get('HOME')\n"

pytestmark = pytest.mark.skipif(not (VENV / "bin" / "ruff").exists(), reason="needs the project's .venv")


def _tree(tmp_path: Path, module: str) -> Path:
    tree = tmp_path / "project"
    tree.mkdir()
    shutil.copy2(ROOT / "dev", tree / "dev")
    shutil.copy2(ROOT / "pyproject.toml", tree / "pyproject.toml")
    # Older than the venv's install stamp, so the script never reinstalls anything from this copy.
    os.utime(tree / "pyproject.toml", (0, 0))
    for folder in ("src", "tests", "bench", "examples"):
        (tree / folder).mkdir()
        (tree / folder / "__init__.py").write_text('"""Package."""\n')
    (tree / "src" / "module.py").write_text(module)
    return tree


def _dev(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VENV": str(VENV)}
    return subprocess.run(
        ["bash", str(tree / "dev"), *args], cwd=tree, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_lint_passes_a_clean_tree(tmp_path: Path) -> None:
    result = _dev(_tree(tmp_path, CLEAN), "lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_fails_on_a_lint_error(tmp_path: Path) -> None:
    result = _dev(_tree(tmp_path, DIRTY), "lint")
    assert result.returncode != 0
    assert "F401" in result.stdout


def test_lint_fails_on_unformatted_code(tmp_path: Path) -> None:
    # Lint-clean but not formatted: the format check is a step of its own and must count too.
    result = _dev(_tree(tmp_path, CLEAN.replace("HOME = ", "HOME   =   ")), "lint")
    assert result.returncode != 0
    assert "would be reformatted" in result.stdout


def test_dev_test_stops_at_a_lint_error(tmp_path: Path) -> None:
    result = _dev(_tree(tmp_path, DIRTY), "test")
    assert result.returncode != 0
    assert "F401" in result.stdout
    assert "== mypy" not in result.stdout
    assert "== pytest" not in result.stdout


@pytest.mark.parametrize("script", ["dev", ".ci/run"])
def test_no_step_hides_in_an_and_list(script: str) -> None:
    """Under `set -e` only the last command of `a && b` can stop the script: steps stand alone."""
    for number, line in enumerate((ROOT / script).read_text().splitlines(), 1):
        code = "" if line.lstrip().startswith("#") else line.strip()
        if "&&" in code:
            assert code.startswith(("if ", "elif ", "while ")), f"{script}:{number}: {line}"
