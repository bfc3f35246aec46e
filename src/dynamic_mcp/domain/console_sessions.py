"""Browser console sign-ins (docs/console.md): what the server keeps of one, never the secret."""

from __future__ import annotations

from datetime import datetime

import attrs


@attrs.frozen
class ConsoleSession:
    """A signed-in browser. ``id_hash`` is the SHA-256 of the random id held by the cookie, so a
    leaked store cannot be replayed; ``key_hash`` is the user's key digest at sign-in, so a key
    reset (or a deleted user) ends the session at its next request."""

    id_hash: str
    email: str
    key_hash: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at
