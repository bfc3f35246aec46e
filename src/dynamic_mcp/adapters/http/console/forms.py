"""Reading HTML form fields: one value, several values, roles."""

from __future__ import annotations

from typing import Any

from litestar import Request

from dynamic_mcp.domain.roles import BUILT_IN_ROLES

MAX_FIELD = 100_000


async def form_of(request: Request[Any, Any, Any]) -> Any:
    return await request.form()


def text(form: Any, name: str, *, strip: bool = True) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    value = value[:MAX_FIELD]
    return value.strip() if strip else value


def values(form: Any, name: str) -> list[str]:
    getall = getattr(form, "getall", None)
    items = getall(name, []) if getall else [form.get(name)]
    return [v for v in items if isinstance(v, str) and v]


def roles(form: Any) -> list[str]:
    """Ticked built-in roles plus any others typed in, comma-separated, without duplicates."""
    picked = [r for r in values(form, "roles") if r in BUILT_IN_ROLES]
    others = [r.strip() for r in text(form, "other_roles").split(",") if r.strip()]
    return list(dict.fromkeys(picked + others))
