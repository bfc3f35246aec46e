"""``dynamic-mcp upstreams add|refresh|list`` (docs/cli.md, docs/upstreams.md)."""

from __future__ import annotations

import json
from typing import Any

import click

from dynamic_mcp.cli_support.commands import backend, target_options
from dynamic_mcp.cli_support.output import emit_json, emit_table


@click.group()
def upstreams() -> None:
    """Import the tools of upstream MCP servers."""


@upstreams.command("add")
@click.argument("name")
@click.argument("upstream_url", metavar="URL")
@click.option("--header", "headers", multiple=True, metavar="NAME:VALUE", help="A header for every call (repeat).")
@click.option("--per-user", is_flag=True, help="Each caller uses their own token (set-upstream-credential).")
@click.option("--token", default=None, help="Your own token for a --per-user upstream.")
@click.option("--prefix", "name_prefix", default=None, help="Prefix for the imported tools' names.")
@click.option("--tool", "tool_filter", multiple=True, metavar="PATTERN", help="Import only matching tools (repeat).")
@click.option("--protocol", type=click.Choice(["auto", "legacy", "2026-07-28"]), default=None)
@click.option("--call-timeout", type=float, default=None, help="Seconds a forwarded call may take.")
@target_options
def upstreams_add(
    name: str,
    upstream_url: str,
    headers: tuple[str, ...],
    per_user: bool,
    token: str | None,
    name_prefix: str | None,
    tool_filter: tuple[str, ...],
    protocol: str | None,
    call_timeout: float | None,
    url: str | None,
    api_key: str | None,
    as_json: bool,
) -> None:
    """Import (or update) the upstream NAME at URL: one tool of yours per upstream tool."""
    definition: dict[str, Any] = {"name": name, "url": upstream_url}
    if headers:
        parsed = {}
        for header in headers:
            key, sep, value = header.partition(":")
            if not sep:
                raise click.ClickException(f"--header takes NAME:VALUE, not {header!r}")
            parsed[key.strip()] = value.strip()
        definition["headers"] = parsed
    if per_user:
        definition["credentialMode"] = "per-user"
    optional = {
        "token": token,
        "namePrefix": name_prefix,
        "protocol": protocol,
        "callTimeoutSeconds": call_timeout,
        "toolFilter": list(tool_filter) or None,
    }
    definition.update({k: v for k, v in optional.items() if v is not None})
    with backend(url, api_key) as b:
        result = b.add_upstream(definition)
    if as_json:
        return emit_json(result)
    click.echo(result.get("message") or f"Imported upstream {name}.")
    for tool, reason in (result.get("skipped") or {}).items():
        click.echo(f"skipped {tool}: {reason}", err=True)


@upstreams.command("refresh")
@click.argument("name")
@target_options
def upstreams_refresh(name: str, url: str | None, api_key: str | None, as_json: bool) -> None:
    """List the upstream's tools again and update the imported ones."""
    with backend(url, api_key) as b:
        result = b.refresh_upstream(name)
    if as_json:
        return emit_json(result)
    click.echo(json.dumps({k: result.get(k) for k in ("added", "updated", "removed")}))


@upstreams.command("list")
@target_options
def upstreams_list(url: str | None, api_key: str | None, as_json: bool) -> None:
    """The upstreams (header names only, never values)."""
    with backend(url, api_key) as b:
        result = b.list_upstreams()
    if as_json:
        return emit_json(result)
    rows = result["upstreams"]
    emit_table(rows, [("name", "NAME"), ("url", "URL"), ("credentialMode", "CREDENTIALS"), ("creator", "CREATOR")], "")
