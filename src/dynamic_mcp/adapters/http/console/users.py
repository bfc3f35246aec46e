"""Users (admins): search, add with roles (the key shown once), edit, reset key, delete."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, get, post
from litestar.response import Redirect, Template

from dynamic_mcp.adapters.http.console.errors import status_of
from dynamic_mcp.adapters.http.console.forms import form_of, roles, text
from dynamic_mcp.adapters.http.console.render import page
from dynamic_mcp.adapters.http.console.services import PathText, Svc, current_of
from dynamic_mcp.adapters.http.console.session import CONSOLE_PATH
from dynamic_mcp.domain.errors import DomainError, NotFound
from dynamic_mcp.domain.roles import BUILT_IN_ROLES

SECTION = "/users"


def user_url(email: str, suffix: str = "") -> str:
    return f"{CONSOLE_PATH}/users/{quote(email, safe='@')}{suffix}"


async def _list(request: Request[Any, Any, Any], svc: Svc, **extra: Any) -> Template:
    caller = current_of(request.state).user
    query = request.query_params.get("q", "")[:200]
    users = await svc.views.users(caller, query)
    template = "users_table.html" if request.headers.get("hx-request") and "issued" not in extra else "users.html"
    return page(
        request,
        template,
        "Users",
        section=SECTION,
        users=users,
        q=query,
        built_in_roles=BUILT_IN_ROLES,
        user_url=user_url,
        **extra,
    )


@get("/users")
async def list_users(request: Request[Any, Any, Any], svc: Svc) -> Template:
    return await _list(request, svc)


@post("/users", status_code=200)
async def add_user(request: Request[Any, Any, Any], svc: Svc) -> Template:
    caller = current_of(request.state).user
    form = await form_of(request)
    email, name = text(form, "email"), text(form, "name")
    try:
        output = await svc.users.add_user(caller, email, name or None, roles(form))
    except DomainError as exc:
        try:
            return await _list(request, svc, error=exc.message, draft={"email": email, "name": name})
        except DomainError:
            raise exc from None  # the caller may not list users either: the add's refusal is the answer
    issued = output.result
    return await _list(request, svc, issued={"email": issued["email"], "apiKey": issued["apiKey"]})


async def _record(svc: Svc, request: Request[Any, Any, Any], email: PathText) -> dict[str, Any]:
    output = await svc.users.user_info(current_of(request.state).user, email)
    if output.result is None or "roles" not in output.result:
        raise NotFound(f"User '{email}' not found")
    return dict(output.result)


def _edit_page(request: Request[Any, Any, Any], record: dict[str, Any], **extra: Any) -> Template:
    return page(
        request,
        "user_edit.html",
        f"User {record['email']}",
        section=SECTION,
        record=record,
        built_in_roles=BUILT_IN_ROLES,
        user_url=user_url,
        **extra,
    )


@get("/users/{email:str}")
async def edit_user(request: Request[Any, Any, Any], svc: Svc, email: PathText) -> Template:
    return _edit_page(request, await _record(svc, request, email))


@post("/users/{email:str}", status_code=303)
async def update_user(request: Request[Any, Any, Any], svc: Svc, email: PathText) -> Template | Redirect:
    caller = current_of(request.state).user
    form = await form_of(request)
    changes: dict[str, Any] = {"name": text(form, "name") or None, "roles": roles(form)}
    try:
        await svc.users.update_user(caller, email, changes)
    except DomainError as exc:
        record = await _record(svc, request, email)
        return _edit_page(request, record, status_code=status_of(exc), error=exc.message)
    return Redirect(user_url(email, "?done=user-updated"), status_code=303)


@get("/users/{email:str}/delete")
async def confirm_delete(request: Request[Any, Any, Any], svc: Svc, email: PathText) -> Template:
    record = await _record(svc, request, email)
    return page(
        request,
        "confirm.html",
        f"Delete {record['email']}?",
        section=SECTION,
        question=f"Delete the user {record['email']}? Their MCP sessions end at once and this cannot be undone.",
        action=user_url(email, "/delete"),
        button="Delete user",
        cancel=user_url(email),
    )


@post("/users/{email:str}/delete", status_code=303)
async def delete_user(request: Request[Any, Any, Any], svc: Svc, email: PathText) -> Redirect:
    await svc.users.delete_user(current_of(request.state).user, email)
    return Redirect(f"{CONSOLE_PATH}/users?done=user-deleted", status_code=303)


@get("/users/{email:str}/reset-key")
async def confirm_reset(request: Request[Any, Any, Any], svc: Svc, email: PathText) -> Template:
    record = await _record(svc, request, email)
    return page(
        request,
        "confirm.html",
        f"Reset the key of {record['email']}?",
        section=SECTION,
        question=(
            f"Issue a new API key for {record['email']}? The current key and every MCP session using it "
            "stop working at once; their clients must be reconfigured."
        ),
        action=user_url(email, "/reset-key"),
        button="Reset key",
        cancel=user_url(email),
    )


@post("/users/{email:str}/reset-key", status_code=200)
async def reset_key(request: Request[Any, Any, Any], svc: Svc, email: PathText) -> Template:
    output = await svc.users.reset_api_key(current_of(request.state).user, email, user_confirmed=True)
    return page(
        request,
        "key_issued.html",
        "New API key",
        section=SECTION,
        issued=output.result,
        back=user_url(email),
    )


HANDLERS = [list_users, add_user, edit_user, update_user, confirm_delete, delete_user, confirm_reset, reset_key]
