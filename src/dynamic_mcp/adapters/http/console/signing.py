"""Sign in with an API key, sign out, and the console's front door."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from dynamic_mcp.adapters.http.console.render import page
from dynamic_mcp.adapters.http.console.services import Svc
from dynamic_mcp.adapters.http.console.session import (
    CONSOLE_PATH,
    PUBLIC,
    SESSION_COOKIE,
    clear_session_cookie,
    safe_next,
    set_session_cookie,
    sign_in_token,
)
from dynamic_mcp.domain.limits import RateLimited

MAX_KEY_LENGTH = 512


def _sign_in_page(request: Request[Any, Any, Any], *, next_path: str, error: str | None, status: int) -> Template:
    response = page(request, "sign_in.html", "Sign in", status_code=status, next=next_path, error=error, csrf="")
    response.context["csrf"] = sign_in_token(request, response)
    return response


def _source(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client is not None else ""


@get("/sign-in", opt={PUBLIC: True}, name="console:sign-in")
async def sign_in_form(request: Request[Any, Any, Any], svc: Svc) -> Template | Redirect:
    next_path = safe_next(request.query_params.get("next"))
    if await svc.auth.current(request.cookies.get(SESSION_COOKIE)) is not None:
        return Redirect(next_path, status_code=303)
    return _sign_in_page(request, next_path=next_path, error=None, status=200)


@post("/sign-in", opt={PUBLIC: True}, status_code=303)
async def sign_in(request: Request[Any, Any, Any], svc: Svc) -> Template | Redirect:
    form = await request.form()
    key = form.get("api_key")
    next_path = safe_next(form.get("next") if isinstance(form.get("next"), str) else None)
    attempt = key if isinstance(key, str) and len(key) <= MAX_KEY_LENGTH else ""
    try:
        signed_in = await svc.auth.sign_in(attempt, _source(request))
    except RateLimited as exc:
        refused = _sign_in_page(
            request,
            next_path=next_path,
            error=f"Too many sign-in attempts. Try again in {exc.retry_after} s.",
            status=429,
        )
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    if signed_in is None:
        # The same answer for an empty, malformed or unknown key; the key is never echoed.
        return _sign_in_page(request, next_path=next_path, error="That API key was not accepted.", status=401)
    response = Redirect(next_path, status_code=303)
    set_session_cookie(response, request, signed_in.session_id, svc.settings.console_session_ttl_seconds)
    return response


@post("/sign-out", status_code=303)
async def sign_out(request: Request[Any, Any, Any], svc: Svc) -> Redirect:
    await svc.auth.sign_out(request.cookies.get(SESSION_COOKIE))
    response = Redirect(f"{CONSOLE_PATH}/sign-in?done=signed-out", status_code=303)
    clear_session_cookie(response, request)
    return response


@get(["/", ""])
async def front_door() -> Redirect:
    return Redirect(f"{CONSOLE_PATH}/my-tools", status_code=303)


HANDLERS = [sign_in_form, sign_in, sign_out, front_door]
