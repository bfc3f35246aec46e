"""Change events published after a change is stored (docs/protocol.md).

Each event names exactly the audience whose view changed; ``None`` means every session.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class ToolListChanged:
    emails: frozenset[str] | None


@attrs.frozen
class PromptListChanged:
    emails: frozenset[str] | None


@attrs.frozen
class UserSessionsRevoked:
    """The user's key was reset or the user deleted: their live sessions must end."""

    email: str


@attrs.frozen
class UserChanged:
    """A user record changed (roles, shares, hidden tools, key): caches of it are stale."""

    email: str


@attrs.frozen
class ResourceListChanged:
    emails: frozenset[str] | None


@attrs.frozen
class ResourceUpdated:
    """The content at ``uri`` changed; only sessions subscribed to it, of these users, are told."""

    uri: str
    emails: frozenset[str] | None


ChangeEvent = (
    ToolListChanged | PromptListChanged | UserSessionsRevoked | UserChanged | ResourceListChanged | ResourceUpdated
)
