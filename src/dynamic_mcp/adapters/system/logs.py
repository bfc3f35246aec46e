"""Log set-up for ``serve``: one handler on the root logger, one level for every logger (ours,
uvicorn, Litestar, the SDK, drivers), JSON lines or text.

Libraries configure their own loggers (Litestar's default config, uvicorn's dictConfig); the
server turns both off and calls :func:`configure_logging` instead, so ``LOG_LEVEL`` means the
same thing everywhere.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import IO, Any

from dynamic_mcp.application.context import current

HTTP = 15
"""Between debug and info: one line per HTTP request (the original's ``http`` level)."""
logging.addLevelName(HTTP, "HTTP")

LEVELS = {"error": logging.ERROR, "warn": logging.WARNING, "warning": logging.WARNING, "info": logging.INFO}
LEVELS |= {"http": HTTP, "debug": logging.DEBUG}
FORMATS = ("json", "text")

# Loggers that libraries give handlers or levels of their own; they are reset to propagate to root.
LIBRARY_LOGGERS = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "uvicorn.asgi",
    "litestar",
    "mcp",
    "httpx",
    "httpcore",
    "pymongo",
    "sse_starlette",
)
# Loggers whose lines below these levels carry payloads: sse-starlette logs every response chunk
# at debug (issued API keys, tool results), pymongo every command with its documents at debug
# (users' application credentials among them), httpx every outbound URL at info (http tools may
# put a token in it). They never go lower than this, whatever LOG_LEVEL says.
PAYLOAD_LOGGERS = {"sse_starlette": logging.INFO, "pymongo": logging.INFO, "httpx": logging.WARNING}
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


def _context_fields() -> dict[str, str]:
    context = current()
    fields = {
        "request_id": context.request_id,
        "user": context.user_email,
        "tool": context.tool,
        "session": context.session,
    }
    return {k: v for k, v in fields.items() if v}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}


def _timestamp(created: float) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{seconds}.{int(created % 1 * 1000):03d}Z"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request context, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= _context_fields()
        for key, value in _extras(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message key=value ...`` for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        pairs = {**_context_fields(), **_extras(record)}
        if not pairs:
            return line
        head, sep, tail = line.partition("\n")  # keep a traceback below the key=value pairs
        return head + " " + " ".join(f"{k}={v}" for k, v in pairs.items()) + sep + tail


def resolve_format(log_format: str, stream: IO[str]) -> str:
    """``auto``: JSON unless the stream is a terminal."""
    if log_format in FORMATS:
        return log_format
    isatty = getattr(stream, "isatty", None)
    return "text" if isatty is not None and isatty() else "json"


def configure_logging(level: str, log_format: str = "auto", stream: IO[str] | None = None) -> None:
    """Route every logger through one root handler at ``level`` (a LOG_LEVEL name)."""
    out = stream or sys.stdout
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter() if resolve_format(log_format, out) == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(LEVELS[level])
    for name in {*LIBRARY_LOGGERS, *logging.root.manager.loggerDict}:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    for name, floor in PAYLOAD_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, LEVELS[level]))
