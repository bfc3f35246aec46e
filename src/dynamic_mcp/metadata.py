"""The distribution's name and version, read from the installed package metadata.

The version has one source: ``project.version`` in pyproject.toml, which packaging writes into the
metadata read here. Reading it is file I/O, so it happens when asked, never at import.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "dynamic-mcp-server"
"""The name on PyPI (``pip install dynamic-mcp-server``); the command stays ``dynamic-mcp`` and the
import name ``dynamic_mcp`` (ADR 0008)."""

COMMAND = "dynamic-mcp"

UNKNOWN_VERSION = "0+unknown"


@cache
def package_version() -> str:
    """The installed distribution's version; ``0+unknown`` for a source tree that was never installed."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return UNKNOWN_VERSION
