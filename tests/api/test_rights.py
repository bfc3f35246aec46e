"""docs/access.md through REST, endpoint by endpoint and role by role: who may, who gets 403, and where
existence must not leak, who gets 404. Each case runs on a fresh world."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import ADMIN, POWER, POWER2, PROBLEM, TARGET, USER, World, runtime_tool

ROLES = {"admin": ADMIN, "power-user": POWER, "user": USER}
P2_TOOL = f"{POWER2}:p2-tool"
PACKAGE_TOOL = "user-management:list-users"
NO_URI = "test://rights/none"

# (endpoint label, method, path, json body or query, expected status per role)
CASES: list[tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("list users", "GET", "/users", None, {"admin": 200, "power-user": 200, "user": 200}),
    (
        "create user",
        "POST",
        "/users",
        {"email": "new@example.com", "roles": ["user"]},
        {"admin": 201, "power-user": 403, "user": 403},
    ),
    ("get other user", "GET", f"/users/{TARGET}", None, {"admin": 200, "power-user": 200, "user": 200}),
    ("get missing user", "GET", "/users/nobody@example.com", None, {"admin": 404, "power-user": 404, "user": 404}),
    (
        "rename other user",
        "PATCH",
        f"/users/{TARGET}",
        {"name": "renamed"},
        {"admin": 200, "power-user": 403, "user": 403},
    ),
    (
        "grant admin to target",
        "PATCH",
        f"/users/{TARGET}",
        {"roles": ["admin"]},
        {"admin": 200, "power-user": 403, "user": 403},
    ),
    ("delete other user", "DELETE", f"/users/{TARGET}", None, {"admin": 200, "power-user": 403, "user": 403}),
    (
        "reset other user's key",
        "POST",
        f"/users/{TARGET}/api-key/reset",
        {"confirm": True},
        {"admin": 200, "power-user": 403, "user": 403},
    ),
    ("own record", "GET", "/me", None, {"admin": 200, "power-user": 200, "user": 200}),
    ("list tools", "GET", "/tools", None, {"admin": 200, "power-user": 200, "user": 200}),
    ("create tool", "POST", "/tools", runtime_tool("mine"), {"admin": 201, "power-user": 201, "user": 403}),
    ("get private tool", "GET", f"/tools/{P2_TOOL}", None, {"admin": 200, "power-user": 404, "user": 404}),
    (
        "update private tool",
        "PATCH",
        f"/tools/{P2_TOOL}",
        {"description": "changed"},
        {"admin": 200, "power-user": 404, "user": 404},
    ),
    (
        "update package tool",
        "PATCH",
        f"/tools/{PACKAGE_TOOL}",
        {"description": "changed"},
        {"admin": 403, "power-user": 403, "user": 403},
    ),
    ("delete private tool", "DELETE", f"/tools/{P2_TOOL}", None, {"admin": 200, "power-user": 404, "user": 404}),
    ("delete package tool", "DELETE", f"/tools/{PACKAGE_TOOL}", None, {"admin": 403, "power-user": 403, "user": 403}),
    (
        "share someone's private tool",
        "POST",
        "/shares",
        {"email": TARGET, "toolId": P2_TOOL, "accessLevel": "read"},
        {"admin": 201, "power-user": 404, "user": 403},
    ),
    (
        "share a package tool",
        "POST",
        "/shares",
        {"email": TARGET, "toolId": PACKAGE_TOOL, "accessLevel": "write"},
        {"admin": 201, "power-user": 403, "user": 403},
    ),
    (
        "unshare",
        "DELETE",
        "/shares",
        {"params": {"email": TARGET, "toolId": P2_TOOL}},
        {"admin": 200, "power-user": 200, "user": 403},
    ),
    ("shares received", "GET", "/me/shares", None, {"admin": 200, "power-user": 200, "user": 200}),
    ("shares given", "GET", "/me/shares/given", None, {"admin": 200, "power-user": 200, "user": 200}),
    ("hidden tools", "GET", "/me/hidden-tools", None, {"admin": 200, "power-user": 200, "user": 200}),
    (
        "hide a tool",
        "POST",
        "/me/hidden-tools",
        {"toolIds": ["list-users"]},
        {"admin": 200, "power-user": 200, "user": 200},
    ),
    (
        "unhide a tool",
        "DELETE",
        "/me/hidden-tools",
        {"params": {"toolId": "list-users"}},
        {"admin": 200, "power-user": 200, "user": 200},
    ),
    ("list prompts", "GET", "/prompts", None, {"admin": 200, "power-user": 200, "user": 200}),
    (
        "create prompt",
        "POST",
        "/prompts",
        {"name": "new-prompt", "description": "d", "handler": {"type": "echo"}},
        {"admin": 201, "power-user": 201, "user": 403},
    ),
    (
        "create prompt on a management handler",
        "POST",
        "/prompts",
        {"name": "new-prompt", "description": "d", "handler": {"type": "prompt-management"}},
        {"admin": 201, "power-user": 403, "user": 403},
    ),
    ("get admin-only prompt", "GET", "/prompts/p2-prompt", None, {"admin": 200, "power-user": 404, "user": 404}),
    (
        "update someone's prompt",
        "PATCH",
        "/prompts/p1-prompt",
        {"description": "changed"},
        {"admin": 200, "power-user": 200, "user": 404},
    ),
    (
        "update another's prompt",
        "PATCH",
        "/prompts/p2-prompt",
        {"description": "changed"},
        {"admin": 200, "power-user": 404, "user": 404},
    ),
    ("delete another's prompt", "DELETE", "/prompts/p2-prompt", None, {"admin": 200, "power-user": 404, "user": 404}),
    ("read the audit log", "GET", "/audit", None, {"admin": 200, "power-user": 403, "user": 403}),
    ("read one's own audit entries", "GET", "/me/audit", None, {"admin": 200, "power-user": 200, "user": 200}),
    # OAuth is off in this suite: its endpoints answer 404 to everyone (rights with OAuth on:
    # tests/oauth/test_authorization_server.py).
    (
        "list own OAuth clients (OAuth off)",
        "GET",
        "/me/oauth-clients",
        None,
        {"admin": 404, "power-user": 404, "user": 404},
    ),
    (
        "revoke own OAuth clients (OAuth off)",
        "DELETE",
        "/me/oauth-clients",
        None,
        {"admin": 404, "power-user": 404, "user": 404},
    ),
    (
        "sign-in link for another (OAuth off)",
        "POST",
        f"/users/{TARGET}/sign-in-link",
        None,
        {"admin": 404, "power-user": 404, "user": 404},
    ),
    (
        "set another's rate limits",
        "PATCH",
        f"/users/{TARGET}",
        {"rateLimits": {"toolCalls": 5}},
        {"admin": 200, "power-user": 403, "user": 403},
    ),
    ("list upstreams", "GET", "/upstreams", None, {"admin": 200, "power-user": 200, "user": 200}),
    (
        "import an upstream (no SECRET_KEY here: refused after the right is checked)",
        "POST",
        "/upstreams",
        {"name": "up", "url": "https://mcp.example.com/mcp", "credentialMode": "per-user"},
        {"admin": 422, "power-user": 422, "user": 403},
    ),
    ("refresh a missing upstream", "POST", "/upstreams/nope/refresh", None, {r: 404 for r in ROLES}),
    ("delete a missing upstream", "DELETE", "/upstreams/nope", None, {r: 404 for r in ROLES}),
    (
        "store a credential for a missing upstream",
        "PUT",
        "/me/upstream-credentials/nope",
        {"token": "t"},
        {r: 404 for r in ROLES},
    ),
    ("forget a credential", "DELETE", "/me/upstream-credentials/nope", None, {r: 404 for r in ROLES}),
    ("list resources", "GET", "/resources", None, {r: 200 for r in ROLES}),
    ("get a missing resource", "GET", "/resources/item", {"params": {"uri": NO_URI}}, {r: 404 for r in ROLES}),
    (
        "create a resource",
        "POST",
        "/resources",
        {"uri": "test://rights/new", "name": "n", "text": "t"},
        {"admin": 201, "power-user": 201, "user": 403},
    ),
    (
        "update a missing resource",
        "PATCH",
        "/resources",
        {"params": {"uri": NO_URI}, "json": {"text": "x"}},
        {r: 404 for r in ROLES},
    ),
    ("delete a missing resource", "DELETE", "/resources", {"params": {"uri": NO_URI}}, {r: 404 for r in ROLES}),
    (
        "share a missing resource",
        "POST",
        "/resource-shares",
        {"email": TARGET, "uri": NO_URI},
        {"admin": 404, "power-user": 404, "user": 403},
    ),
    (
        "unshare a resource",
        "DELETE",
        "/resource-shares",
        {"params": {"email": TARGET, "uri": NO_URI}},
        {"admin": 200, "power-user": 200, "user": 403},
    ),
    ("hidden resources", "GET", "/me/hidden-resources", None, {r: 200 for r in ROLES}),
    ("hide a missing resource", "POST", "/me/hidden-resources", {"uri": NO_URI}, {r: 404 for r in ROLES}),
    ("unhide a resource", "DELETE", "/me/hidden-resources", {"params": {"uri": NO_URI}}, {r: 200 for r in ROLES}),
]


def _call(world: World, role: str, method: str, path: str, body: dict[str, Any] | None) -> Any:
    api = world.as_(ROLES[role])
    if body is not None and set(body) <= {"params", "json"} and "params" in body:
        return api.request(method, path, params=body["params"], json=body.get("json"))
    return api.request(method, path, json=body) if body is not None else api.request(method, path)


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "expected"),
    [
        pytest.param(role, method, path, body, statuses[role], id=f"{label} as {role}")
        for label, method, path, body, statuses in CASES
        for role in ROLES
    ],
)
def test_each_role_gets_exactly_its_rights(
    world: World, role: str, method: str, path: str, body: dict[str, Any] | None, expected: int
) -> None:
    response = _call(world, role, method, path, body)
    assert response.status_code == expected, f"{method} {path} as {role}: {response.status_code} {response.text}"
    if expected >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)


def test_every_documented_operation_has_a_rights_case(world: World) -> None:
    schema = world.client.get("/schema/openapi.json").json()
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1")
        for method in item
    }
    covered = {(method, _template(path)) for _, method, path, _, _ in CASES}
    assert documented - covered == set(), f"operations without a rights case: {sorted(documented - covered)}"


def _template(path: str) -> str:
    for prefix, template in (
        ("/users/", "/users/{email}"),
        ("/tools/", "/tools/{name}"),
        ("/prompts/", "/prompts/{name}"),
        ("/me/upstream-credentials/", "/me/upstream-credentials/{name}"),
        ("/upstreams/", "/upstreams/{name}"),
    ):
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            if "/" in rest and prefix in ("/users/", "/upstreams/"):
                return template + rest[rest.index("/") :]
            return template
    return path


def test_non_admins_see_only_a_limited_view_of_others(world: World) -> None:
    for email in (POWER, USER):
        body = world.as_(email).ok("GET", f"/users/{TARGET}")
        assert body == {"exists": True, "name": "target", "email": TARGET}
    full = world.as_(ADMIN).ok("GET", f"/users/{TARGET}")
    assert full["roles"] == ["user"] and "apiKey" not in full


def test_a_user_may_rename_only_themselves(world: World) -> None:
    assert world.as_(USER).ok("PATCH", f"/users/{USER}", json={"name": "Me"})["name"] == "Me"
    assert world.as_(USER).patch(f"/users/{USER}", json={"roles": ["admin"]}).status_code == 403
    assert world.as_(USER).ok("GET", "/me")["roles"] == ["user"]
