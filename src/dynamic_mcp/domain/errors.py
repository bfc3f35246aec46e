"""Domain errors. Every message is safe to show to the caller."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation; ``message`` is shown to clients as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing named does not exist (or must not be revealed to the caller)."""


class Forbidden(DomainError):
    """The caller exists but lacks the right for this action."""


class Conflict(DomainError):
    """The change clashes with existing state (duplicate name, email or key)."""


class Invalid(DomainError):
    """The input is malformed or breaks an invariant."""


class UpstreamFailed(DomainError):
    """Something a tool depends on failed or did not answer: the call is an ``error``, not the
    caller's ``invalid`` input."""


class StorageUnavailable(DomainError):
    """The store cannot be reached right now; the caller may retry."""


class UpstreamFailure(DomainError):
    """An upstream MCP server could not answer (timeout, refused, protocol error); the message names it."""
