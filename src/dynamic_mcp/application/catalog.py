"""Read side of the tool catalogue: toolsets per user and who is affected by a change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dynamic_mcp.application.audience import LiveAudience
from dynamic_mcp.application.lru import LruCache
from dynamic_mcp.application.packages import HandlerRegistry
from dynamic_mcp.application.reach import ReachIndex
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import NotFound
from dynamic_mcp.domain.events import ResourceListChanged, ResourceUpdated, ToolListChanged
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.tools import MANAGEMENT_PACKAGES, SYSTEM_CREATOR, Tool, split_namespaced_id
from dynamic_mcp.domain.toolsets import SessionToolset
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.events import EventPublisher
from dynamic_mcp.ports.repositories import UserRepository, VersionedToolRepository

MAX_CACHED_TOOLSETS = 150_000  # as MAX_CACHED_USERS: headroom past 100,000 active users
MAX_CACHED_TOOL_ENTRIES = 2_000_000
"""Per-user views (toolsets, listings) are also bounded by the tools they hold together: each holds
one reference per tool, so 100,000 users of a 100,000-tool catalogue would not fit otherwise."""


def _own_weight(entry: tuple[User, SessionToolset]) -> int:
    """A toolset's own references: one whose tools are shared (lookup set) holds none of them."""
    toolset = entry[1]
    return 1 if toolset.lookup is not None else 1 + len(toolset.accessible)


class Catalog:
    def __init__(
        self,
        users: UserRepository,
        tools: VersionedToolRepository,
        registry: HandlerRegistry,
        events: EventPublisher,
        audience: LiveAudience,
        max_toolsets: int = MAX_CACHED_TOOLSETS,
        max_tool_entries: int = MAX_CACHED_TOOL_ENTRIES,
    ) -> None:
        self._audience = audience
        self._users = users
        self._tools = tools
        self._registry = registry
        self._events = events
        # email -> (user record it was built for, toolset); the records indexed by what reaches
        # them, so a tool change drops the toolsets of exactly the users it reaches.
        self._toolsets: LruCache[str, tuple[User, SessionToolset]] = LruCache(
            max_toolsets, on_evict=self._evicted, weigh=_own_weight, max_weight=max_tool_entries
        )
        self._holders = ReachIndex()
        tools.watch(self._catalogue_changed)
        self.builds = 0
        """Toolsets built (cache misses), for the benchmarks and tests."""

    @property
    def packages(self) -> frozenset[str]:
        return self._registry.names()

    def builtin_tool_names(self) -> frozenset[str]:
        """Names declared by the registered management packages: reserved for them."""
        names: set[str] = set()
        for package in MANAGEMENT_PACKAGES:
            registered = self._registry.get(package)
            if registered is not None:
                names.update(str(d.get("name")) for d in registered.tools)
        return frozenset(names)

    async def acts_within_creator_rights(self, handler_type: str, creator: str) -> bool:
        """May a tool or prompt by ``creator`` run this handler for anyone? A management handler
        acts with the rights of whoever runs it, so it runs only for package definitions and those
        whose creator is an admin now (a record written before the rule, or by a since-demoted
        admin, never lends anyone's rights)."""
        if handler_type not in MANAGEMENT_PACKAGES or creator == SYSTEM_CREATOR or creator in self.packages:
            return True
        record = await self._users.get(creator)
        return record is not None and record.is_admin

    async def current_user(self, email: str) -> User:
        """The caller's record as stored now (docs/access.md): a deleted user can do nothing."""
        user = await self._users.get(email)
        if user is None:
            raise NotFound(f"User '{email}' not found")
        return user

    def _evicted(self, email: str, _: object) -> None:
        self._holders.remove(email)

    def _catalogue_changed(self, changed: Sequence[Tool] | None) -> None:
        if changed is None:
            self._toolsets.clear()
            self._holders.clear()
            return
        for email in self._holders.reached_by(changed):
            self._toolsets.pop(email)
            self._holders.remove(email)

    async def toolset(self, user: User) -> SessionToolset:
        """The user's toolset, reused while neither the user record nor a tool that reaches them
        changed; built from the catalogue's indexes, in proportion to what the user reaches."""
        packages = self.packages
        cached = self._toolsets.get(user.email)
        if cached is not None and cached[1].packages == packages and (cached[0] is user or cached[0] == user):
            return cached[1]
        version = self._tools.version
        # Admins resolve through the catalogue's own indexes and users who reach tools by roles
        # alone share one tuple per set of roles (application/tool_index.py): neither rebuilds
        # O(catalogue) indexes per user after a change.
        accessible, lookup = await self._tools.reach(user)
        toolset = SessionToolset(user, tuple(accessible), packages, lookup=lookup)
        self.builds += 1
        if self._tools.version == version:  # no write landed while the catalogue was read
            self._toolsets.put(user.email, (user, toolset))
            self._holders.put(user)
        return toolset

    async def resolve(self, user: User, name_or_id: str) -> Tool | None:
        """One tool in A(user) by plain name or namespaced id (docs/access.md), as every door resolves it.

        A miss is looked up in the store before it is an answer: another instance may have
        written the tool a moment ago and the change feed not brought it here yet, and a call or
        share right after a create elsewhere must find it. Only the one tool it could be is read
        (the named one, or the caller's own of that name), so a miss costs one indexed read.
        """
        found = (await self.toolset(user)).resolve(name_or_id)
        if found is not None:
            return found
        key = split_namespaced_id(name_or_id) or (user.email, name_or_id)
        stored = await self._tools.get(*key)
        if stored is None or not visibility.can_access(user, stored, self.packages):
            return None
        return stored

    async def audience(self, items: Iterable[visibility.Guarded | None]) -> frozenset[str]:
        """Emails of the users live here who reach any of ``items`` (tools, prompts, resources;
        docs/protocol.md): found from indexes, never by reading every user."""
        present = [t for t in items if t is not None]
        if not present:
            return frozenset()
        return await self._audience.reached_by(present)

    async def announce_tool_change(self, *tools: Tool | None) -> None:
        await self._events.publish(ToolListChanged(await self.audience(tools)))

    async def announce_resource_change(self, *resources: Resource | None, content_changed: bool = True) -> None:
        """``resources/list_changed`` to whoever reaches any of them; ``resources/updated`` for each
        plain URI whose content may have changed, to its subscribers among those users."""
        audience = await self.audience(resources)
        if not audience:
            return
        await self._events.publish(ResourceListChanged(audience))
        if content_changed:
            for uri in sorted({r.uri for r in resources if r is not None and not r.template}):
                await self._events.publish(ResourceUpdated(uri, audience))
