"""LOG_LEVEL and LOG_FORMAT: one level for every logger, JSON lines with the request context."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynamic_mcp.adapters.http.observe import accepted_request_id
from dynamic_mcp.adapters.system.logs import HTTP, configure_logging, resolve_format
from dynamic_mcp.application.context import bound
from dynamic_mcp.config import Settings, SettingsError

LIBRARY_NAMES = ("uvicorn.error", "litestar", "mcp.server.streamable_http_manager", "dynamic_mcp.application.calls")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def emit_everywhere(level: int) -> None:
    for name in LIBRARY_NAMES:
        logging.getLogger(name).log(level, "from %s", name)


def test_error_level_silences_info_of_every_library(restore_logging: None) -> None:
    # What uvicorn and Litestar do to their own loggers before we configure: it must not win.
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)
    logging.getLogger("litestar").addHandler(logging.StreamHandler(io.StringIO()))
    out = io.StringIO()
    configure_logging("error", "json", out)
    emit_everywhere(logging.INFO)
    emit_everywhere(logging.ERROR)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {line["level"] for line in lines} == {"error"}
    assert {line["logger"] for line in lines} == set(LIBRARY_NAMES)


def test_debug_level_lets_debug_lines_of_every_library_through(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("debug", "json", out)
    emit_everywhere(logging.DEBUG)
    assert len(out.getvalue().splitlines()) == len(LIBRARY_NAMES)


def test_payload_loggers_stay_quiet_at_debug(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("debug", "json", out)
    logging.getLogger("sse_starlette.sse").debug("chunk: %s", "secret body")
    logging.getLogger("httpx").info("HTTP Request: GET https://x.example/?token=secret")
    assert "secret" not in out.getvalue()


def test_http_level_sits_between_debug_and_info(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("http", "json", out)
    logging.getLogger("dynamic_mcp.http").log(HTTP, "GET /health 200")
    logging.getLogger("dynamic_mcp").debug("hidden")
    assert [json.loads(line)["level"] for line in out.getvalue().splitlines()] == ["http"]


def test_json_lines_carry_the_request_context_and_extras(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("info", "json", out)
    with bound(request_id="req-1", user_email="ada@example.com", tool="ada@example.com:greet", session="abcd1234"):
        logging.getLogger("dynamic_mcp.test").info("tool call %s", "x", extra={"outcome": "ok"})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("dynamic_mcp.test").exception("failed")
    first, second = (json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{"))
    assert first["message"] == "tool call x"
    assert first["request_id"] == "req-1"
    assert first["user"] == "ada@example.com"
    assert first["tool"] == "ada@example.com:greet"
    assert first["session"] == "abcd1234"
    assert first["outcome"] == "ok"
    assert first["time"].endswith("Z")
    assert set(first) >= {"time", "level", "logger", "message"}
    assert "request_id" not in second
    assert "RuntimeError: boom" in second["exception"]


def test_text_format_appends_context_as_pairs(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("info", "text", out)
    with bound(request_id="req-2"):
        logging.getLogger("dynamic_mcp.test").warning("hello")
    assert out.getvalue().rstrip().endswith("WARNING dynamic_mcp.test: hello request_id=req-2")


def test_auto_format_is_json_unless_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("auto", Tty()) == "text"
    assert resolve_format("json", Tty()) == "json"


@pytest.mark.parametrize("name", ["LOG_LEVEL", "LOG_FORMAT"])
def test_unknown_log_settings_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env(environ={name: "verbose"}, dotenv_path=tmp_path / "none.env")


def test_known_log_settings_are_accepted(tmp_path: Path) -> None:
    settings = Settings.from_env(environ={"LOG_LEVEL": "WARN", "LOG_FORMAT": "text"}, dotenv_path=tmp_path / "x")
    assert (settings.log_level, settings.log_format) == ("warn", "text")


@pytest.mark.parametrize(
    ("raw", "accepted"),
    [
        (b"abc-123", "abc-123"),
        (
            b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ),
        (b"", None),
        (b"a" * 129, None),
        (b"line\nbreak", None),
        (b"spaces are out", None),
        ("caf\u00e9".encode(), None),
        (None, None),
    ],
)
def test_client_request_ids_are_bounded_and_plain(raw: bytes | None, accepted: str | None) -> None:
    assert accepted_request_id(raw) == accepted
