"""The ``dynamic-mcp`` command (SPEC §11.3)."""

from __future__ import annotations

import logging
import sys

import click

from dynamic_mcp.config import Settings, SettingsError

LOG_LEVELS = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "http": "INFO", "debug": "DEBUG"}


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=LOG_LEVELS.get(level, "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@click.group()
def main() -> None:
    """dynamic-mcp: a multi-user MCP server whose tools are data."""


@main.command()
@click.option("--host", default=None, help="Bind address (default: HOST or 127.0.0.1)")
@click.option("--port", default=None, type=int, help="Port (default: PORT or 4001)")
def serve(host: str | None, port: int | None) -> None:
    """Serve MCP at /mcp (in memory unless MONGODB_URI is set)."""
    import uvicorn

    from dynamic_mcp.adapters.http.app import create_app
    from dynamic_mcp.container import build_container

    settings = _settings()
    configure_logging(settings.log_level)
    log = logging.getLogger("dynamic_mcp")
    if settings.storage == "memory":
        log.warning("MONGODB_URI is not set: running in memory mode, nothing is persisted")
    app = create_app(build_container(settings))
    # Access logs stay off: request lines carry query strings, and those may carry API keys (§7.8).
    uvicorn.run(
        app,
        host=host or settings.host,
        port=settings.port if port is None else port,
        access_log=False,
        log_level=LOG_LEVELS.get(settings.log_level, "INFO").lower(),
        lifespan="on",
    )


if __name__ == "__main__":
    main()
