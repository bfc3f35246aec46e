"""Values derived from objects, remembered by the object's identity for as long as it lives.

Tools and listed tools are frozen but unhashable (they hold dicts), and a catalogue of 10,000 of
them is shared by every user's toolset: deriving something once per object, not once per user
and request, needs an identity map that forgets an object when it is garbage-collected.
"""

from __future__ import annotations

import weakref
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[K], V]] = {}
        # id(weak reference) -> id(object): one shared callback instead of a closure per entry,
        # which at 100,000 tools is a few hundred bytes each.
        self._owners: dict[int, int] = {}

    def get(self, key: K) -> V | None:
        entry = self._entries.get(id(key))
        if entry is not None and entry[0]() is key:
            return entry[1]
        return None

    def put(self, key: K, value: V) -> V:
        ident = id(key)
        ref = weakref.ref(key, self._forget)
        previous = self._entries.get(ident)
        if previous is not None:
            self._owners.pop(id(previous[0]), None)
        self._entries[ident] = (ref, value)
        self._owners[id(ref)] = ident
        return value

    def _forget(self, ref: weakref.ref[K]) -> None:
        ident = self._owners.pop(id(ref), None)
        current = self._entries.get(ident) if ident is not None else None
        if current is not None and current[0] is ref:
            del self._entries[ident]  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._entries)
