"""The OAuth sign-in and consent page (docs/oauth.md): the user proves who they are with their
API key (or a console session, e.g. from a one-time sign-in link) and approves the client. It
uses the console's rendering and its sign-in CSRF token (double-submit cookie)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, get, post
from litestar.response import Redirect, Template
from mcp.server.auth.provider import construct_redirect_uri

from dynamic_mcp.adapters.http.console.render import page
from dynamic_mcp.adapters.http.console.services import Svc
from dynamic_mcp.adapters.http.console.session import (
    CONSOLE_PATH,
    PUBLIC,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    set_session_cookie,
    sign_in_token,
)
from dynamic_mcp.application.oauth import ClientRedirect, OAuthService, Pending
from dynamic_mcp.domain.errors import NotFound
from dynamic_mcp.domain.limits import RateLimited
from dynamic_mcp.domain.oauth import SCOPE_ADMIN, SCOPE_MCP

SCOPE_LABELS = {SCOPE_MCP: "use your tools and prompts", SCOPE_ADMIN: "the admin REST API (admins only)"}
_SOURCE = re.compile(r"[a-z][a-z0-9+.-]*://[A-Za-z0-9.\-\[\]:]+|[a-z][a-z0-9+.-]*:")


def _oauth(svc: Svc) -> OAuthService:
    if svc.oauth is None:
        raise NotFound("OAuth is not enabled on this server (OAUTH_ENABLED)")
    return svc.oauth


def _form_action_source(redirect_uri: str) -> str | None:
    """The CSP source that lets the consent form's redirect reach the client (browsers apply
    form-action to redirects); None when it cannot be written safely."""
    parts = urlsplit(redirect_uri)
    source = f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"{parts.scheme}:"
    return source if _SOURCE.fullmatch(source) else None


def _address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _consent_page(
    request: Request[Any, Any, Any],
    pending: Pending,
    request_id: str,
    signed_in: str | None,
    *,
    error: str | None,
    status: int,
) -> Template:
    requested = pending.grant.details.get("requested")
    scopes = [s for s in SCOPE_LABELS if s in (requested or (SCOPE_MCP,))]
    response = page(
        request,
        "oauth_consent.html",
        "Allow access",
        status_code=status,
        error=error,
        csrf="",
        client_name=pending.client.name,
        client_id=pending.client.client_id,
        redirect_host=urlsplit(pending.redirect_uri).netloc or pending.redirect_uri,
        scopes=scopes,
        scope_labels=SCOPE_LABELS,
        request_id=request_id,
        signed_in=signed_in,
    )
    response.context["csrf"] = sign_in_token(request, response)
    source = _form_action_source(pending.redirect_uri)
    if source is not None:
        policy = SECURITY_HEADERS["content-security-policy"].replace(
            "form-action 'self'", f"form-action 'self' {source}"
        )
        response.headers["content-security-policy"] = policy
    return response


async def _signed_in(request: Request[Any, Any, Any], svc: Svc) -> Any:
    current = await svc.auth.current(request.cookies.get(SESSION_COOKIE))
    return current.user if current is not None else None


@get("/oauth/consent", opt={PUBLIC: True}, name="console:oauth-consent")
async def consent_form(request: Request[Any, Any, Any], svc: Svc) -> Template:
    request_id = request.query_params.get("request") or ""
    pending = await _oauth(svc).pending(request_id)
    user = await _signed_in(request, svc)
    return _consent_page(request, pending, request_id, user.email if user else None, error=None, status=200)


@post("/oauth/consent", opt={PUBLIC: True}, status_code=303)
async def consent(request: Request[Any, Any, Any], svc: Svc) -> Template | Redirect:
    oauth = _oauth(svc)
    form = await request.form()
    raw_id = form.get("request")
    request_id = raw_id if isinstance(raw_id, str) else ""
    pending = await oauth.pending(request_id)
    if form.get("decision") != "approve":
        return _redirect(await oauth.deny(pending))
    user = await _signed_in(request, svc)
    if user is None:
        key = form.get("api_key")
        try:
            user = await oauth.authenticate_key(key if isinstance(key, str) else "", _address(request))
        except RateLimited as exc:
            return _consent_page(request, pending, request_id, None, error=exc.message, status=429)
        if user is None:
            # The same answer for an empty, malformed or unknown key; the key is never echoed.
            message = "That API key was not accepted."
            return _consent_page(request, pending, request_id, None, error=message, status=401)
    return _redirect(await oauth.approve(pending, user))


def _redirect(target: ClientRedirect) -> Redirect:
    return Redirect(construct_redirect_uri(target.uri, **dict(target.params)), status_code=303)


@get("/oauth/link", opt={PUBLIC: True}, name="console:oauth-link")
async def link_form(request: Request[Any, Any, Any], svc: Svc) -> Template:
    """Showing the page does not use the link (link previews must not burn it); the button does."""
    token = request.query_params.get("token") or ""
    holder = await _oauth(svc).link_holder(token)
    response = page(
        request,
        "oauth_link.html",
        "Sign in",
        status_code=200 if holder else 404,
        csrf="",
        holder=holder.email if holder else None,
        token=token if holder else "",
    )
    response.context["csrf"] = sign_in_token(request, response)
    return response


@post("/oauth/link", opt={PUBLIC: True}, status_code=303)
async def link_sign_in(request: Request[Any, Any, Any], svc: Svc) -> Template | Redirect:
    form = await request.form()
    token = form.get("token")
    try:
        user = await _oauth(svc).redeem_sign_in_link(token if isinstance(token, str) else "", _address(request))
    except RateLimited as exc:
        return page(request, "message.html", "Too many attempts", status_code=429, error=exc.message)
    if user is None:
        return page(request, "oauth_link.html", "Sign in", status_code=404, csrf="", holder=None, token="")
    signed_in = await svc.auth.open_for(user)
    redirect = Redirect(f"{CONSOLE_PATH}/my-tools", status_code=303)
    set_session_cookie(redirect, request, signed_in.session_id, svc.settings.console_session_ttl_seconds)
    return redirect


HANDLERS = [consent_form, consent, link_form, link_sign_in]
