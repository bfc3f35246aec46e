"""The cached catalogue stays equal to the store through any sequence of writes made through it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dynamic_mcp.adapters.memory.repositories import InMemoryToolRepository
from dynamic_mcp.adapters.system.clock import SystemClock
from dynamic_mcp.application.caching import CachedToolRepository
from dynamic_mcp.domain.tools import HandlerRef, Tool

CREATORS = st.sampled_from(["a@x", "b@x", "pkg"])
NAMES = st.sampled_from(["t1", "t2", "t3"])
WRITES = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), CREATORS, NAMES, st.text(max_size=3)),
        st.tuples(st.just("update"), CREATORS, NAMES, st.text(max_size=3)),
        st.tuples(st.just("delete"), CREATORS, NAMES, st.just("")),
        st.tuples(st.just("delete_by_creator"), CREATORS, NAMES, st.just("")),
        st.tuples(st.just("read"), CREATORS, NAMES, st.just("")),
    ),
    max_size=25,
)


def key(tools: list[Tool]) -> set[tuple[str, str, str | None]]:
    return {(t.creator, t.name, t.description) for t in tools}


@settings(max_examples=300)
@given(WRITES)
async def test_cached_catalogue_matches_the_store(writes: list[tuple[str, str, str, str]]) -> None:
    store = InMemoryToolRepository(SystemClock())
    cache = CachedToolRepository(store)
    for op, creator, name, text in writes:
        if op == "upsert":
            await cache.upsert(Tool(name, creator, {"type": "object"}, HandlerRef("echo"), description=text))
        elif op == "update" and await store.get(creator, name) is not None:
            await cache.update(creator, name, {"description": text})
        elif op == "delete":
            await cache.delete(creator, name)
        elif op == "delete_by_creator":
            await cache.delete_by_creator(creator, frozenset({name}))
        else:
            assert await cache.get(creator, name) == await store.get(creator, name)
        assert key(await cache.list_all()) == key(await store.list_all())


async def test_a_tool_written_by_another_writer_is_found_before_its_change_arrives() -> None:
    """A share made on this instance right after a create on another must find the tool."""
    store = InMemoryToolRepository(SystemClock())
    cache = CachedToolRepository(store)
    assert await cache.list_all() == []  # the catalogue is loaded, and empty
    written = await store.upsert(Tool("greet", "p@x", {"type": "object"}, HandlerRef("echo")))  # elsewhere
    assert await cache.get("p@x", "greet") == written
    assert [t.name for t in await cache.list_all()] == ["greet"]  # patched in, as the feed would
