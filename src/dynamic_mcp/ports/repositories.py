"""Persistence ports (docs/access.md). Adapters raise domain errors, never driver errors.

User changes are targeted operations rather than whole-record writes, so a store can apply
each atomically (no lost update when two callers share to one user at once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from dynamic_mcp.domain.prompts import Prompt
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.sharing import Share, ShareKind
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.toolsets import ToolLookup
from dynamic_mcp.domain.users import ApiKeyDigest, User

UNSET: Any = object()
"""Sentinel for "leave this field as it is" in partial updates."""


@attrs.frozen
class UserFields:
    """A partial update of a user: only the fields given (not UNSET) change."""

    name: str | None = UNSET
    roles: tuple[str, ...] = UNSET
    shared_tools: tuple[Share, ...] = UNSET
    rate_limits: Mapping[str, int] | None = UNSET

    def given(self) -> dict[str, Any]:
        """Domain attribute name -> new value, for the fields that were given."""
        return {key: value for key, value in attrs.asdict(self, recurse=False).items() if value is not UNSET}


class UserRepository(Protocol):
    async def get(self, email: str) -> User | None: ...

    async def get_by_key_hash(self, key_hash: str) -> User | None: ...

    async def list_users(self, name_contains: str | None = None, skip: int = 0, limit: int | None = None) -> list[User]:
        """Users ordered by email; ``name_contains`` is a case-insensitive substring of name."""
        ...

    async def add(self, user: User) -> User:
        """Store a new user; Conflict when the email or key hash is taken."""
        ...

    async def update_fields(self, email: str, fields: UserFields) -> User:
        """Set only the given fields; NotFound when the user does not exist."""
        ...

    async def set_api_key(self, email: str, digest: ApiKeyDigest) -> User: ...

    async def put_share(self, email: str, share: Share, kind: ShareKind = ShareKind.TOOL) -> User:
        """Add a share, replacing one with the same (toolId, sharedBy), in the list of ``kind``."""
        ...

    async def remove_shares(
        self, email: str, tool_ids: frozenset[str], shared_by: str | None, kind: ShareKind = ShareKind.TOOL
    ) -> User: ...

    async def add_hidden(self, email: str, tool_ids: Sequence[str], kind: ShareKind = ShareKind.TOOL) -> User: ...

    async def remove_hidden(self, email: str, tool_ids: Sequence[str], kind: ShareKind = ShareKind.TOOL) -> User: ...

    async def remove_hidden_everywhere(self, tool_id: str) -> list[str]:
        """Drop ``tool_id`` from every user's hiddenTools; returns the emails changed."""
        ...

    async def forget_tools_everywhere(self, tool_ids: frozenset[str]) -> list[str]:
        """Drop every share of, and every hiddenTools entry for, any of ``tool_ids`` (namespaced
        ids) from every user; returns the emails changed."""
        ...

    async def set_app_params(self, email: str, app_key: str, params: Mapping[str, Any] | None) -> User: ...

    async def delete(self, email: str) -> bool: ...


class ToolRepository(Protocol):
    async def list_all(self) -> list[Tool]: ...

    async def get(self, creator: str, name: str) -> Tool | None: ...

    async def upsert(self, tool: Tool) -> Tool:
        """Insert, or replace the tool with the same (name, creator); keeps the original createdAt."""
        ...

    async def update(self, creator: str, name: str, changes: Mapping[str, Any]) -> Tool:
        """Apply attribute changes (domain attribute names); NotFound if absent."""
        ...

    async def delete(self, creator: str, name: str) -> bool: ...

    async def delete_by_creator(self, creator: str, keep_names: frozenset[str] = frozenset()) -> int:
        """Delete the creator's tools except ``keep_names``; returns how many went."""
        ...


CatalogueListener = Callable[[Sequence[Tool] | None], None]
"""Told the tools a write replaced or stored (before and after), or None: anything may have changed."""


class VersionedToolRepository(ToolRepository, Protocol):
    """A catalogue that says what changed, so readers can keep what they derived from it (each
    user's toolset) for as long as the tools it came from did not change."""

    @property
    def version(self) -> int:
        """Changes whenever ``list_all`` may answer differently; equal versions, equal catalogues."""
        ...

    def watch(self, listener: CatalogueListener) -> None: ...

    async def accessible_to(self, user: User) -> Sequence[Tool]:
        """A(user) (docs/access.md) in catalogue order, gathered in proportion to its size."""
        ...

    async def of_creator(self, creator: str) -> list[Tool]: ...

    async def reach(self, user: User) -> tuple[Sequence[Tool], ToolLookup | None]:
        """``accessible_to``, with lookups over it when other users share them (None otherwise)."""
        ...


class PromptRepository(Protocol):
    async def list_all(self) -> list[Prompt]: ...

    async def get(self, name: str) -> Prompt | None: ...

    async def add(self, prompt: Prompt) -> Prompt:
        """Conflict when the name exists (docs/access.md: never overwritten)."""
        ...

    async def upsert(self, prompt: Prompt) -> Prompt: ...

    async def update(self, name: str, changes: Mapping[str, Any]) -> Prompt: ...

    async def delete(self, name: str) -> bool: ...

    async def delete_by_creator(self, created_by: str, keep_names: frozenset[str] = frozenset()) -> int: ...


class ResourceRepository(Protocol):
    """Resources and resource templates, keyed by (creator, uri) (docs/resources.md)."""

    async def list_all(self) -> list[Resource]: ...

    async def get(self, creator: str, uri: str) -> Resource | None: ...

    async def upsert(self, resource: Resource) -> Resource:
        """Insert, or replace the resource with the same (creator, uri); keeps the original createdAt."""
        ...

    async def update(self, creator: str, uri: str, changes: Mapping[str, Any]) -> Resource:
        """Apply attribute changes (domain attribute names); NotFound if absent."""
        ...

    async def delete(self, creator: str, uri: str) -> bool: ...

    async def delete_by_creator(self, creator: str, keep_uris: frozenset[str] = frozenset()) -> int:
        """Delete the creator's resources except ``keep_uris``; returns how many went."""
        ...
