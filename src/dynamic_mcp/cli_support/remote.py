"""The CLI against a running server: httpx calls to its admin REST API (docs/access.md, docs/cli.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import click
import httpx

API_PREFIX = "/api/v1"
CLI_AGENT = "dynamic-mcp-cli"
"""The server's audit log names the CLI as the door of what it does through the REST API."""


def api_base(url: str) -> str:
    """Accept the server's base URL, its /mcp URL or its /api/v1 URL."""
    base = url.strip().rstrip("/")
    for suffix in ("/mcp", API_PREFIX):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    if not base.startswith(("http://", "https://")):
        raise click.ClickException(f"--url must start with http:// or https:// (got {url!r})")
    return base + API_PREFIX


def _segment(value: str) -> str:
    return quote(value, safe="@:")


class RemoteBackend:
    def __init__(self, url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self._base = api_base(url)
        self._client = httpx.Client(
            base_url=self._base, headers={"x-apikey": api_key, "user-agent": CLI_AGENT}, timeout=timeout
        )

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise click.ClickException(f"cannot reach the server at {self._base}: {exc}") from exc
        if response.is_success:
            return response.json()
        raise click.ClickException(_describe_failure(response))

    # -- upstreams ---------------------------------------------------------------------------------
    def add_upstream(self, definition: dict[str, Any]) -> Any:
        return self._call("POST", "/upstreams", json=definition)

    def refresh_upstream(self, name: str) -> Any:
        return self._call("POST", f"/upstreams/{_segment(name)}/refresh")

    def list_upstreams(self) -> Any:
        return self._call("GET", "/upstreams")

    # -- users -------------------------------------------------------------------------------------
    def list_users(self, name_contains: str | None, skip: int, limit: int) -> Any:
        params: dict[str, Any] = {"skip": skip, "limit": limit}
        if name_contains:
            params["nameContains"] = name_contains
        return self._call("GET", "/users", params=params)

    def add_user(self, email: str, name: str | None, roles: list[str]) -> Any:
        body: dict[str, Any] = {"email": email, "roles": roles}
        if name is not None:
            body["name"] = name
        return self._call("POST", "/users", json=body)

    def audit(self, query: Any) -> Any:
        names = {"user": "user", "action": "tool", "outcome": "outcome", "limit": "limit", "cursor": "cursor"}
        params: dict[str, Any] = {out: getattr(query, attr) for attr, out in names.items()}
        for moment in ("since", "until"):
            if getattr(query, moment) is not None:
                params[moment] = getattr(query, moment).isoformat()
        return self._call("GET", "/audit", params={k: v for k, v in params.items() if v is not None})

    def get_user(self, email: str) -> Any:
        return self._call("GET", f"/users/{_segment(email)}")

    def update_user(self, email: str, changes: dict[str, Any]) -> Any:
        return self._call("PATCH", f"/users/{_segment(email)}", json=changes)

    def delete_user(self, email: str) -> Any:
        return self._call("DELETE", f"/users/{_segment(email)}")

    def reset_key(self, email: str) -> Any:
        return self._call("POST", f"/users/{_segment(email)}/api-key/reset", json={"confirm": True})

    def sign_in_link(self, email: str) -> Any:
        return self._call("POST", f"/users/{_segment(email)}/sign-in-link")

    # -- tools and prompts -------------------------------------------------------------------------
    def list_tools(self, name_contains: str | None, skip: int, limit: int) -> Any:
        return self._call("GET", "/tools", params=_page(name_contains, skip, limit))

    def add_tool(self, definition: dict[str, Any]) -> Any:
        return self._call("POST", "/tools", json=definition)

    def delete_tool(self, name: str) -> Any:
        return self._call("DELETE", f"/tools/{_segment(name)}")

    def list_prompts(self, name_contains: str | None, skip: int, limit: int) -> Any:
        return self._call("GET", "/prompts", params=_page(name_contains, skip, limit))

    def add_prompt(self, definition: dict[str, Any]) -> Any:
        return self._call("POST", "/prompts", json=definition)

    def delete_prompt(self, name: str) -> Any:
        return self._call("DELETE", f"/prompts/{_segment(name)}")

    # -- resources (named by ?uri=, docs/resources.md) ---------------------------------------------
    def list_resources(self, uri_contains: str | None) -> Any:
        return self._call("GET", "/resources", params={"uriContains": uri_contains} if uri_contains else {})

    def add_resource(self, definition: dict[str, Any]) -> Any:
        return self._call("POST", "/resources", json=definition)

    def update_resource(self, uri: str, creator: str | None, updates: dict[str, Any]) -> Any:
        return self._call("PATCH", "/resources", params=_named(uri, creator), json=updates)

    def delete_resource(self, uri: str, creator: str | None) -> Any:
        return self._call("DELETE", "/resources", params=_named(uri, creator))


def _named(uri: str, creator: str | None) -> dict[str, str]:
    return {"uri": uri, **({"creator": creator} if creator else {})}


def _page(name_contains: str | None, skip: int, limit: int) -> dict[str, Any]:
    params: dict[str, Any] = {"skip": skip, "limit": limit}
    if name_contains:
        params["nameContains"] = name_contains
    return params


def _describe_failure(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "detail" in body:
        message = f"{response.status_code} {body.get('title', '')}: {body['detail']}".replace("  ", " ")
        errors = body.get("errors")
        if isinstance(errors, list):
            message += "".join(
                f"\n  - {e.get('key', '')}: {e.get('message', '')}" for e in errors if isinstance(e, dict)
            )
        return message
    return f"{response.status_code} {response.reason_phrase} from {response.request.url.path}"
