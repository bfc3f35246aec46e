"""Tools: the list (creator, roles, shares), the JSON editor, test calls, shares and audience."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from litestar import Request, get, post
from litestar.response import Redirect, Template

from dynamic_mcp.adapters.http.console.editor import check_definition, pretty
from dynamic_mcp.adapters.http.console.errors import status_of
from dynamic_mcp.adapters.http.console.forms import form_of, text
from dynamic_mcp.adapters.http.console.render import page
from dynamic_mcp.adapters.http.console.schema_form import arguments_from, fields_of
from dynamic_mcp.adapters.http.console.services import PathText, Svc, current_of
from dynamic_mcp.adapters.http.console.session import CONSOLE_PATH
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import DomainError, Forbidden

SECTION = "/tools"
NEW_TOOL = {
    "name": "greet",
    "description": "Say hello",
    "inputSchema": {
        "type": "object",
        "properties": {"name": {"type": "string", "description": "Who to greet"}},
        "required": ["name"],
    },
    "handler": {"type": "echo", "config": {"message": "Hello {{name}}, from {{userEmail}}"}},
    "rolesPermitted": ["user"],
}
DEFINITION_KEYS = ("name", "description", "inputSchema", "annotations", "handler", "rolesPermitted", "alwaysVisible")


def tool_url(tool_id: str, suffix: str = "") -> str:
    return f"{CONSOLE_PATH}/tools/{quote(tool_id, safe='@:')}{suffix}"


@get("/tools")
async def list_tools(request: Request[Any, Any, Any], svc: Svc) -> Template:
    caller = current_of(request.state).user
    query = request.query_params.get("q", "")[:200]
    tools = await svc.views.tools(caller, query)
    return page(
        request,
        "tools.html",
        "Tools",
        section=SECTION,
        tools=tools,
        q=query,
        tool_url=tool_url,
        can_create=visibility.is_manager(caller),
    )


def _editor(
    request: Request[Any, Any, Any],
    *,
    source: str,
    action: str,
    title: str,
    problems: list[str] | None = None,
    status: int = 200,
    error: str | None = None,
    cancel: str,
) -> Template:
    return page(
        request,
        "editor.html",
        title,
        section=SECTION,
        status_code=status,
        kind="tool",
        source=source,
        action=action,
        problems=problems or [],
        error=error,
        cancel=cancel,
    )


@get("/tools/new")
async def new_tool(request: Request[Any, Any, Any]) -> Template:
    if not visibility.is_manager(current_of(request.state).user):
        raise Forbidden("Only admins and power users can create tools")
    return _editor(
        request,
        source=pretty(NEW_TOOL),
        action=f"{CONSOLE_PATH}/tools/new",
        title="New tool",
        cancel=CONSOLE_PATH + SECTION,
    )


@post("/tools/new", status_code=303)
async def create_tool(request: Request[Any, Any, Any], svc: Svc) -> Template | Redirect:
    caller = current_of(request.state).user
    source = text(await form_of(request), "definition", strip=False)
    definition, problems = check_definition("tool", source)
    back = dict(source=source, action=f"{CONSOLE_PATH}/tools/new", title="New tool", cancel=CONSOLE_PATH + SECTION)
    if definition is None or problems:
        return _editor(request, problems=problems, status=422, **back)
    try:
        await svc.tools.add_tool(caller, definition)
    except DomainError as exc:
        return _editor(request, problems=[exc.message], status=status_of(exc), **back)
    return Redirect(tool_url(f"{caller.email}:{definition['name']}", "?done=tool-saved"), status_code=303)


@post("/validate/{kind:str}", status_code=200)
async def validate(request: Request[Any, Any, Any], kind: PathText) -> Template:
    """The editor's live check (htmx): the problems list only."""
    source = text(await form_of(request), "definition", strip=False)
    _, problems = check_definition(kind if kind in ("tool", "prompt") else "tool", source)
    return page(request, "editor_problems.html", "Check", problems=problems, checked=True)


async def _detail(request: Request[Any, Any, Any], svc: Svc, tool_id: str, **extra: Any) -> Template:
    caller = current_of(request.state).user
    tool = (await svc.queries.tool(caller, tool_id)).result
    listed = next((t for t in await svc.views.tools(caller) if t["id"] == tool["id"]), None)
    audience = await svc.views.audience(caller, tool["id"]) if listed and listed["canShare"] else None
    status = extra.pop("status", 200)
    return page(
        request,
        "tool.html",
        f"Tool {tool['id']}",
        section=SECTION,
        status_code=status,
        tool=tool,
        listed=listed or {},
        audience=audience,
        fields=fields_of(tool.get("inputSchema")),
        tool_url=tool_url,
        definition=pretty(_definition(tool)),
        **extra,
    )


def _definition(tool: dict[str, Any]) -> dict[str, Any]:
    return {k: tool[k] for k in DEFINITION_KEYS if tool.get(k) is not None}


@get("/tools/{tool_id:str}")
async def tool_detail(request: Request[Any, Any, Any], svc: Svc, tool_id: PathText) -> Template:
    return await _detail(request, svc, tool_id)


@post("/tools/{tool_id:str}/call", status_code=200)
async def call_tool(request: Request[Any, Any, Any], svc: Svc, tool_id: PathText) -> Template:
    caller = current_of(request.state).user
    tool = (await svc.queries.tool(caller, tool_id)).result
    fields = fields_of(tool.get("inputSchema"))
    args, problems = arguments_from(await form_of(request), fields, tool.get("inputSchema") or {})
    if problems:
        return await _detail(request, svc, tool_id, call_problems=problems, status=422)
    # The same pipeline as MCP tools/call: resolution, argument validation, mapping, handler.
    outcome = await svc.calls.call_tool(caller.email, tool["id"], args)
    try:
        shown = pretty(json.loads(outcome.text))
    except ValueError:
        shown = outcome.text
    return await _detail(request, svc, tool_id, call_result=shown, call_failed=outcome.is_error, call_args=args)


@get("/tools/{tool_id:str}/edit")
async def edit_tool(request: Request[Any, Any, Any], svc: Svc, tool_id: PathText) -> Template:
    caller = current_of(request.state).user
    tool = (await svc.queries.tool(caller, tool_id)).result
    return _editor(
        request,
        source=pretty(_definition(tool)),
        action=tool_url(tool["id"], "/edit"),
        title=f"Edit {tool['id']}",
        cancel=tool_url(tool["id"]),
    )


@post("/tools/{tool_id:str}/edit", status_code=303)
async def update_tool(request: Request[Any, Any, Any], svc: Svc, tool_id: PathText) -> Template | Redirect:
    caller = current_of(request.state).user
    source = text(await form_of(request), "definition", strip=False)
    back = dict(source=source, action=tool_url(tool_id, "/edit"), title=f"Edit {tool_id}", cancel=tool_url(tool_id))
    definition, problems = check_definition("tool", source)
    if definition is None or problems:
        return _editor(request, problems=problems, status=422, **back)
    current = (await svc.queries.tool(caller, tool_id)).result
    if definition.get("name") != current["name"]:
        return _editor(
            request, problems=["/name: a tool cannot be renamed; create a new one instead"], status=422, **back
        )
    updates = {k: v for k, v in definition.items() if k != "name"}
    try:
        await svc.tools.update_tool(caller, current["id"], updates)
    except DomainError as exc:
        return _editor(request, problems=[exc.message], status=status_of(exc), **back)
    return Redirect(tool_url(current["id"], "?done=tool-saved"), status_code=303)


@post("/tools/{tool_id:str}/share", status_code=303)
async def share_tool(request: Request[Any, Any, Any], svc: Svc, tool_id: PathText) -> Template | Redirect:
    form = await form_of(request)
    try:
        await svc.sharing.share_tool(
            current_of(request.state).user, text(form, "email"), tool_id, text(form, "access_level") or "read"
        )
    except DomainError as exc:
        return await _detail(request, svc, tool_id, error=exc.message, status=status_of(exc))
    return Redirect(tool_url(tool_id, "?done=shared"), status_code=303)


@post("/tools/{tool_id:str}/unshare", status_code=303)
async def unshare_tool(request: Request[Any, Any, Any], svc: Svc, tool_id: PathText) -> Redirect:
    form = await form_of(request)
    await svc.sharing.unshare_tool(current_of(request.state).user, text(form, "email"), tool_id)
    return Redirect(tool_url(tool_id, "?done=unshared"), status_code=303)


@get("/tools/{tool_id:str}/delete")
async def confirm_delete(request: Request[Any, Any, Any], svc: Svc, tool_id: PathText) -> Template:
    tool = (await svc.queries.tool(current_of(request.state).user, tool_id)).result
    return page(
        request,
        "confirm.html",
        f"Delete {tool['id']}?",
        section=SECTION,
        question=f"Delete the tool {tool['id']}? Everyone who can see it loses it at once.",
        action=tool_url(tool["id"], "/delete"),
        button="Delete tool",
        cancel=tool_url(tool["id"]),
    )


@post("/tools/{tool_id:str}/delete", status_code=303)
async def delete_tool(request: Request[Any, Any, Any], svc: Svc, tool_id: PathText) -> Redirect:
    await svc.tools.delete_tool(current_of(request.state).user, tool_id)
    return Redirect(f"{CONSOLE_PATH}/tools?done=tool-deleted", status_code=303)


HANDLERS = [
    list_tools,
    new_tool,
    create_tool,
    validate,
    tool_detail,
    call_tool,
    edit_tool,
    update_tool,
    share_tool,
    unshare_tool,
    confirm_delete,
    delete_tool,
]
