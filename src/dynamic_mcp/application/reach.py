"""Users indexed by what makes a tool or prompt reach them (docs/access.md), so the users a change
affects are found from the change, in proportion to how many it affects, never by testing every user.

A tool (prompt, resource) reaches a user who is an admin, who created it, whose (nested, ADR 0015)
roles meet its ``rolesPermitted``, or who holds a share of it (tools and resources: by id; tools also by
a legacy plain-name share); a ``system`` or open item reaches everyone. ``reached_by`` answers
exactly what ``visibility.reaches`` answers for each indexed user (tests/unit/test_reach_index.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.tools import NAMESPACE_SEPARATOR, SYSTEM_CREATOR, Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.domain.visibility import Guarded


def _add(index: dict[str, set[str]], key: str, email: str) -> None:
    index.setdefault(key, set()).add(email)


def _discard(index: dict[str, set[str]], key: str, email: str) -> None:
    emails = index.get(key)
    if emails is not None:
        emails.discard(email)
        if not emails:
            del index[key]


class ReachIndex:
    def __init__(self) -> None:
        self._users: dict[str, User] = {}
        self._admins: set[str] = set()
        self._by_role: dict[str, set[str]] = {}
        self._by_shared_id: dict[str, set[str]] = {}
        self._by_shared_name: dict[str, set[str]] = {}
        self._by_shared_resource: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._users)

    def __contains__(self, email: object) -> bool:
        return email in self._users

    def __iter__(self) -> Iterator[User]:
        return iter(self._users.values())

    def get(self, email: str) -> User | None:
        return self._users.get(email)

    def emails(self) -> frozenset[str]:
        return frozenset(self._users)

    def put(self, user: User) -> None:
        """Index ``user`` (replacing the record indexed for that email)."""
        if self._users.get(email := user.email) is user:
            return
        self.remove(email)
        self._users[email] = user
        if user.is_admin:
            self._admins.add(email)
        for role in user.reach_roles:
            _add(self._by_role, role, email)
        for share in user.shared_tools:
            by = self._by_shared_id if NAMESPACE_SEPARATOR in share.tool_id else self._by_shared_name
            _add(by, share.tool_id, email)
        for share in user.shared_resources:
            _add(self._by_shared_resource, share.tool_id, email)

    def remove(self, email: str) -> User | None:
        user = self._users.pop(email, None)
        if user is None:
            return None
        self._admins.discard(email)
        for role in user.reach_roles:
            _discard(self._by_role, role, email)
        for share in user.shared_tools:
            by = self._by_shared_id if NAMESPACE_SEPARATOR in share.tool_id else self._by_shared_name
            _discard(by, share.tool_id, email)
        for share in user.shared_resources:
            _discard(self._by_shared_resource, share.tool_id, email)
        return user

    def clear(self) -> None:
        for index in (self._users, self._by_role, self._by_shared_id, self._by_shared_name, self._by_shared_resource):
            index.clear()
        self._admins.clear()

    def reached_by(self, items: Iterable[Guarded | None]) -> set[str]:
        """Emails of the indexed users any of ``items`` reaches (``visibility.reaches``): tools,
        prompts and resources alike; tools and resources are shared, prompts not."""
        found: set[str] = set()
        first = True
        for item in items:
            if item is None:
                continue
            if item.creator == SYSTEM_CREATOR or item.open_to_all:
                return set(self._users)
            if first:
                found |= self._admins
                first = False
            if item.creator in self._users:
                found.add(item.creator)
            for role in item.roles_permitted or ():
                found |= self._by_role.get(role, set())
            if isinstance(item, Tool):
                namespaced, plain = item.share_names
                found |= self._by_shared_id.get(namespaced, set())
                if plain is not None:
                    found |= self._by_shared_name.get(plain, set())
            elif isinstance(item, Resource):
                found |= self._by_shared_resource.get(item.share_names[0], set())
        return found
