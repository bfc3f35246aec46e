"""The documentation keeps up with the code: every environment variable the code reads is in
docs/configuration.md and in .env.example, and nothing cites a document outside the repository."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "dynamic_mcp"

# Ways the code reads a variable: Settings.from_env's helpers take (env, "NAME", ...), the rest is
# env.get / env[...] / os.environ / os.getenv, and click options name theirs with envvar=.
READS = (
    re.compile(r"\(\s*env\s*,\s*\"([A-Z][A-Z0-9_]+)\""),
    re.compile(r"\benv(?:iron)?\s*(?:\.get\(|\[)\s*\"([A-Z][A-Z0-9_]+)\""),
    re.compile(r"\bos\.(?:environ\.get\(|environ\[|getenv\()\s*\"([A-Z][A-Z0-9_]+)\""),
    re.compile(r"\benvvar\s*=\s*\"([A-Z][A-Z0-9_]+)\""),
)


def variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in READS:
            names.update(pattern.findall(text))
    return names


def test_the_scan_finds_the_settings_it_must_find() -> None:
    found = variables_read_by_the_code()
    assert {"MONGODB_URI", "MONGO_URI", "PORT", "SERVER_VERSION", "DYNAMIC_MCP_URL", "LOG_LEVEL"} <= found


def test_every_variable_the_code_reads_is_in_the_configuration_reference() -> None:
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", (ROOT / "docs" / "configuration.md").read_text()))
    assert sorted(variables_read_by_the_code() - documented) == []


def test_every_variable_the_code_reads_is_in_the_env_example() -> None:
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert sorted(variables_read_by_the_code() - listed) == []


def tracked_text_files() -> list[Path]:
    """The repository's own files (tracked, or new and not ignored), as git lists them."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.split(b"\0")
    suffixes = {".py", ".md", ".toml", ".ini", ".txt", ".yaml", ".yml", ".json", ".html", ".js", ".css", ""}
    paths = (ROOT / os.fsdecode(name) for name in listed if name)
    return [path for path in paths if path.is_file() and path.suffix in suffixes]


def test_nothing_cites_a_specification_outside_the_repository() -> None:
    word = "S" + "PEC"  # spelled in two parts so this file does not match itself
    citing = [
        str(path.relative_to(ROOT))
        for path in tracked_text_files()
        if re.search(rf"\b{word}\b", path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert citing == []
