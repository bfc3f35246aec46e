"""What an admin sees of a live MCP session: never its whole id (a bearer of the session)."""

from __future__ import annotations

import attrs


@attrs.frozen
class LiveSessionView:
    handle: str  # a digest of the session id: names the session in forms without revealing it
    id_prefix: str
    email: str
    client: str
    instance: str
    age_seconds: float
    idle_seconds: float
