"""Rendering console pages: the shared layout context (who is signed in, navigation, CSRF)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from dynamic_mcp.adapters.http.console.services import CURRENT_KEY
from dynamic_mcp.adapters.http.console.session import CONSOLE_PATH, SECURITY_HEADERS
from dynamic_mcp.application.console_auth import CurrentSession

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
STATIC_PATH = f"{CONSOLE_PATH}/static"

# What a redirect after a change may announce: fixed texts only, so a link cannot put words in our mouth.
NOTICES = {
    "signed-out": "You are signed out.",
    "user-updated": "The user was updated.",
    "user-deleted": "The user was deleted.",
    "tool-saved": "The tool was saved; affected MCP clients were notified.",
    "tool-deleted": "The tool was deleted; affected MCP clients were notified.",
    "shared": "The tool was shared; the recipient's MCP clients were notified.",
    "unshared": "The share was removed; the recipient's MCP clients were notified.",
    "hidden": "Hidden from your MCP tool list.",
    "unhidden": "Shown in your MCP tool list again.",
    "prompt-saved": "The prompt was saved; affected MCP clients were notified.",
    "prompt-deleted": "The prompt was deleted; affected MCP clients were notified.",
    "session-closed": "The MCP session was closed on every instance.",
    "listener-closed": "The listen stream was asked to close; the instance holding it ends it.",
}

# (path under /console, label, admins only)
NAVIGATION: tuple[tuple[str, str, bool], ...] = (
    ("/my-tools", "My tools", False),
    ("/tools", "Tools", False),
    ("/prompts", "Prompts", False),
    ("/users", "Users", True),
    ("/sessions", "Sessions", True),
    ("/audit", "Audit", True),
    ("/health", "Health", True),
    ("/connect", "Connect a client", False),
    ("/my-key", "My key", False),
)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def page(
    request: Request[Any, Any, Any],
    template: str,
    title: str,
    *,
    section: str = "",
    status_code: int = 200,
    **context: Any,
) -> Template:
    current = request.state.get(CURRENT_KEY)
    user = current.user if isinstance(current, CurrentSession) else None
    nav = [
        {"href": CONSOLE_PATH + path, "label": label, "current": path == section}
        for path, label, admin_only in NAVIGATION
        if user is not None and (user.is_admin or not admin_only)
    ]
    base = {
        "title": title,
        "console": CONSOLE_PATH,
        "static": STATIC_PATH,
        "user": user,
        "csrf": current.session.csrf_token if isinstance(current, CurrentSession) else context.pop("csrf", ""),
        "nav": nav,
        "notice": context.pop("notice", None) or NOTICES.get(request.query_params.get("done") or ""),
        "error": context.pop("error", None),
    }
    return Template(
        template_name=template,
        context={**base, **context},
        status_code=status_code,
        headers=dict(SECURITY_HEADERS),
    )
