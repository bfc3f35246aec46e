"""Toolsets kept incrementally (dropped only for the users a change reaches, gathered from the
catalogue's indexes) always equal a from-scratch build over the whole catalogue, after any sequence
of changes to users, tools, shares, hides and (nesting, ADR 0015) roles; and a user a change does
not reach keeps their toolset, unrebuilt."""

from __future__ import annotations

import asyncio
from typing import Any

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from dynamic_mcp.adapters.memory.events import InMemoryEventBus
from dynamic_mcp.adapters.memory.repositories import InMemoryToolRepository, InMemoryUserRepository
from dynamic_mcp.application.audience import LiveAudience
from dynamic_mcp.application.caching import CachedToolRepository, CachedUserRepository
from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.packages import HandlerRegistry
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import HandlerRef, Tool
from dynamic_mcp.domain.toolsets import SessionToolset
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.repositories import UserFields
from tests.unit.support import TickingClock

EMAILS = ("a@x", "b@x", "c@x")
ROLES = ("admin", "power-user", "user", "custom")
CREATORS = (*EMAILS, "system", "pkg")
NAMES = ("t1", "t2", "t3")
NAMESPACED_IDS = tuple(f"{c}:{n}" for c in CREATORS for n in NAMES)

emails = st.sampled_from(EMAILS)
creators = st.sampled_from(CREATORS)
names = st.sampled_from(NAMES)
tool_ids = st.one_of(names, st.sampled_from(NAMESPACED_IDS))  # legacy plain-name shares as often as ids
role_sets = st.lists(st.sampled_from(ROLES), max_size=2, unique=True).map(tuple)
permitted = st.one_of(st.none(), role_sets)


class IncrementalToolsets(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        clock = TickingClock()
        self.user_store = InMemoryUserRepository(clock)
        self.tool_store = InMemoryToolRepository(clock)
        self.users = CachedUserRepository(self.user_store)
        self.tools = CachedToolRepository(self.tool_store)
        self.catalog = Catalog(self.users, self.tools, HandlerRegistry(), InMemoryEventBus(), LiveAudience(self.users))
        self.held: dict[str, SessionToolset] = {}
        self.record_before: dict[str, User | None] = {}
        self.reached: set[str] = set()

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def teardown(self) -> None:
        self.loop.close()

    # -- bookkeeping around every change --------------------------------------------------------
    def _warm(self) -> None:
        """Every user has a cached toolset before the next change."""

        async def warm() -> None:
            for email in EMAILS:
                user = await self.users.get(email)
                if user is not None:
                    self.held[email] = await self.catalog.toolset(user)
                    self.record_before[email] = user

        self.run(warm())

    def _tool_change(self, before: Tool | None, after: Tool | None) -> None:
        self.reached = {
            email
            for email, user in self.record_before.items()
            if user is not None and any(visibility.can_access(user, t, frozenset()) for t in (before, after) if t)
        }

    # -- user changes ---------------------------------------------------------------------------
    @rule(email=emails, roles=role_sets)
    def add_or_set_roles(self, email: str, roles: tuple[str, ...]) -> None:
        self._warm()

        async def change() -> None:
            if await self.users.get(email) is None:
                await self.users.add(User(email, roles=roles))
            else:
                await self.users.update_fields(email, UserFields(roles=roles))

        self.run(change())
        self.reached = set()

    @rule(email=emails, tool_id=tool_ids)
    def share(self, email: str, tool_id: str) -> None:
        self._warm()

        async def change() -> None:
            if await self.users.get(email) is not None:
                await self.users.put_share(email, Share(tool_id, "a@x", AccessLevel.READ, None))

        self.run(change())
        self.reached = set()

    @rule(email=emails, tool_id=tool_ids)
    def unshare(self, email: str, tool_id: str) -> None:
        self._warm()

        async def change() -> None:
            if await self.users.get(email) is not None:
                await self.users.remove_shares(email, frozenset({tool_id}), None)

        self.run(change())
        self.reached = set()

    @rule(email=emails, tool_id=tool_ids, hide=st.booleans())
    def hide_or_unhide(self, email: str, tool_id: str, hide: bool) -> None:
        self._warm()

        async def change() -> None:
            if await self.users.get(email) is not None:
                if hide:
                    await self.users.add_hidden(email, [tool_id])
                else:
                    await self.users.remove_hidden(email, [tool_id])

        self.run(change())
        self.reached = set()

    @rule(email=emails)
    def delete_user(self, email: str) -> None:
        self._warm()
        self.run(self.users.delete(email))
        self.reached = set()

    # -- tool changes ---------------------------------------------------------------------------
    @rule(creator=creators, name=names, roles=permitted, always=st.booleans(), text=st.sampled_from(["", "x"]))
    def upsert_tool(self, creator: str, name: str, roles: tuple[str, ...] | None, always: bool, text: str) -> None:
        self._warm()
        tool = Tool(name, creator, {"type": "object"}, HandlerRef("echo"), text, roles_permitted=roles)
        tool = attrs.evolve(tool, always_visible=always)
        before = self.run(self.tools.get(creator, name))
        after = self.run(self.tools.upsert(tool))
        self._tool_change(before, after)

    @rule(creator=creators, name=names, roles=permitted)
    def update_tool(self, creator: str, name: str, roles: tuple[str, ...] | None) -> None:
        self._warm()
        before = self.run(self.tools.get(creator, name))
        if before is None:
            return
        after = self.run(self.tools.update(creator, name, {"roles_permitted": roles}))
        self._tool_change(before, after)

    @rule(creator=creators, name=names)
    def delete_tool(self, creator: str, name: str) -> None:
        self._warm()
        before = self.run(self.tools.get(creator, name))
        self.run(self.tools.delete(creator, name))
        self._tool_change(before, None)

    @rule(creator=creators, keep=names)
    def delete_by_creator(self, creator: str, keep: str) -> None:
        self._warm()
        gone = [t for t in self.run(self.tools.of_creator(creator)) if t.name != keep]
        self.run(self.tools.delete_by_creator(creator, frozenset({keep})))
        self.reached = {
            email
            for email, user in self.record_before.items()
            if user is not None and any(visibility.can_access(user, t, frozenset()) for t in gone)
        }

    # -- what must hold -------------------------------------------------------------------------
    @invariant()
    def toolsets_equal_a_build_from_scratch(self) -> None:
        async def check() -> None:
            stored = await self.tool_store.list_all()
            catalogue = await self.tools.list_all()
            assert {(t.creator, t.name, t.description, t.roles_permitted) for t in catalogue} == {
                (t.creator, t.name, t.description, t.roles_permitted) for t in stored
            }
            for email in EMAILS:
                user = await self.users.get(email)
                if user is None:
                    assert await self.user_store.get(email) is None
                    continue
                assert user == await self.user_store.get(email)
                kept = self.held.get(email)
                toolset = await self.catalog.toolset(user)
                scratch = SessionToolset.build(user, catalogue, frozenset())
                assert toolset.accessible == scratch.accessible
                assert toolset.visible == scratch.visible
                for name_or_id in (*NAMES, *NAMESPACED_IDS):  # admins resolve through the catalogue's indexes
                    assert toolset.resolve(name_or_id) == scratch.resolve(name_or_id), name_or_id
                assert {t.namespaced_id for t in toolset.accessible} == {
                    t.namespaced_id for t in visibility.accessible(user, stored, frozenset())
                }
                unaffected = email not in self.reached and self.record_before.get(email) == user
                if kept is not None and unaffected:
                    assert toolset is kept, f"{email}'s toolset was rebuilt by a change that does not reach them"

        self.run(check())


IncrementalToolsets.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
test_incremental_toolsets = IncrementalToolsets.TestCase
