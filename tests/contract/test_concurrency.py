"""Concurrent changes to one user never lose each other (single-document atomic updates)."""

from __future__ import annotations

import asyncio

from dynamic_mcp.domain.sharing import Share
from dynamic_mcp.domain.users import User
from tests.contract.conftest import Repositories

N = 50


async def test_fifty_concurrent_shares_from_different_sharers_all_survive(repos: Repositories) -> None:
    await repos.users.add(User(email="target@example.com"))
    shares = [Share("owner@example.com:tool", f"sharer{i}@example.com") for i in range(N)]
    await asyncio.gather(*(repos.users.put_share("target@example.com", s) for s in shares))
    stored = await repos.users.get("target@example.com")
    assert stored is not None
    assert sorted(s.shared_by for s in stored.shared_tools) == sorted(s.shared_by for s in shares)


async def test_concurrent_reshares_by_one_sharer_leave_exactly_one_share(repos: Repositories) -> None:
    await repos.users.add(User(email="target@example.com"))
    await asyncio.gather(
        *(repos.users.put_share("target@example.com", Share("o:t", "bob@example.com")) for _ in range(N))
    )
    stored = await repos.users.get("target@example.com")
    assert stored is not None and stored.shared_tools == (Share("o:t", "bob@example.com"),)


async def test_concurrent_hides_all_survive_without_duplicates(repos: Repositories) -> None:
    await repos.users.add(User(email="target@example.com"))
    ids = [f"owner@example.com:tool{i}" for i in range(N)]
    await asyncio.gather(*(repos.users.add_hidden("target@example.com", [tool_id, ids[0]]) for tool_id in ids))
    stored = await repos.users.get("target@example.com")
    assert stored is not None
    assert sorted(stored.hidden_tools) == sorted(ids)
