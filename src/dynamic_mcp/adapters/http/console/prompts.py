"""Prompts: the list, the JSON editor, a test prompts/get with the prompt's arguments, delete."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, get, post
from litestar.response import Redirect, Template

from dynamic_mcp.adapters.http.console.editor import check_definition, pretty
from dynamic_mcp.adapters.http.console.errors import status_of
from dynamic_mcp.adapters.http.console.forms import form_of, text
from dynamic_mcp.adapters.http.console.render import page
from dynamic_mcp.adapters.http.console.services import PathText, Svc, current_of
from dynamic_mcp.adapters.http.console.session import CONSOLE_PATH
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import DomainError, Forbidden, NotFound

SECTION = "/prompts"
NEW_PROMPT = {
    "name": "summarise",
    "description": "Summarise a text for a reader",
    "arguments": [{"name": "text", "description": "What to summarise", "required": True}],
    "handler": {"type": "my-prompt-package", "config": {}},
    "rolesPermitted": ["user"],
}
DEFINITION_KEYS = ("name", "description", "arguments", "handler", "rolesPermitted", "alwaysVisible")
ARG_PREFIX = "arg."


def prompt_url(name: str, suffix: str = "") -> str:
    return f"{CONSOLE_PATH}/prompts/{quote(name, safe='')}{suffix}"


async def _prompt(svc: Svc, request: Request[Any, Any, Any], name: str) -> dict[str, Any]:
    listed = (await svc.prompts.list_prompts(current_of(request.state).user, name)).result["prompts"]
    found = next((p for p in listed if p["name"] == name), None)
    if found is None:
        raise NotFound(f'Prompt with name "{name}" not found')
    return dict(found)


def _may_change(request: Request[Any, Any, Any], prompt: dict[str, Any]) -> bool:
    caller = current_of(request.state).user
    return caller.is_admin or prompt.get("createdBy") == caller.email


@get("/prompts")
async def list_prompts(request: Request[Any, Any, Any], svc: Svc) -> Template:
    caller = current_of(request.state).user
    query = request.query_params.get("q", "")[:200]
    prompts = (await svc.prompts.list_prompts(caller, query or None)).result["prompts"]
    return page(
        request,
        "prompts.html",
        "Prompts",
        section=SECTION,
        prompts=prompts,
        q=query,
        prompt_url=prompt_url,
        can_create=visibility.is_manager(caller),
    )


def _editor(
    request: Request[Any, Any, Any], *, status: int = 200, problems: list[str] | None = None, **kw: Any
) -> Template:
    return page(
        request, "editor.html", kw.pop("title"), section=SECTION, status_code=status, kind="prompt",
        problems=problems or [], **kw,
    )  # fmt: skip


@get("/prompts/new")
async def new_prompt(request: Request[Any, Any, Any]) -> Template:
    if not visibility.is_manager(current_of(request.state).user):
        raise Forbidden("Only admins and power users can create prompts")
    return _editor(
        request, source=pretty(NEW_PROMPT), action=f"{CONSOLE_PATH}/prompts/new", title="New prompt",
        cancel=CONSOLE_PATH + SECTION,
    )  # fmt: skip


@post("/prompts/new", status_code=303)
async def create_prompt(request: Request[Any, Any, Any], svc: Svc) -> Template | Redirect:
    source = text(await form_of(request), "definition", strip=False)
    back = {"source": source, "action": f"{CONSOLE_PATH}/prompts/new", "title": "New prompt"}
    back["cancel"] = CONSOLE_PATH + SECTION
    definition, problems = check_definition("prompt", source)
    if definition is None or problems:
        return _editor(request, status=422, problems=problems, **back)
    try:
        await svc.prompts.add_prompt(current_of(request.state).user, definition)
    except DomainError as exc:
        return _editor(request, status=status_of(exc), problems=[exc.message], **back)
    return Redirect(prompt_url(definition["name"], "?done=prompt-saved"), status_code=303)


async def _detail(request: Request[Any, Any, Any], svc: Svc, name: str, **extra: Any) -> Template:
    prompt = await _prompt(svc, request, name)
    status = extra.pop("status", 200)
    return page(
        request,
        "prompt.html",
        f"Prompt {prompt['name']}",
        section=SECTION,
        status_code=status,
        prompt=prompt,
        definition=pretty({k: prompt[k] for k in DEFINITION_KEYS if prompt.get(k) is not None}),
        may_change=_may_change(request, prompt),
        prompt_url=prompt_url,
        **extra,
    )


@get("/prompts/{name:str}")
async def prompt_detail(request: Request[Any, Any, Any], svc: Svc, name: PathText) -> Template:
    return await _detail(request, svc, name)


@post("/prompts/{name:str}/get", status_code=200)
async def run_prompt(request: Request[Any, Any, Any], svc: Svc, name: PathText) -> Template:
    prompt = await _prompt(svc, request, name)
    form = await form_of(request)
    args = {a["name"]: text(form, ARG_PREFIX + a["name"]) for a in prompt["arguments"]}
    args = {k: v for k, v in args.items() if v}
    try:
        # The same use case as MCP prompts/get: visibility, required arguments, the handler.
        result = await svc.prompts.get_prompt(current_of(request.state).user.email, name, args)
    except DomainError as exc:
        return await _detail(request, svc, name, run_error=exc.message, status=status_of(exc))
    messages = [{"role": m.role, "content": pretty(dict(m.content))} for m in result.messages]
    return await _detail(request, svc, name, messages=messages)


@get("/prompts/{name:str}/edit")
async def edit_prompt(request: Request[Any, Any, Any], svc: Svc, name: PathText) -> Template:
    prompt = await _prompt(svc, request, name)
    source = pretty({k: prompt[k] for k in DEFINITION_KEYS if prompt.get(k) is not None})
    return _editor(
        request, source=source, action=prompt_url(name, "/edit"), title=f"Edit prompt {name}", cancel=prompt_url(name)
    )


@post("/prompts/{name:str}/edit", status_code=303)
async def update_prompt(request: Request[Any, Any, Any], svc: Svc, name: PathText) -> Template | Redirect:
    source = text(await form_of(request), "definition", strip=False)
    back = {"source": source, "action": prompt_url(name, "/edit"), "title": f"Edit prompt {name}"}
    back["cancel"] = prompt_url(name)
    definition, problems = check_definition("prompt", source)
    if definition is None or problems:
        return _editor(request, status=422, problems=problems, **back)
    if definition.get("name") != name:
        return _editor(request, status=422, problems=["/name: a prompt cannot be renamed"], **back)
    try:
        updates = {k: v for k, v in definition.items() if k != "name"}
        await svc.prompts.update_prompt(current_of(request.state).user, name, updates)
    except DomainError as exc:
        return _editor(request, status=status_of(exc), problems=[exc.message], **back)
    return Redirect(prompt_url(name, "?done=prompt-saved"), status_code=303)


@get("/prompts/{name:str}/delete")
async def confirm_delete(request: Request[Any, Any, Any], svc: Svc, name: PathText) -> Template:
    prompt = await _prompt(svc, request, name)
    return page(
        request,
        "confirm.html",
        f"Delete prompt {prompt['name']}?",
        section=SECTION,
        question=f"Delete the prompt {prompt['name']}? MCP clients that list it are told at once.",
        action=prompt_url(name, "/delete"),
        button="Delete prompt",
        cancel=prompt_url(name),
    )


@post("/prompts/{name:str}/delete", status_code=303)
async def delete_prompt(request: Request[Any, Any, Any], svc: Svc, name: PathText) -> Redirect:
    await svc.prompts.delete_prompt(current_of(request.state).user, name)
    return Redirect(f"{CONSOLE_PATH}/prompts?done=prompt-deleted", status_code=303)


HANDLERS = [
    list_prompts,
    new_prompt,
    create_prompt,
    prompt_detail,
    run_prompt,
    edit_prompt,
    update_prompt,
    confirm_delete,
    delete_prompt,
]
