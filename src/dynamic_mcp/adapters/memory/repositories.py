"""In-memory repositories: a first-class store for development, demos and tests (docs/configuration.md).

Concurrency: every method mutates state without awaiting in between, so on one event loop each
operation is atomic, the same guarantee the MongoDB adapter gets from single-document operators.
Records are immutable attrs objects, so nothing handed out can be changed behind the store's back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from dynamic_mcp.domain.errors import Conflict, NotFound
from dynamic_mcp.domain.prompts import Prompt
from dynamic_mcp.domain.sharing import Share, ShareKind, with_share, without_shares
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.users import ApiKeyDigest, User
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.repositories import PromptRepository, ToolRepository, UserFields, UserRepository

# the User attribute holding each kind's shares / hidden ids
_SHARES = {ShareKind.TOOL: "shared_tools", ShareKind.RESOURCE: "shared_resources"}
_HIDDEN = {ShareKind.TOOL: "hidden_tools", ShareKind.RESOURCE: "hidden_resources"}


class InMemoryUserRepository(UserRepository):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._users: dict[str, User] = {}
        self._by_key: dict[str, str] = {}

    async def get(self, email: str) -> User | None:
        return self._users.get(email)

    async def get_by_key_hash(self, key_hash: str) -> User | None:
        email = self._by_key.get(key_hash)
        return self._users.get(email) if email else None

    async def list_users(self, name_contains: str | None = None, skip: int = 0, limit: int | None = None) -> list[User]:
        users = sorted(self._users.values(), key=lambda u: u.email)
        if name_contains:
            needle = name_contains.lower()
            users = [u for u in users if u.name and needle in u.name.lower()]
        end = None if limit is None else skip + limit
        return users[skip:end]

    async def add(self, user: User) -> User:
        if user.email in self._users:
            raise Conflict(f"User '{user.email}' already exists")
        if user.api_key and user.api_key.hash in self._by_key:
            raise Conflict("API key already in use")
        now = self._clock.now()
        stored = attrs.evolve(user, created_at=user.created_at or now, updated_at=user.updated_at or now)
        self._users[user.email] = stored
        if user.api_key:
            self._by_key[user.api_key.hash] = user.email
        return stored

    def _replace(self, email: str, **changes: Any) -> User:
        current = self._users.get(email)
        if current is None:
            raise NotFound(f"User '{email}' not found")
        updated = attrs.evolve(current, updated_at=self._clock.now(), **changes)
        self._users[email] = updated
        return updated

    async def update_fields(self, email: str, fields: UserFields) -> User:
        return self._replace(email, **fields.given())

    async def set_api_key(self, email: str, digest: ApiKeyDigest) -> User:
        current = self._users.get(email)
        if current is None:  # a missing user is NotFound even with a taken key, as in MongoDB
            raise NotFound(f"User '{email}' not found")
        owner = self._by_key.get(digest.hash)
        if owner is not None and owner != email:
            raise Conflict("API key already in use")
        if current.api_key:
            self._by_key.pop(current.api_key.hash, None)
        self._by_key[digest.hash] = email
        return self._replace(email, api_key=digest)

    async def put_share(self, email: str, share: Share, kind: ShareKind = ShareKind.TOOL) -> User:
        current = self._users.get(email)
        if current is None:
            raise NotFound(f"User '{email}' not found")
        return self._replace(email, **{_SHARES[kind]: with_share(current.shares_of(kind), share)})

    async def remove_shares(
        self, email: str, tool_ids: frozenset[str], shared_by: str | None, kind: ShareKind = ShareKind.TOOL
    ) -> User:
        current = self._users.get(email)
        if current is None:
            raise NotFound(f"User '{email}' not found")
        return self._replace(email, **{_SHARES[kind]: without_shares(current.shares_of(kind), tool_ids, shared_by)})

    async def add_hidden(self, email: str, tool_ids: Sequence[str], kind: ShareKind = ShareKind.TOOL) -> User:
        current = self._users.get(email)
        if current is None:
            raise NotFound(f"User '{email}' not found")
        merged = tuple(dict.fromkeys((*current.hidden_of(kind), *tool_ids)))
        return self._replace(email, **{_HIDDEN[kind]: merged})

    async def remove_hidden(self, email: str, tool_ids: Sequence[str], kind: ShareKind = ShareKind.TOOL) -> User:
        current = self._users.get(email)
        if current is None:
            raise NotFound(f"User '{email}' not found")
        drop = set(tool_ids)
        return self._replace(email, **{_HIDDEN[kind]: tuple(t for t in current.hidden_of(kind) if t not in drop)})

    async def remove_hidden_everywhere(self, tool_id: str) -> list[str]:
        changed = [u.email for u in self._users.values() if tool_id in u.hidden_tools]
        for email in changed:
            hidden = tuple(t for t in self._users[email].hidden_tools if t != tool_id)
            self._replace(email, hidden_tools=hidden)
        return changed

    async def forget_tools_everywhere(self, tool_ids: frozenset[str]) -> list[str]:
        changed = []
        for email, current in list(self._users.items()):
            shares = tuple(s for s in current.shared_tools if s.tool_id not in tool_ids)
            hidden = tuple(t for t in current.hidden_tools if t not in tool_ids)
            if shares != current.shared_tools or hidden != current.hidden_tools:
                self._replace(email, shared_tools=shares, hidden_tools=hidden)
                changed.append(email)
        return changed

    async def set_app_params(self, email: str, app_key: str, params: Mapping[str, Any] | None) -> User:
        current = self._users.get(email)
        if current is None:
            raise NotFound(f"User '{email}' not found")
        data = dict(current.application_authentication or {})
        data[app_key] = params
        return self._replace(email, application_authentication=data)

    async def delete(self, email: str) -> bool:
        user = self._users.pop(email, None)
        if user is None:
            return False
        if user.api_key:
            self._by_key.pop(user.api_key.hash, None)
        return True


class InMemoryToolRepository(ToolRepository):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tools: dict[tuple[str, str], Tool] = {}

    async def list_all(self) -> list[Tool]:
        return list(self._tools.values())

    async def get(self, creator: str, name: str) -> Tool | None:
        return self._tools.get((creator, name))

    async def upsert(self, tool: Tool) -> Tool:
        key = (tool.creator, tool.name)
        previous = self._tools.get(key)
        now = self._clock.now()
        created = previous.created_at if previous and previous.created_at else (tool.created_at or now)
        stored = attrs.evolve(tool, created_at=created, updated_at=tool.updated_at or now)
        self._tools[key] = stored
        return stored

    async def update(self, creator: str, name: str, changes: Mapping[str, Any]) -> Tool:
        current = self._tools.get((creator, name))
        if current is None:
            raise NotFound(f"Tool with name '{name}' not found")
        fields = {"updated_at": self._clock.now(), **changes}
        updated = attrs.evolve(current, **fields)
        self._tools[(creator, name)] = updated
        return updated

    async def delete(self, creator: str, name: str) -> bool:
        return self._tools.pop((creator, name), None) is not None

    async def delete_by_creator(self, creator: str, keep_names: frozenset[str] = frozenset()) -> int:
        doomed = [k for k in self._tools if k[0] == creator and k[1] not in keep_names]
        for key in doomed:
            del self._tools[key]
        return len(doomed)


class InMemoryPromptRepository(PromptRepository):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._prompts: dict[str, Prompt] = {}

    async def list_all(self) -> list[Prompt]:
        return list(self._prompts.values())

    async def get(self, name: str) -> Prompt | None:
        return self._prompts.get(name)

    async def add(self, prompt: Prompt) -> Prompt:
        if prompt.name in self._prompts:
            raise Conflict(f'Prompt with name "{prompt.name}" already exists')
        return await self.upsert(prompt)

    async def upsert(self, prompt: Prompt) -> Prompt:
        previous = self._prompts.get(prompt.name)
        now = self._clock.now()
        created = previous.created_at if previous and previous.created_at else (prompt.created_at or now)
        stored = attrs.evolve(prompt, created_at=created, updated_at=prompt.updated_at or now)
        self._prompts[prompt.name] = stored
        return stored

    async def update(self, name: str, changes: Mapping[str, Any]) -> Prompt:
        current = self._prompts.get(name)
        if current is None:
            raise NotFound(f"Prompt '{name}' not found")
        updated = attrs.evolve(current, **{"updated_at": self._clock.now(), **changes})
        self._prompts[name] = updated
        return updated

    async def delete(self, name: str) -> bool:
        return self._prompts.pop(name, None) is not None

    async def delete_by_creator(self, created_by: str, keep_names: frozenset[str] = frozenset()) -> int:
        doomed = [n for n, p in self._prompts.items() if p.created_by == created_by and n not in keep_names]
        for name in doomed:
            del self._prompts[name]
        return len(doomed)
