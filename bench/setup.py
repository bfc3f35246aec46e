"""Setting up dynamic-mcp over MCP, as an admin would: users, an echo tool, shares."""

from __future__ import annotations

from typing import Any

from bench.client import McpSession
from bench.procs import ADMIN_KEY, ServerProcess

USER_EMAIL = "user@bench.example.com"


def echo_tool(name: str = "echo", **extra: Any) -> dict[str, Any]:
    """A runtime tool on the built-in ``echo`` package: it answers ``{"result": <arguments>}``."""
    return {
        "name": name,
        "description": f"{name}: echoes its arguments",
        "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
        "handler": {"type": "echo", "config": {}},
        **extra,
    }


def scale_tool(i: int) -> dict[str, Any]:
    """Tool number ``i`` of the tools/list scale run: the admin's, open to role ``user``."""
    return echo_tool(f"tool-{i:05d}", rolesPermitted=["user"])


async def admin_session(server: ServerProcess) -> McpSession:
    return await McpSession(server.host, server.port, ADMIN_KEY).open()


async def add_user(admin: McpSession, email: str, roles: tuple[str, ...] = ("user",)) -> str:
    body = await admin.call("add-user", {"email": email, "name": email.split("@")[0], "roles": list(roles)})
    return str(body["result"]["apiKey"])


async def shared_echo_user(server: ServerProcess) -> str:
    """A non-admin user who sees the admin's ``echo`` tool through a share; returns the user's key."""
    admin = await admin_session(server)
    try:
        key = await add_user(admin, USER_EMAIL)
        await admin.call("add-tool", {"toolDefinition": echo_tool()})
        await admin.call("share-tool", {"email": USER_EMAIL, "toolId": "echo", "accessLevel": "read"})
    finally:
        await admin.close()
    user = await McpSession(server.host, server.port, key).open()
    try:
        names = [t["name"] for t in (await user.rpc("tools/list", {}))["tools"]]
    finally:
        await user.close()
    if "echo" not in names:
        raise AssertionError(f"the shared echo tool is not listed for {USER_EMAIL}: {names}")
    return key
