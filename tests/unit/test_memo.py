"""IdentityMemo: a value per live object, forgotten when the object goes."""

from __future__ import annotations

import gc

from dynamic_mcp.application.memo import IdentityMemo


class Thing:
    pass


def test_values_follow_their_objects_and_go_with_them() -> None:
    memo: IdentityMemo[Thing, int] = IdentityMemo()
    kept, dropped = Thing(), Thing()
    memo.put(kept, 1)
    memo.put(dropped, 2)
    memo.put(kept, 3)  # replaced, not added
    assert (memo.get(kept), memo.get(dropped), len(memo)) == (3, 2, 2)
    del dropped
    gc.collect()
    assert len(memo) == 1 and memo.get(kept) == 3
    assert memo.get(Thing()) is None
    many = [Thing() for _ in range(1000)]
    for i, thing in enumerate(many):
        memo.put(thing, i)
    del many, thing
    gc.collect()
    assert len(memo) == 1 and len(memo._owners) == 1
