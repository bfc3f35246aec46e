"""Every user's pages: My tools (hide, unhide, shares received, own tools), Connect a client, My key."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from dynamic_mcp.adapters.http.console.forms import form_of, values
from dynamic_mcp.adapters.http.console.render import page
from dynamic_mcp.adapters.http.console.services import Svc, current_of
from dynamic_mcp.adapters.http.console.session import CONSOLE_PATH, SESSION_COOKIE, set_session_cookie
from dynamic_mcp.adapters.http.console.tools import tool_url
from dynamic_mcp.domain import visibility

KEY_PLACEHOLDER = "YOUR_API_KEY"


@get("/my-tools")
async def my_tools(request: Request[Any, Any, Any], svc: Svc) -> Template:
    caller = current_of(request.state).user
    tools = await svc.views.tools(caller)
    record = (await svc.users.user_info(caller, None)).result
    return page(
        request,
        "my_tools.html",
        "My tools",
        section="/my-tools",
        visible=[t for t in tools if not t["hidden"]],
        hidden=[t for t in tools if t["hidden"]],
        own=[t for t in tools if t["creator"] == caller.email],
        received=record["sharedTools"],
        is_manager=visibility.is_manager(caller),
        tool_url=tool_url,
    )


@post("/my-tools/hide", status_code=303)
async def hide(request: Request[Any, Any, Any], svc: Svc) -> Redirect:
    ids = values(await form_of(request), "tool_id")
    await svc.sharing.hide_tools(current_of(request.state).user, ids)
    return Redirect(f"{CONSOLE_PATH}/my-tools?done=hidden", status_code=303)


@post("/my-tools/unhide", status_code=303)
async def unhide(request: Request[Any, Any, Any], svc: Svc) -> Redirect:
    ids = values(await form_of(request), "tool_id")
    await svc.sharing.unhide_tools(current_of(request.state).user, ids)
    return Redirect(f"{CONSOLE_PATH}/my-tools?done=unhidden", status_code=303)


def client_configs(mcp_url: str, name: str) -> list[dict[str, str]]:
    """Ready-to-paste settings for common clients; the key is a placeholder the user fills in."""
    header = f"x-apikey: {KEY_PLACEHOLDER}"
    return [
        {
            "id": "claude-code",
            "client": "Claude Code",
            "where": "Run in a terminal",
            "text": f'claude mcp add --transport http {name} {mcp_url} --header "{header}"',
        },
        {
            "id": "claude-desktop",
            "client": "Claude Desktop",
            "where": "claude_desktop_config.json (through the mcp-remote bridge)",
            "text": json.dumps(
                {
                    "mcpServers": {
                        name: {
                            "command": "npx",
                            "args": ["-y", "mcp-remote", mcp_url, "--header", "x-apikey:${DYNAMIC_MCP_KEY}"],
                            "env": {"DYNAMIC_MCP_KEY": KEY_PLACEHOLDER},
                        }
                    }
                },
                indent=2,
            ),
        },
        {
            "id": "vscode",
            "client": "VS Code",
            "where": ".vscode/mcp.json (VS Code asks for the key once and keeps it in its secret storage)",
            "text": json.dumps(
                {
                    "inputs": [
                        {"type": "promptString", "id": f"{name}-key", "description": "API key", "password": True}
                    ],
                    "servers": {
                        name: {"type": "http", "url": mcp_url, "headers": {"x-apikey": f"${{input:{name}-key}}"}}
                    },
                },
                indent=2,
            ),
        },
        {
            "id": "cursor",
            "client": "Cursor",
            "where": "~/.cursor/mcp.json",
            "text": json.dumps(
                {"mcpServers": {name: {"url": mcp_url, "headers": {"x-apikey": KEY_PLACEHOLDER}}}}, indent=2
            ),
        },
        {
            "id": "inspector",
            "client": "MCP Inspector",
            "where": "Run in a terminal (lists your tools)",
            "text": (
                f"npx @modelcontextprotocol/inspector --cli {mcp_url} --transport http "
                f'--header "{header}" --method tools/list'
            ),
        },
    ]


@get("/connect")
async def connect(request: Request[Any, Any, Any], svc: Svc) -> Template:
    base = svc.settings.server_url or str(request.base_url).rstrip("/")
    mcp_url = f"{base}/mcp"
    return page(
        request,
        "connect.html",
        "Connect a client",
        section="/connect",
        mcp_url=mcp_url,
        configs=client_configs(mcp_url, "dynamic-mcp"),
        placeholder=KEY_PLACEHOLDER,
    )


@get("/my-key")
async def my_key(request: Request[Any, Any, Any], svc: Svc) -> Template:
    record = (await svc.users.user_info(current_of(request.state).user, None)).result
    return page(request, "my_key.html", "My key", section="/my-key", record=record)


@get("/my-key/reset")
async def confirm_reset(request: Request[Any, Any, Any]) -> Template:
    return page(
        request,
        "confirm.html",
        "Reset your API key?",
        section="/my-key",
        question=(
            "Issue a new API key for you? Your current key and every MCP session using it stop working at "
            "once; you stay signed in here."
        ),
        action=f"{CONSOLE_PATH}/my-key/reset",
        button="Reset my key",
        cancel=f"{CONSOLE_PATH}/my-key",
    )


@post("/my-key/reset", status_code=200)
async def reset(request: Request[Any, Any, Any], svc: Svc) -> Template:
    caller = current_of(request.state).user
    issued = (await svc.users.reset_api_key(caller, None, user_confirmed=True)).result
    # The reset ended this console session with the old key; continue on a new one.
    await svc.auth.sign_out(request.cookies.get(SESSION_COOKIE))
    signed_in = await svc.auth.sign_in(issued["apiKey"])
    response = page(
        request, "key_issued.html", "New API key", section="/my-key", issued=issued, back=f"{CONSOLE_PATH}/my-key"
    )
    if signed_in is not None:
        response.context["csrf"] = signed_in.session.csrf_token
        set_session_cookie(response, request, signed_in.session_id, svc.settings.console_session_ttl_seconds)
    return response


HANDLERS = [my_tools, hide, unhide, connect, my_key, confirm_reset, reset]
