"""The Mongo user and tool repositories behave like the in-memory ones under random operations.

A hypothesis RuleBasedStateMachine applies each operation to both stores and checks after every
step that they answered alike (same result or same error) and now hold the same records
(timestamps aside: each store stamps its own).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from pymongo import AsyncMongoClient

from dynamic_mcp.adapters.memory.repositories import InMemoryToolRepository, InMemoryUserRepository
from dynamic_mcp.adapters.mongo.client import connect_and_prepare
from dynamic_mcp.adapters.mongo.repositories import MongoToolRepository, MongoUserRepository
from dynamic_mcp.domain.errors import DomainError
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import HandlerRef, Tool, namespaced_id
from dynamic_mcp.domain.users import ApiKeyDigest, User
from tests.contract.conftest import TickingClock

# Small pools, so operations often hit the same user, tool and (toolId, sharedBy) pair.
EMAILS = ["ann@x.com", "bob@x.com"]
emails = st.sampled_from(EMAILS)
creators = st.sampled_from(["ann@x.com", "pkg"])
tool_names = st.sampled_from(["echo", "fetch"])
tool_ids = st.sampled_from([namespaced_id("ann@x.com", "echo"), namespaced_id("pkg", "echo"), "echo"])
KEY_HASHES = ["k1", "k2"]
key_hashes = st.sampled_from(KEY_HASHES)
SCHEMA = {"type": "object"}


def untimed(value: Any) -> Any:
    """A record (or list of records) with the store-assigned timestamps blanked."""
    if isinstance(value, list):
        return [untimed(v) for v in value]
    if isinstance(value, User | Tool):
        return attrs.evolve(value, created_at=None, updated_at=None)
    return value


class MongoAgreesWithMemory(RuleBasedStateMachine):
    uri: str = ""
    new_database_name: Callable[[str], str]

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.db_name = self.new_database_name("machine")
        clock = TickingClock()
        self.memory_users, self.memory_tools = InMemoryUserRepository(clock), InMemoryToolRepository(clock)
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.uri, tz_aware=True)
        db = self.runner.run(connect_and_prepare(self.client, self.db_name))
        self.mongo_users, self.mongo_tools = MongoUserRepository(db, clock), MongoToolRepository(db, clock)
        self.when = clock.now()

    def teardown(self) -> None:
        try:
            self.runner.run(self.client.close())
        finally:
            self.runner.close()

    def both(self, call: Callable[[Any], Awaitable[Any]], users: bool = True) -> None:
        """Run ``call`` on each store's repository and require the same outcome."""
        memory, mongo = (self.memory_users, self.mongo_users) if users else (self.memory_tools, self.mongo_tools)
        outcomes = [self.runner.run(self._outcome(call(repo))) for repo in (memory, mongo)]
        assert outcomes[0] == outcomes[1], outcomes

    @staticmethod
    async def _outcome(awaitable: Awaitable[Any]) -> tuple[str, Any]:
        try:
            result = await awaitable
        except DomainError as exc:
            return ("error", type(exc).__name__)
        return (
            "ok",
            sorted(result) if isinstance(result, list) and all(isinstance(r, str) for r in result) else untimed(result),
        )

    @initialize()
    def start_with_users_that_share_and_hide(self) -> None:
        """Every user holds a tool shared by two sharers and one hidden tool, so removals have work."""
        for email in EMAILS:
            self.both(lambda repo, email=email: repo.add(User(email=email, name=email[:3])))
            for sharer in ("ann@x.com", "pkg"):
                share = Share(namespaced_id("pkg", "echo"), sharer, AccessLevel.READ, self.when)
                self.both(lambda repo, email=email, share=share: repo.put_share(email, share))
            self.both(lambda repo, email=email: repo.add_hidden(email, [namespaced_id("ann@x.com", "echo")]))

    @rule(email=emails, name=st.none() | st.sampled_from(["Ann", "bob"]), key=st.none() | key_hashes)
    def add_user(self, email: str, name: str | None, key: str | None) -> None:
        digest = ApiKeyDigest(key, key[:1]) if key else None
        self.both(lambda repo: repo.add(User(email=email, name=name, api_key=digest)))

    @rule(email=emails, tool_id=tool_ids, sharer=creators, level=st.sampled_from(AccessLevel))
    def put_share(self, email: str, tool_id: str, sharer: str, level: AccessLevel) -> None:
        share = Share(tool_id, sharer, level, self.when)
        self.both(lambda repo: repo.put_share(email, share))

    @rule(email=emails, ids=st.frozensets(tool_ids, max_size=2), sharer=st.none() | creators)
    def remove_shares(self, email: str, ids: frozenset[str], sharer: str | None) -> None:
        self.both(lambda repo: repo.remove_shares(email, ids, sharer))

    @rule(email=emails, ids=st.lists(tool_ids, max_size=3))
    def add_hidden(self, email: str, ids: list[str]) -> None:
        self.both(lambda repo: repo.add_hidden(email, ids))

    @rule(email=emails, ids=st.lists(tool_ids, max_size=2))
    def remove_hidden(self, email: str, ids: list[str]) -> None:
        self.both(lambda repo: repo.remove_hidden(email, ids))

    @rule(tool_id=tool_ids)
    def remove_hidden_everywhere(self, tool_id: str) -> None:
        self.both(lambda repo: repo.remove_hidden_everywhere(tool_id))

    @rule(ids=st.frozensets(tool_ids, max_size=2))
    def forget_tools_everywhere(self, ids: frozenset[str]) -> None:
        self.both(lambda repo: repo.forget_tools_everywhere(ids))

    @rule(email=emails, key=key_hashes)
    def set_api_key(self, email: str, key: str) -> None:
        self.both(lambda repo: repo.set_api_key(email, ApiKeyDigest(key, key[:1])))

    @rule(email=emails)
    def delete_user(self, email: str) -> None:
        self.both(lambda repo: repo.delete(email))

    @rule(creator=creators, name=tool_names, description=st.none() | st.sampled_from(["a", "b"]))
    def upsert_tool(self, creator: str, name: str, description: str | None) -> None:
        tool = Tool(name=name, creator=creator, input_schema=SCHEMA, handler=HandlerRef("p"), description=description)
        self.both(lambda repo: repo.upsert(tool), users=False)

    @rule(creator=creators, name=tool_names)
    def delete_tool(self, creator: str, name: str) -> None:
        self.both(lambda repo: repo.delete(creator, name), users=False)

    @rule(creator=creators, keep=st.frozensets(tool_names, max_size=1))
    def delete_tools_by_creator(self, creator: str, keep: frozenset[str]) -> None:
        self.both(lambda repo: repo.delete_by_creator(creator, keep), users=False)

    @invariant()
    def stores_hold_the_same_records(self) -> None:
        async def snapshot(users: Any, tools: Any) -> tuple[Any, ...]:
            listed = await users.list_users()
            by_key = [await users.get_by_key_hash(k) for k in KEY_HASHES]
            all_tools = sorted(await tools.list_all(), key=lambda t: t.namespaced_id)
            return untimed(listed), untimed([u for u in by_key if u]), untimed(all_tools)

        memory = self.runner.run(snapshot(self.memory_users, self.memory_tools))
        mongo = self.runner.run(snapshot(self.mongo_users, self.mongo_tools))
        assert memory == mongo


def test_mongo_repositories_agree_with_memory(mongo_uri: str, fresh_database_name: Callable[[str], str]) -> None:
    machine = type(
        "Machine", (MongoAgreesWithMemory,), {"uri": mongo_uri, "new_database_name": staticmethod(fresh_database_name)}
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
