"""The LRU cache against a plain model: capacity, weight bound, recency and eviction callbacks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dynamic_mcp.application.lru import LruCache

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.integers(0, 6), st.integers(0, 9)),
        st.tuples(st.just("get"), st.integers(0, 6), st.just(0)),
        st.tuples(st.just("pop"), st.integers(0, 6), st.just(0)),
    ),
    max_size=60,
)


@given(OPS, st.integers(1, 5), st.one_of(st.none(), st.integers(0, 20)))
def test_the_cache_keeps_the_most_recent_entries_within_both_bounds(
    ops: list[tuple[str, int, int]], capacity: int, max_weight: int | None
) -> None:
    evicted: list[int] = []
    cache: LruCache[int, int] = LruCache(
        capacity, on_evict=lambda k, _: evicted.append(k), weigh=lambda v: v, max_weight=max_weight
    )
    model: dict[int, int] = {}  # insertion order = recency, oldest first
    for op, key, value in ops:
        if op == "put":
            cache.put(key, value)
            model.pop(key, None)
            model[key] = value
            while len(model) > capacity or (
                max_weight is not None and sum(model.values()) > max_weight and len(model) > 1
            ):
                oldest = next(iter(model))
                del model[oldest]
                assert evicted.pop(0) == oldest
        elif op == "get":
            if key in model:
                model[key] = model.pop(key)
            assert cache.get(key) == model.get(key)
        else:
            model.pop(key, None)
            cache.pop(key)
        assert list(cache) == list(model)
        assert cache.weight == (sum(model.values()) if max_weight is not None else 0)
    assert evicted == []
