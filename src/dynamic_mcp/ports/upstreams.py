"""What the core needs to keep upstream records and to talk to upstream MCP servers (docs/upstreams.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import attrs

from dynamic_mcp.domain.upstreams import Upstream, UpstreamCredential
from dynamic_mcp.ports.handlers import ProgressReporter


class UpstreamRepository(Protocol):
    """Upstream records and the per-user credentials for them. Adapters raise domain errors."""

    async def list_all(self) -> list[Upstream]:
        """Every upstream, ordered by name."""
        ...

    async def get(self, name: str) -> Upstream | None: ...

    async def add(self, upstream: Upstream) -> Upstream:
        """Store a new upstream; Conflict when the name is taken."""
        ...

    async def replace(self, upstream: Upstream) -> Upstream:
        """Replace the upstream of that name, keeping its createdAt; NotFound when absent."""
        ...

    async def delete(self, name: str) -> bool:
        """Delete the upstream and every credential stored for it."""
        ...

    async def get_credential(self, upstream: str, email: str) -> UpstreamCredential | None: ...

    async def put_credential(self, credential: UpstreamCredential) -> UpstreamCredential:
        """Insert or replace the credential of (upstream, email)."""
        ...

    async def delete_credential(self, upstream: str, email: str) -> bool: ...

    async def delete_credentials_of(self, email: str) -> int:
        """Forget every credential of a user (the user was deleted); returns how many went."""
        ...


class SecretBox(Protocol):
    """Seals secrets for storage. ``context`` binds a sealed value to the record it belongs to,
    so a sealed value copied into another record does not open."""

    @property
    def available(self) -> bool:
        """False when no key is configured: nothing can be sealed or opened."""
        ...

    def seal(self, plain: str, context: str) -> str: ...

    def open(self, sealed: str, context: str) -> str:
        """The plain text; Invalid when the value was not sealed with this key for this context."""
        ...


@attrs.frozen
class UpstreamTarget:
    """One upstream as one credential reaches it: what a connection is opened with."""

    name: str
    url: str
    headers: Mapping[str, str] = attrs.field(repr=False)
    protocol: str = "auto"
    connect_timeout_seconds: float = 10.0
    call_timeout_seconds: float = 60.0
    pool_key: str = ""
    """Equal for calls that may share a connection: same upstream settings, same credential."""


ChangeCallback = Callable[[], Awaitable[None]]


class UpstreamGateway(Protocol):
    """MCP client sessions to upstream servers, pooled. Failures raise UpstreamFailure naming the upstream."""

    async def list_tools(self, target: UpstreamTarget) -> list[Mapping[str, Any]]:
        """The upstream's tools in MCP wire form (name, description, inputSchema, annotations, ...)."""
        ...

    async def call_tool(
        self, target: UpstreamTarget, tool: str, arguments: Mapping[str, Any], progress: ProgressReporter
    ) -> Mapping[str, Any]:
        """The upstream's CallToolResult in MCP wire form, unchanged."""
        ...

    def watch(self, target: UpstreamTarget, on_change: ChangeCallback) -> None:
        """Keep a session open to ``target`` and run ``on_change`` on each tools/list_changed;
        replaces an earlier watch of the same upstream name."""
        ...

    def unwatch(self, name: str) -> None: ...

    async def close(self) -> None: ...
