"""A bounded set of metric labels for runtime tools: the most-called ones keep their own label,
the rest count as ``other``, so a server with 100,000 tools never exports 100,000 series."""

from __future__ import annotations

OTHER = "other"


class ToolLabelBudget:
    """Admits up to ``capacity`` runtime tools. Once full, a tool takes the place of the least-called
    labelled one only when it has been called at least twice as often (hysteresis, so two tools of
    equal traffic do not swap on every call). Counts are kept for at most ``4 * capacity`` tools."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._labelled: dict[str, int] = {}
        self._waiting: dict[str, int] = {}
        self.evicted: list[str] = []
        """Labels dropped since the caller last cleared this list (their series can be removed)."""

    def label(self, tool_id: str) -> str:
        if tool_id in self._labelled:
            self._labelled[tool_id] += 1
            return tool_id
        if self.capacity <= 0:
            return OTHER
        if len(self._labelled) < self.capacity:
            self._labelled[tool_id] = 1
            return tool_id
        count = self._waiting.get(tool_id, 0) + 1
        least = min(self._labelled, key=self._labelled.__getitem__)
        if count >= 2 * self._labelled[least]:
            del self._labelled[least]
            self._waiting.pop(tool_id, None)
            self._labelled[tool_id] = count
            self.evicted.append(least)
            return tool_id
        self._waiting[tool_id] = count
        if len(self._waiting) > 4 * self.capacity:
            # Forget the long tail (the lower half), keeping the contenders.
            keep = sorted(self._waiting.items(), key=lambda kv: kv[1], reverse=True)[: 2 * self.capacity]
            self._waiting = dict(keep)
        return OTHER

    @property
    def labelled(self) -> frozenset[str]:
        return frozenset(self._labelled)
