"""The ``dynamic-mcp`` command (docs/cli.md)."""

from __future__ import annotations

import asyncio
import logging

import attrs
import click

from dynamic_mcp.cli_support import audit_command, commands, resource_commands, upstreams_command
from dynamic_mcp.metadata import COMMAND, DISTRIBUTION, package_version


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"{COMMAND} {package_version()} ({DISTRIBUTION})")
        ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version, help="Show the version."
)
def main() -> None:
    """dynamic-mcp: a multi-user MCP server whose tools are data."""


@main.command()
@click.option("--host", default=None, help="Bind address (default: HOST or 127.0.0.1)")
@click.option("--port", default=None, type=int, help="Port (default: PORT or 4001)")
def serve(host: str | None, port: int | None) -> None:
    """Serve MCP at /mcp (in memory unless MONGODB_URI is set)."""
    import uvicorn

    from dynamic_mcp.adapters.http.app import create_app
    from dynamic_mcp.adapters.system.logs import configure_logging
    from dynamic_mcp.container import build_container, check_storage
    from dynamic_mcp.domain.errors import StorageUnavailable

    settings = commands.load_settings()
    if host:  # the Origin and Host rules depend on the address actually bound
        settings = attrs.evolve(settings, host=host)
    configure_logging(settings.log_level, settings.log_format)
    log = logging.getLogger("dynamic_mcp")
    if settings.storage == "memory":
        log.warning("MONGODB_URI is not set: running in memory mode, nothing is persisted")
    try:  # an unreachable database is one clear line and exit 1, not a lifespan traceback (docs/configuration.md)
        asyncio.run(check_storage(settings))
    except StorageUnavailable as exc:
        raise click.ClickException(exc.message) from exc
    app = create_app(build_container(settings))
    # Access logs stay off: request lines carry query strings, and those may carry API keys (docs/configuration.md).
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port if port is None else port,
        access_log=False,
        log_config=None,  # configured above: one handler, one level for every logger
        log_level=None,
        lifespan="on",
    )


@main.command("admin-key")
@click.option("--reset", is_flag=True, help="Issue a new key for the bootstrap admin and print it.")
def admin_key(reset: bool) -> None:
    """Show or reset the bootstrap admin's API key (database mode, docs/configuration.md)."""
    from dynamic_mcp.cli_support.database import STALE_SERVER_NOTE, reset_admin_key, run_in_database

    settings = commands.load_settings()
    if settings.storage != "mongo":
        raise click.ClickException(
            "Memory mode (MONGODB_URI is not set) has nothing to reset: the admin and its key live only inside "
            "the running server process. Set MCP_ADMIN_API_KEY to choose the key, or read it from the server's "
            "start-up log."
        )
    if not reset:
        user = run_in_database(settings, lambda c: c.users().get(settings.admin_email))
        prefix = user.api_key.prefix if user is not None and user.api_key is not None else None
        if prefix is None:
            raise click.ClickException(f"The bootstrap admin {settings.admin_email} has no key in the database yet")
        click.echo(f"{settings.admin_email}: key starts with {prefix} (use --reset to issue a new one)")
        return
    email, key = run_in_database(settings, reset_admin_key)
    click.echo(f"New API key for {email} (shown only now): {key}")
    click.echo("Clients using the old key must be reconfigured. " + STALE_SERVER_NOTE, err=True)


main.add_command(commands.users)
main.add_command(commands.tools)
main.add_command(commands.prompts)
main.add_command(resource_commands.resources)
main.add_command(audit_command.audit)
main.add_command(upstreams_command.upstreams)


if __name__ == "__main__":
    main(prog_name=COMMAND)
