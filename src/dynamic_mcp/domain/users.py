"""Users and their API key digests (docs/access.md)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from dynamic_mcp.domain.roles import ADMIN, reach_roles
from dynamic_mcp.domain.sharing import Share, ShareKind

MAX_KEY_PREFIX = 8
"""No more of a key than this is ever shown (logs, responses, CLI output)."""


def display_prefix(text: str) -> str:
    """At most ``MAX_KEY_PREFIX`` characters: applied to every prefix, including ones read from an old database."""
    return text[:MAX_KEY_PREFIX]


def key_prefix(plain_key: str) -> str:
    """The display prefix of a plain key: a third of it at most, so a short key is not given away."""
    return display_prefix(plain_key[: len(plain_key) // 3])


@attrs.frozen
class ApiKeyDigest:
    """What is stored of a key: its hash and a short display prefix, never the key itself."""

    hash: str
    prefix: str = attrs.field(converter=display_prefix)


@attrs.frozen
class IssuedKey:
    """A freshly issued key: the only object that ever holds the plain secret."""

    plain: str
    digest: ApiKeyDigest


@attrs.frozen
class User:
    email: str
    name: str | None = None
    roles: tuple[str, ...] = ()
    api_key: ApiKeyDigest | None = None
    shared_tools: tuple[Share, ...] = ()
    hidden_tools: tuple[str, ...] = ()
    shared_resources: tuple[Share, ...] = ()
    """Resources shared with the user; ``tool_id`` holds the resource id (``creator:uri``)."""
    hidden_resources: tuple[str, ...] = ()
    application_authentication: Mapping[str, Any] | None = None
    application_authorization: Mapping[str, Any] | None = None
    rate_limits: Mapping[str, int] | None = None
    """Per-user overrides of the rate limits (``toolCalls``, ``api``, ``sessions`` per minute)."""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def shares_of(self, kind: ShareKind) -> tuple[Share, ...]:
        return self.shared_resources if kind is ShareKind.RESOURCE else self.shared_tools

    def hidden_of(self, kind: ShareKind) -> tuple[str, ...]:
        return self.hidden_resources if kind is ShareKind.RESOURCE else self.hidden_tools

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    def has_any_role(self, roles: tuple[str, ...] | frozenset[str] | None) -> bool:
        """Does the user reach something open to ``roles``? Built-in roles nest (see roles.py)."""
        if not roles:
            return False
        held = self.reach_roles
        return any(r in held for r in roles)

    @functools.cached_property
    def reach_roles(self) -> frozenset[str]:
        return reach_roles(self.roles)


EMAIL_PATTERN = re.compile(r"[^@\s:]+@[^@\s:]+")


def normalize_email(email: str) -> str:
    """Emails are exact-match ids (docs/access.md); only surrounding whitespace is dropped."""
    return email.strip()


def is_valid_email(email: str) -> bool:
    """One ``@``, no whitespace and no ``:`` (which would break namespaced ids ``creator:name``).

    Requiring ``@`` also keeps user ids apart from handler-package names and ``system``.
    """
    return EMAIL_PATTERN.fullmatch(email) is not None
