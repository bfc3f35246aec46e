"""``dynamic-mcp resources ...`` (docs/resources.md): the resource use cases from a shell."""

from __future__ import annotations

import click

from dynamic_mcp.cli_support.backends import read_definitions
from dynamic_mcp.cli_support.batch import add_each
from dynamic_mcp.cli_support.commands import backend, target_options
from dynamic_mcp.cli_support.output import emit_json, emit_table, page_footer

CREATOR = click.option("--creator", default=None, help="Whose resource, when several users have this uri.")


@click.group()
def resources() -> None:
    """Manage MCP resources and resource templates (definitions as JSON, docs/resources.md)."""


@resources.command("list")
@click.option("--uri-contains", default=None, help="Substring of the uri or name.")
@target_options
def resources_list(uri_contains: str | None, url: str | None, api_key: str | None, as_json: bool) -> None:
    """List the resources and templates you may read."""
    with backend(url, api_key) as b:
        page = b.list_resources(uri_contains)
    if as_json:
        return emit_json(page)
    rows = [{**r, "uri": r.get("uri") or r.get("uriTemplate")} for r in page["resources"]]
    columns = [("uri", "URI"), ("name", "NAME"), ("creator", "CREATOR"), ("mimeType", "MIME TYPE")]
    emit_table(rows, columns, page_footer(len(rows), 0, total=page["total"]))


@resources.command("add")
@click.argument("file", metavar="FILE")
@target_options
def resources_add(file: str, url: str | None, api_key: str | None, as_json: bool) -> None:
    """Create or replace resources from FILE (- reads stdin): one definition,
    {"resourceDefinition": ...}, or a list of either."""
    definitions, is_list = read_definitions(file)

    def done(result: dict[str, object]) -> str:
        saved = result["resource"]
        assert isinstance(saved, dict)
        return f"Saved resource {saved.get('uri') or saved.get('uriTemplate')}."

    with backend(url, api_key) as b:
        if not is_list:
            result = b.add_resource(definitions[0])
            return emit_json(result) if as_json else click.echo(done(result))
        add_each(definitions, b.add_resource, as_json=as_json, done=done)


@resources.command("update")
@click.argument("uri")
@click.argument("file", metavar="FILE")
@CREATOR
@target_options
def resources_update(
    uri: str, file: str, creator: str | None, url: str | None, api_key: str | None, as_json: bool
) -> None:
    """Change the fields given in FILE (a JSON object) of the resource URI."""
    updates, is_list = read_definitions(file)
    if is_list:
        raise click.ClickException("FILE must hold one object of fields to change")
    with backend(url, api_key) as b:
        result = b.update_resource(uri, creator, updates[0])
    return emit_json(result) if as_json else click.echo(f"Updated resource {uri}.")


@resources.command("delete")
@click.argument("uri")
@CREATOR
@target_options
def resources_delete(uri: str, creator: str | None, url: str | None, api_key: str | None, as_json: bool) -> None:
    """Delete the resource URI."""
    with backend(url, api_key) as b:
        result = b.delete_resource(uri, creator)
    return emit_json(result) if as_json else click.echo(f"Deleted resource {uri}.")
