"""CLI usage errors that never reach a server or database (click parses them first)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dynamic_mcp.cli import main

TARGET = ["--url", "http://127.0.0.1:9", "--api-key", "unused"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to change"),
        (["--rate-limit-api", "-1"], "-1"),
        (["--rate-limit-tool-calls", "ten"], "ten"),
        (["--rate-limit-sessions", "20000000"], "20000000"),
        (["--rate-limit-api", "5", "--default-rate-limits"], "cannot be combined"),
    ],
)
def test_users_update_refuses_bad_rate_limit_options(args: list[str], message: str) -> None:
    done = CliRunner().invoke(main, ["users", "update", "ada@example.com", *args, *TARGET])
    assert done.exit_code == 2, done.output
    assert message in done.output
