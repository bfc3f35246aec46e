"""``dynamic-mcp users|tools|prompts ...`` (docs/cli.md): the admin REST API's operations from a shell."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from dynamic_mcp.application.users import MAX_SKIP
from dynamic_mcp.cli_support.backends import Backend, open_backend, read_definitions
from dynamic_mcp.cli_support.batch import add_each
from dynamic_mcp.cli_support.output import emit_json, emit_table, page_footer
from dynamic_mcp.config import Settings, SettingsError
from dynamic_mcp.domain.limits import MAX_PER_MINUTE, OVERRIDE_KEYS

F = TypeVar("F", bound=Callable[..., Any])


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def target_options(func: F) -> F:
    """--url/--api-key pick a running server; without them the database of MONGODB_URI is used."""
    func = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")(func)
    func = click.option(
        "--api-key", envvar="DYNAMIC_MCP_API_KEY", default=None, help="API key for --url (env DYNAMIC_MCP_API_KEY)."
    )(func)
    return click.option(
        "--url",
        envvar="DYNAMIC_MCP_URL",
        default=None,
        help="Base URL of a running server, e.g. http://127.0.0.1:4001 (env DYNAMIC_MCP_URL).",
    )(func)


def paging_options(func: F) -> F:
    func = click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)(func)
    func = click.option("--skip", type=click.IntRange(0, MAX_SKIP), default=0, show_default=True)(func)
    return click.option("--name-contains", default=None, help="Case-insensitive substring of the name.")(func)


@contextmanager
def backend(url: str | None, api_key: str | None) -> Iterator[Backend]:
    opened = open_backend(url, api_key, load_settings() if not url else Settings())
    try:
        yield opened
    finally:
        opened.close()


# -- users ------------------------------------------------------------------------------------------
@click.group()
def users() -> None:
    """Manage users and their API keys."""


@users.command("list")
@target_options
@paging_options
def users_list(
    url: str | None, api_key: str | None, as_json: bool, name_contains: str | None, skip: int, limit: int
) -> None:
    """List users (email and name)."""
    with backend(url, api_key) as b:
        page = b.list_users(name_contains, skip, limit)
    if as_json:
        return emit_json(page)
    rows = page["users"]
    emit_table(rows, [("email", "EMAIL"), ("name", "NAME")], page_footer(len(rows), skip, has_more=page["hasMore"]))


@users.command("add")
@click.argument("email")
@click.option("--name", default=None)
@click.option(
    "--role",
    "roles",
    multiple=True,
    help="Repeat for several: user, power-user, admin, or a role listed in the server's EXTRA_ROLES.",
)
@target_options
def users_add(
    email: str, name: str | None, roles: tuple[str, ...], url: str | None, api_key: str | None, as_json: bool
) -> None:
    """Create a user; the new API key is printed once."""
    with backend(url, api_key) as b:
        created = b.add_user(email, name, list(roles))
    if as_json:
        return emit_json(created)
    click.echo(f"Created user {created['email']} (roles: {', '.join(created['roles']) or 'none'}).")
    click.echo(f"API key (shown only now): {created['apiKey']}")


@users.command("update")
@click.argument("email")
@click.option("--name", default=None, help="A new display name.")
@click.option("--role", "roles", multiple=True, help="Replace the roles (repeat for several).")
@click.option(
    "--rate-limit-tool-calls", "tool_calls", type=click.IntRange(0, MAX_PER_MINUTE), help="tools/call per minute."
)
@click.option("--rate-limit-api", "api", type=click.IntRange(0, MAX_PER_MINUTE), help="/api/v1 requests per minute.")
@click.option(
    "--rate-limit-sessions", "sessions", type=click.IntRange(0, MAX_PER_MINUTE), help="New MCP sessions per minute."
)
@click.option("--default-rate-limits", is_flag=True, help="Drop every override: the server's defaults apply again.")
@target_options
def users_update(
    email: str,
    name: str | None,
    roles: tuple[str, ...],
    tool_calls: int | None,
    api: int | None,
    sessions: int | None,
    default_rate_limits: bool,
    url: str | None,
    api_key: str | None,
    as_json: bool,
) -> None:
    """Change a user's name, roles or rate limits (admins; docs/operations.md).

    A rate limit given here overrides the server's default for this user only (0 turns it off);
    limits not given keep their current override, --default-rate-limits drops them all."""
    values = (tool_calls, api, sessions)
    given = {key: value for key, value in zip(OVERRIDE_KEYS, values, strict=True) if value is not None}
    if default_rate_limits and given:
        raise click.UsageError("--default-rate-limits cannot be combined with --rate-limit-* options")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name
    if roles:
        changes["roles"] = list(roles)
    if not changes and not given and not default_rate_limits:
        raise click.UsageError("nothing to change: give --name, --role, --rate-limit-* or --default-rate-limits")
    with backend(url, api_key) as b:
        if default_rate_limits:
            changes["rateLimits"] = None
        elif given:
            current = b.get_user(email).get("rateLimits") or {}
            changes["rateLimits"] = {**current, **given}
        updated = b.update_user(email, changes)
    if as_json:
        return emit_json(updated)
    limits = updated.get("rateLimits")
    shown = ", ".join(f"{k} {limits[k]}/min" for k in OVERRIDE_KEYS if k in limits) if limits else "server defaults"
    click.echo(f"Updated user {updated['email']} (roles: {', '.join(updated['roles']) or 'none'}; limits: {shown}).")


@users.command("delete")
@click.argument("email")
@target_options
def users_delete(email: str, url: str | None, api_key: str | None, as_json: bool) -> None:
    """Delete a user and close their MCP sessions."""
    with backend(url, api_key) as b:
        result = b.delete_user(email)
    if as_json:
        return emit_json(result)
    click.echo(f"Deleted user {result['email']}.")


@users.command("reset-key")
@click.argument("email")
@target_options
def users_reset_key(email: str, url: str | None, api_key: str | None, as_json: bool) -> None:
    """Issue a new API key for EMAIL; the old key stops working at once."""
    with backend(url, api_key) as b:
        issued = b.reset_key(email)
    if as_json:
        return emit_json(issued)
    click.echo(f"New API key for {issued['email']} (shown only now): {issued['apiKey']}")


@users.command("sign-in-link")
@click.argument("email")
@target_options
def users_sign_in_link(email: str, url: str | None, api_key: str | None, as_json: bool) -> None:
    """A one-time link that signs EMAIL in on the OAuth sign-in page (15 minutes; docs/oauth.md)."""
    with backend(url, api_key) as b:
        link = b.sign_in_link(email)
    if as_json:
        return emit_json(link)
    minutes = int(link["expiresInSeconds"]) // 60
    click.echo(f"One-time sign-in link for {link['email']} (valid {minutes} minutes, hand it over privately):")
    click.echo(link["url"])


# -- tools and prompts ----------------------------------------------------------------------------
@click.group()
def tools() -> None:
    """Manage tools (definitions as JSON, docs/tools.md)."""


@tools.command("list")
@target_options
@paging_options
def tools_list(
    url: str | None, api_key: str | None, as_json: bool, name_contains: str | None, skip: int, limit: int
) -> None:
    """List the tools you may use, hidden ones flagged."""
    with backend(url, api_key) as b:
        page = b.list_tools(name_contains, skip, limit)
    if as_json:
        return emit_json(page)
    rows = page["tools"]
    columns = [("id", "ID"), ("hidden", "HIDDEN"), ("description", "DESCRIPTION")]
    emit_table(rows, columns, page_footer(len(rows), skip, total=page["total"]))


@tools.command("add")
@click.argument("file", metavar="FILE")
@target_options
def tools_add(file: str, url: str | None, api_key: str | None, as_json: bool) -> None:
    """Create or replace tools from FILE (- reads stdin): one definition, {"toolDefinition": ...} as
    add-tool takes it, or a list of either. Every entry of a list is tried and reported; the command
    fails if any entry failed."""
    definitions, is_list = read_definitions(file)
    with backend(url, api_key) as b:
        if not is_list:
            result = b.add_tool(definitions[0])
            return emit_json(result) if as_json else click.echo(f"Saved tool {result['name']}.")
        add_each(definitions, b.add_tool, as_json=as_json, done=lambda r: f"Saved tool {r['name']}.")


@tools.command("delete")
@click.argument("name")
@target_options
def tools_delete(name: str, url: str | None, api_key: str | None, as_json: bool) -> None:
    """Delete a tool by plain name or namespaced id (creator:name)."""
    with backend(url, api_key) as b:
        result = b.delete_tool(name)
    if as_json:
        return emit_json(result)
    click.echo(f"Deleted tool {result['name']}.")


@click.group()
def prompts() -> None:
    """Manage MCP prompts (definitions as JSON, docs/access.md)."""


@prompts.command("list")
@target_options
@paging_options
def prompts_list(
    url: str | None, api_key: str | None, as_json: bool, name_contains: str | None, skip: int, limit: int
) -> None:
    """List the prompts visible to you."""
    with backend(url, api_key) as b:
        page = b.list_prompts(name_contains, skip, limit)
    if as_json:
        return emit_json(page)
    rows = page["prompts"]
    columns = [("name", "NAME"), ("createdBy", "CREATED BY"), ("description", "DESCRIPTION")]
    emit_table(rows, columns, page_footer(len(rows), skip, total=page["total"]))


@prompts.command("add")
@click.argument("file", metavar="FILE")
@target_options
def prompts_add(file: str, url: str | None, api_key: str | None, as_json: bool) -> None:
    """Create prompts from FILE (- reads stdin): one definition or a list of them. Every entry of a
    list is tried and reported; the command fails if any entry failed."""
    definitions, is_list = read_definitions(file)
    with backend(url, api_key) as b:
        if not is_list:
            result = b.add_prompt(definitions[0])
            return emit_json(result) if as_json else click.echo(f"Created prompt {result['prompt']['name']}.")
        add_each(definitions, b.add_prompt, as_json=as_json, done=lambda r: f"Created prompt {r['prompt']['name']}.")


@prompts.command("delete")
@click.argument("name")
@target_options
def prompts_delete(name: str, url: str | None, api_key: str | None, as_json: bool) -> None:
    """Delete a prompt by name."""
    with backend(url, api_key) as b:
        result = b.delete_prompt(name)
    if as_json:
        return emit_json(result)
    click.echo(f"Deleted prompt {result['deletedPrompt']['name']}.")
