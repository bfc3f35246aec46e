"""The console's cookie, sign-in check and CSRF check, run before every console handler.

Pages need a live console session (a random id in an HttpOnly, SameSite=Strict cookie); every
state-changing request also needs the session's CSRF token, in the form field ``csrf_token``
or the ``X-CSRF-Token`` header (htmx). The sign-in form, which has no session yet, uses a
double-submit token in a short-lived cookie of its own.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.response import Redirect

from dynamic_mcp.adapters.http.console.services import CURRENT_KEY, ConsoleServices
from dynamic_mcp.application.console_auth import tokens_match
from dynamic_mcp.application.context import enrich

CONSOLE_PATH = "/console"
SESSION_COOKIE = "dmcp_console"
SIGN_IN_COOKIE = "dmcp_console_signin"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = "console_public"
CONSOLE_DOOR = "console"
SIGN_IN_TOKEN_SECONDS = 3600

SECURITY_HEADERS = {
    # Everything comes from this origin; no inline script, no framing, forms post only here.
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",  # pages may hold a freshly issued key
}


def is_https(request: Request[Any, Any, Any]) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response[Any], request: Request[Any, Any, Any], session_id: str, ttl: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=ttl,
        path=CONSOLE_PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def clear_session_cookie(response: Response[Any], request: Request[Any, Any, Any]) -> None:
    response.delete_cookie(SESSION_COOKIE, path=CONSOLE_PATH)


def sign_in_token(request: Request[Any, Any, Any], response: Response[Any]) -> str:
    """The sign-in form's CSRF token: reuse the browser's, or issue one (double-submit cookie)."""
    token = request.cookies.get(SIGN_IN_COOKIE)
    if not token or len(token) > 128:
        token = secrets.token_urlsafe(32)
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=SIGN_IN_TOKEN_SECONDS,
        path=CONSOLE_PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )
    return token


def safe_next(target: str | None) -> str:
    """Only console paths of this site: never another host (no open redirect)."""
    if target and target.startswith(CONSOLE_PATH + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return CONSOLE_PATH + "/"


def _refusal(status: int, title: str, detail: str) -> Response[str]:
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>"
        f"{title}</title><link rel=stylesheet href={CONSOLE_PATH}/static/console.css></head><body><main>"
        f'<h1>{title}</h1><p class="error">{detail}</p>'
        f'<p><a href="{CONSOLE_PATH}/sign-in">Sign in</a></p></main></body></html>'
    )
    return Response(body, status_code=status, media_type="text/html", headers=SECURITY_HEADERS)


async def _submitted_token(request: Request[Any, Any, Any]) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def console_before_request(services: ConsoleServices) -> Any:
    async def before_request(request: Request[Any, Any, Any]) -> Response[Any] | None:
        unsafe = request.method not in SAFE_METHODS
        enrich(door=CONSOLE_DOOR)  # audit entries of this request (tool test-calls too) name the console
        if request.route_handler.opt.get(PUBLIC):
            if unsafe:
                expected = request.cookies.get(SIGN_IN_COOKIE) or ""
                if not expected or not tokens_match(expected, await _submitted_token(request)):
                    return _refusal(403, "Form expired", "The form expired or came from elsewhere; try again.")
            return None
        current = await services.auth.current(request.cookies.get(SESSION_COOKIE))
        if current is None:
            if unsafe:
                refused = _refusal(401, "Sign in required", "Your console session has ended. Sign in again.")
                refused.headers["HX-Redirect"] = f"{CONSOLE_PATH}/sign-in"
                return refused
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return Redirect(f"{CONSOLE_PATH}/sign-in?next={quote(target, safe='/')}", status_code=303)
        if unsafe and not tokens_match(current.session.csrf_token, await _submitted_token(request)):
            return _refusal(403, "Form expired", "The form's security token is missing or wrong. Reload and retry.")
        request.state[CURRENT_KEY] = current
        enrich(user_email=current.user.email)
        return None

    return before_request


async def security_headers(response: Response[Any]) -> Response[Any]:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
