"""Which door the CLI uses: a running server (--url, --api-key) or the database (MONGODB_URI)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Protocol

import click

from dynamic_mcp.cli_support.remote import RemoteBackend
from dynamic_mcp.config import Settings

NO_DATABASE = (
    "There is no database: MONGODB_URI is not set, and memory mode keeps everything inside the server "
    "process. Pass --url and --api-key to manage a running server, or set MONGODB_URI."
)


class Backend(Protocol):
    def close(self) -> None: ...

    def list_users(self, name_contains: str | None, skip: int, limit: int) -> Any: ...

    def add_user(self, email: str, name: str | None, roles: list[str]) -> Any: ...

    def get_user(self, email: str) -> Any: ...

    def update_user(self, email: str, changes: dict[str, Any]) -> Any: ...

    def delete_user(self, email: str) -> Any: ...

    def reset_key(self, email: str) -> Any: ...

    def sign_in_link(self, email: str) -> Any:
        """A one-time OAuth sign-in link for EMAIL, as ``POST /api/v1/users/{email}/sign-in-link``."""
        ...

    def list_tools(self, name_contains: str | None, skip: int, limit: int) -> Any: ...

    def add_tool(self, definition: dict[str, Any]) -> Any: ...

    def delete_tool(self, name: str) -> Any: ...

    def list_prompts(self, name_contains: str | None, skip: int, limit: int) -> Any: ...

    def add_prompt(self, definition: dict[str, Any]) -> Any: ...

    def delete_prompt(self, name: str) -> Any: ...

    def add_upstream(self, definition: dict[str, Any]) -> Any: ...

    def refresh_upstream(self, name: str) -> Any: ...

    def list_upstreams(self) -> Any: ...

    def list_resources(self, uri_contains: str | None) -> Any: ...

    def add_resource(self, definition: dict[str, Any]) -> Any: ...

    def update_resource(self, uri: str, creator: str | None, updates: dict[str, Any]) -> Any: ...

    def delete_resource(self, uri: str, creator: str | None) -> Any: ...

    def audit(self, query: Any) -> Any:
        """A page of the audit log (an ``AuditQuery``), as ``GET /api/v1/audit`` answers it."""
        ...


def open_backend(url: str | None, api_key: str | None, settings: Settings) -> Backend:
    if url:
        if not api_key:
            raise click.ClickException("--api-key is required with --url (or set DYNAMIC_MCP_API_KEY)")
        return RemoteBackend(url, api_key)
    if api_key:
        raise click.ClickException("--api-key needs --url: without it the CLI works on the database directly")
    if settings.storage != "mongo":
        raise click.ClickException(NO_DATABASE)
    from dynamic_mcp.cli_support.database import DatabaseBackend  # the whole server stack: import on demand

    return DatabaseBackend(settings)


def read_definitions(path: str) -> tuple[list[dict[str, Any]], bool]:
    """A JSON file (or ``-`` for stdin) holding one definition object or a list of them; the flag
    says whether it was a list."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise click.ClickException(f"{path} is not valid JSON: {exc}") from exc
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise click.ClickException(f"{path} must hold a JSON object or a non-empty list of objects")
    return items, isinstance(data, list)
