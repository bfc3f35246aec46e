"""Domain objects as the JSON shapes clients see (camelCase, no key material)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dynamic_mcp.domain.sharing import Share
from dynamic_mcp.domain.users import User


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def share_json(share: Share) -> dict[str, Any]:
    return {
        "toolId": share.tool_id,
        "sharedBy": share.shared_by,
        "accessLevel": share.access_level.value,
        "sharedAt": iso(share.shared_at),
    }


def user_json(user: User, *, include_app_data: bool = False) -> dict[str, Any]:
    """The full record as callers may see it: the key's display prefix at most (docs/access.md)."""
    body: dict[str, Any] = {
        "email": user.email,
        "name": user.name,
        "roles": list(user.roles),
        "apiKeyPrefix": user.api_key.prefix if user.api_key else None,
        "sharedTools": [share_json(s) for s in user.shared_tools],
        "hiddenTools": list(user.hidden_tools),
        "createdAt": iso(user.created_at),
        "updatedAt": iso(user.updated_at),
    }
    if user.rate_limits:
        body["rateLimits"] = dict(user.rate_limits)
    if include_app_data:
        body["applicationAuthentication"] = dict(user.application_authentication or {})
    return body
