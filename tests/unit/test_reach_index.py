"""The reach index answers who a change reaches exactly as the access rules do, from indexes; the
live audience is that answer among the users with a session or listener here."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dynamic_mcp.adapters.memory.repositories import InMemoryUserRepository
from dynamic_mcp.application.audience import LiveAudience
from dynamic_mcp.application.caching import CachedUserRepository
from dynamic_mcp.application.reach import ReachIndex
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.events import UserChanged
from dynamic_mcp.domain.prompts import Prompt, can_see_prompt
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import HandlerRef, Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.repositories import UserFields
from tests.unit.support import TickingClock

EMAILS = ["a@x", "b@x", "c@x", "d@x"]
ROLES = ["admin", "power-user", "user", "custom"]
CREATORS = [*EMAILS, "system", "pkg"]
NAMES = ["t1", "t2"]
TOOL_IDS = [f"{c}:{n}" for c in CREATORS for n in NAMES] + NAMES

tools = st.builds(
    lambda name, creator, roles, always: Tool(
        name, creator, {"type": "object"}, HandlerRef("echo"), roles_permitted=roles, always_visible=always
    ),
    st.sampled_from(NAMES),
    st.sampled_from(CREATORS),
    st.one_of(st.none(), st.lists(st.sampled_from(ROLES), max_size=2).map(tuple)),
    st.booleans(),
)
users = st.builds(
    lambda email, roles, shares: User(
        email, roles=roles, shared_tools=tuple(Share(t, "a@x", AccessLevel.READ, None) for t in shares)
    ),
    st.sampled_from(EMAILS),
    st.lists(st.sampled_from(ROLES), max_size=2, unique=True).map(tuple),
    st.lists(st.sampled_from(TOOL_IDS), max_size=3, unique=True),
)
prompts = st.builds(
    lambda creator, roles, always: Prompt(
        "p", HandlerRef("echo"), creator, roles_permitted=roles, always_visible=always
    ),
    st.sampled_from(CREATORS),
    st.one_of(st.none(), st.lists(st.sampled_from(ROLES), max_size=2).map(tuple)),
    st.booleans(),
)


@given(st.lists(users, max_size=6), st.lists(st.one_of(st.none(), tools), max_size=3), st.lists(prompts, max_size=2))
def test_the_index_finds_exactly_the_users_the_rules_let_reach(
    records: list[User], changed: list[Tool | None], changed_prompts: list[Prompt]
) -> None:
    index = ReachIndex()
    latest: dict[str, User] = {}
    for user in records:  # a later record of the same email replaces the earlier one
        index.put(user)
        latest[user.email] = user
    present = [t for t in changed if t is not None]
    assert index.reached_by(changed) == {
        u.email for u in latest.values() if any(visibility.can_access(u, t, frozenset()) for t in present)
    }
    assert index.reached_by(changed_prompts) == {
        u.email for u in latest.values() if any(can_see_prompt(u, p) for p in changed_prompts)
    }
    for email in list(latest)[:2]:
        index.remove(email)
        del latest[email]
    assert index.reached_by(changed) == {
        u.email for u in latest.values() if any(visibility.can_access(u, t, frozenset()) for t in present)
    }


class NoListing(InMemoryUserRepository):
    async def list_users(self, *args: Any, **kwargs: Any) -> list[User]:
        raise AssertionError("an audience must never list every user")


TOOL = Tool("t", "c@x", {"type": "object"}, HandlerRef("echo"), roles_permitted=("custom",))


async def test_only_live_users_are_told_and_a_changed_record_is_read_again() -> None:
    store = NoListing(TickingClock())
    cache = CachedUserRepository(store)
    for user in (User("a@x", roles=("user",)), User("b@x", roles=("custom",)), User("c@x"), User("d@x")):
        await store.add(user)
    live = LiveAudience(cache)
    await cache.get("b@x")
    live.join("b@x")  # its record is at hand
    live.join("a@x")  # not cached: read when an audience is needed (role user: not reached)
    assert await live.reached_by([TOOL]) == {"b@x"}
    assert "a@x" in live and "d@x" not in live

    await cache.update_fields("a@x", UserFields(roles=("custom",)))
    await live.on_event(UserChanged("a@x"))
    assert await live.reached_by([TOOL]) == {"a@x", "b@x"}

    live.join("b@x")
    live.leave("b@x")
    assert await live.reached_by([TOOL]) == {"a@x", "b@x"}  # one of two sessions left: still live
    live.leave("b@x")
    assert await live.reached_by([TOOL]) == {"a@x"}
    live.join("c@x")  # the creator
    assert await live.reached_by([TOOL]) == {"a@x", "c@x"}
