"""The CLI against the database (MONGODB_URI): the REST API's operations run in this process as
the bootstrap admin, so both doors apply the same rules and answer with the same JSON."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import click

from dynamic_mcp.adapters.http.rest import AdminOperations, admin_operations
from dynamic_mcp.adapters.http.rest.schemas import NewPrompt, ToolDefinitionIn
from dynamic_mcp.application.oauth import LINK_SECONDS
from dynamic_mcp.application.resource_management import ResourceManagement
from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.cli_support.backends import NO_DATABASE
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container, build_container, close_storage, omitted_packages, prepare_storage
from dynamic_mcp.domain.audit import AuditQuery
from dynamic_mcp.domain.errors import DomainError, Forbidden, Invalid
from dynamic_mcp.domain.users import User

T = TypeVar("T")

STALE_SERVER_NOTE = (
    "Note: changed in the database directly. Running servers see it within a second when MongoDB is a replica "
    "set (they follow its change stream); on a standalone MongoDB they see it only after a restart."
)


def know_builtin_packages(container: Container) -> None:
    """Make this process know the built-in packages (handler types, package tools) without
    touching the stored catalogue, which only a starting server rewrites (docs/tools.md)."""
    registry = container.registry()
    skipped = omitted_packages(container.settings())
    for package in container.builtin_packages():
        if package.name not in skipped and registry.get(package.name) is None:
            registry.add(package)


async def _with_container(settings: Settings, action: Callable[[Container], Awaitable[T]]) -> T:
    container = build_container(settings)
    await prepare_storage(container)
    try:
        return await action(container)
    finally:
        await container.upstream_gateway().close()
        await close_storage(container)


def run_in_database(settings: Settings, action: Callable[[Container], Awaitable[T]]) -> T:
    """Run ``action`` against the configured database; domain errors become CLI errors."""
    if settings.storage != "mongo":
        raise click.ClickException(NO_DATABASE)
    try:
        return asyncio.run(_with_container(settings, action))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc


async def recorded(container: Container, action: str, email: str, change: Awaitable[T]) -> T:
    """Run ``change`` and write its audit entry (door ``cli``) before this short-lived process ends."""
    audit = container.audit()
    await audit.start()
    started, outcome = time.perf_counter(), "error"
    try:
        result = await change
        outcome = "ok"
        return result
    except Forbidden:
        outcome = "denied"
        raise
    except Invalid:
        outcome = "invalid"
        raise
    finally:
        audit.record(action, outcome, time.perf_counter() - started, user=email, door="cli")
        await audit.stop()


class DatabaseBackend:
    """Each call opens the database, acts as the bootstrap admin (MCP_ADMIN_EMAIL) and closes it."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def close(self) -> None:
        return None

    def _change(self, operation: Callable[[AdminOperations, User], Awaitable[Any]], audited: str) -> Any:
        result = self._as_admin(operation, audited)
        click.echo(STALE_SERVER_NOTE, err=True)
        return result

    def _as_admin(self, operation: Callable[[AdminOperations, User], Awaitable[Any]], audited: str = "") -> Any:
        """``audited`` names a change for the audit log (door ``cli``); reads are not recorded."""

        async def action(container: Container) -> Any:
            know_builtin_packages(container)
            admin = await container.users().get(self._settings.admin_email)
            if admin is None or not admin.is_admin:
                raise click.ClickException(
                    f"The bootstrap admin {self._settings.admin_email} is not in the database yet: "
                    "start the server once (it creates the admin), or check MCP_ADMIN_EMAIL."
                )
            if not audited:
                return await operation(admin_operations(container), admin)
            return await recorded(container, audited, admin.email, operation(admin_operations(container), admin))

        return run_in_database(self._settings, action)

    def audit(self, query: AuditQuery) -> Any:
        from dynamic_mcp.adapters.http.rest.audit import page_out

        async def action(container: Container) -> Any:
            admin = await container.users().get(self._settings.admin_email)
            if admin is None:
                raise click.ClickException(f"The bootstrap admin {self._settings.admin_email} is not in the database")
            return page_out(await container.audit_queries().entries(admin, query))

        return run_in_database(self._settings, action)

    def add_upstream(self, definition: dict[str, Any]) -> Any:
        return self._change(lambda ops, admin: ops.import_upstream(admin, definition), "upstreams add")

    def refresh_upstream(self, name: str) -> Any:
        return self._change(lambda ops, admin: ops.refresh_upstream(admin, name), "upstreams refresh")

    def list_upstreams(self) -> Any:
        return self._as_admin(lambda ops, admin: ops.list_upstreams(admin))

    def list_users(self, name_contains: str | None, skip: int, limit: int) -> Any:
        return self._as_admin(lambda ops, admin: ops.list_users(admin, name_contains, skip, limit))

    def add_user(self, email: str, name: str | None, roles: list[str]) -> Any:
        return self._change(
            lambda ops, admin: ops.add_user(admin, {"email": email, "name": name, "roles": roles}), "users add"
        )

    def get_user(self, email: str) -> Any:
        return self._as_admin(lambda ops, admin: ops.get_user(admin, email))

    def update_user(self, email: str, changes: dict[str, Any]) -> Any:
        return self._change(lambda ops, admin: ops.update_user(admin, email, changes), "users update")

    def delete_user(self, email: str) -> Any:
        return self._change(lambda ops, admin: ops.delete_user(admin, email), "users delete")

    def reset_key(self, email: str) -> Any:
        return self._change(lambda ops, admin: ops.reset_key(admin, email, {"confirm": True}), "users reset-key")

    def sign_in_link(self, email: str) -> Any:
        settings = self._settings
        if not settings.oauth_enabled or settings.oauth_external:
            raise click.ClickException("Sign-in links need OAUTH_ENABLED=true and MCP_SERVER_URL (docs/oauth.md)")

        async def action(container: Container) -> Any:
            admin = await container.users().get(settings.admin_email)
            if admin is None or not admin.is_admin:
                raise click.ClickException(f"The bootstrap admin {settings.admin_email} is not in the database yet")
            url = await container.oauth_service().issue_sign_in_link(admin, email)
            return {"email": email, "url": url, "expiresInSeconds": LINK_SECONDS}

        return run_in_database(settings, action)

    def list_tools(self, name_contains: str | None, skip: int, limit: int) -> Any:
        return self._as_admin(lambda ops, admin: ops.list_tools(admin, name_contains, skip, limit))

    def add_tool(self, definition: dict[str, Any]) -> Any:
        return self._change(lambda ops, admin: ops.add_tool(admin, cast(ToolDefinitionIn, definition)), "tools add")

    def delete_tool(self, name: str) -> Any:
        return self._change(lambda ops, admin: ops.delete_tool(admin, name), "tools delete")

    def list_prompts(self, name_contains: str | None, skip: int, limit: int) -> Any:
        return self._as_admin(lambda ops, admin: ops.list_prompts(admin, name_contains, skip, limit))

    def add_prompt(self, definition: dict[str, Any]) -> Any:
        return self._change(lambda ops, admin: ops.add_prompt(admin, cast(NewPrompt, definition)), "prompts add")

    def delete_prompt(self, name: str) -> Any:
        return self._change(lambda ops, admin: ops.delete_prompt(admin, name), "prompts delete")

    # -- resources: the resource use cases as the bootstrap admin (docs/resources.md) ---------------
    def _resources(self, operation: Callable[[ResourceManagement, User], Awaitable[Any]], audited: str = "") -> Any:
        async def action(container: Container) -> Any:
            know_builtin_packages(container)
            admin = await container.users().get(self._settings.admin_email)
            if admin is None or not admin.is_admin:
                raise click.ClickException(f"The bootstrap admin {self._settings.admin_email} is not in the database")
            change = operation(container.resource_admin(), admin)
            return await (recorded(container, audited, admin.email, change) if audited else change)

        result = run_in_database(self._settings, action)
        if audited:
            click.echo(STALE_SERVER_NOTE, err=True)
        return result

    def list_resources(self, uri_contains: str | None) -> Any:
        return self._resources(lambda r, admin: _result(r.list_resources(admin, uri_contains)))

    def add_resource(self, definition: dict[str, Any]) -> Any:
        return self._resources(lambda r, admin: _result(r.add_resource(admin, definition)), "resources add")

    def update_resource(self, uri: str, creator: str | None, updates: dict[str, Any]) -> Any:
        return self._resources(
            lambda r, admin: _result(r.update_resource(admin, uri, updates, creator)), "resources update"
        )

    def delete_resource(self, uri: str, creator: str | None) -> Any:
        return self._resources(lambda r, admin: _result(r.delete_resource(admin, uri, creator)), "resources delete")


async def _result(output: Awaitable[ToolOutput]) -> Any:
    return (await output).result


async def reset_admin_key(container: Container) -> tuple[str, str]:
    """(email, new plain key) for the bootstrap admin (docs/configuration.md)."""
    settings: Settings = container.settings()
    if await container.users().get(settings.admin_email) is None:
        raise click.ClickException(
            f"The bootstrap admin {settings.admin_email} is not in the database yet: start the server once "
            "(it creates the admin and logs its key), or check MCP_ADMIN_EMAIL."
        )
    key = await recorded(
        container, "admin-key reset", settings.admin_email, container.bootstrap().reset_admin_key(settings.admin_email)
    )
    return settings.admin_email, key
