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

    def get(self, key: K) -> V | None:
        entry = self._entries.get(id(key))
        if entry is not None and entry[0]() is key:
            return entry[1]
        return None

    def put(self, key: K, value: V) -> V:
        ident = id(key)
        entries = self._entries

        def forget(ref: weakref.ref[K]) -> None:
            current = entries.get(ident)
            if current is not None and current[0] is ref:
                del entries[ident]

        entries[ident] = (weakref.ref(key, forget), value)
        return value

    def __len__(self) -> int:
        return len(self._entries)
