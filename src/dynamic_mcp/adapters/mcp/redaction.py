"""Keep session ids out of the SDK's log lines.

A session id is a credential while a session lasts, and the SDK logs it whole at INFO
(``Created new transport with session ID: ...``). A filter on the SDK's own loggers shortens every
id-like token to a prefix, whatever handlers the logging configuration installs.
"""

from __future__ import annotations

import logging
import re

SDK_LOGGERS = (
    "mcp.server.streamable_http_manager",
    "mcp.server.streamable_http",
    "mcp.server.sse",
    "mcp.server.runner",
    "mcp.server.lowlevel.server",
    "mcp.shared.jsonrpc_dispatcher",
)
SHOWN = 8
# SDK session ids are 32 hex digits; any long hex or url-safe token is treated the same way.
_TOKEN = re.compile(r"(?<![0-9A-Za-z_-])([0-9A-Za-z_-]{8})[0-9A-Za-z_-]{12,}")


def shorten_ids(text: str) -> str:
    return _TOKEN.sub(lambda m: m.group(1) + "…" if _looks_like_id(m.group(0)) else m.group(0), text)


def _looks_like_id(token: str) -> bool:
    # Words and dotted names stay readable: only tokens that mix digits in count as ids.
    return sum(c.isdigit() for c in token) >= 4


class SessionIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the SDK's problem, not ours to hide
            return True
        shortened = shorten_ids(message)
        if shortened != message:
            record.msg, record.args = shortened, None
        return True


_FILTER = SessionIdFilter()


def install() -> None:
    """Idempotent: safe to call on every app start."""
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
