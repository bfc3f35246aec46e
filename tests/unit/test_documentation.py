"""The documentation keeps up with the code: every environment variable the code reads is in
docs/configuration.md and in .env.example."""

from __future__ import annotations

import re
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
