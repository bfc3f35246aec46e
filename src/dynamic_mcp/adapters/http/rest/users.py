"""/users, /me and API keys through REST (rules: docs/access.md)."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody

from dynamic_mcp.adapters.http.rest import schemas as s
from dynamic_mcp.adapters.http.rest.bodies import AnyRequest, as_sent
from dynamic_mcp.adapters.http.rest.params import Caller, Email, Ops, Page
from dynamic_mcp.adapters.http.rest.problems import problem_responses


class UsersController(Controller):
    path = "/users"
    tags = ["users"]

    @get("/", summary="List users", responses=problem_responses())
    async def list_users(self, ops: Ops, caller: Caller, page: Page) -> s.UserPage:
        """Every role may list users (email and name only)."""
        return await ops.list_users(caller, page.name_contains, page.skip, page.limit)

    @post("/", summary="Create a user (admins)", responses=problem_responses(403, 409, 422))
    async def add_user(self, ops: Ops, caller: Caller, data: JSONBody[s.NewUser]) -> s.CreatedUser:
        """The new API key is in this response and nowhere else: store it now."""
        return await ops.add_user(caller, data)

    @get("/{email:str}", summary="One user", responses=problem_responses(404))
    async def get_user(self, ops: Ops, caller: Caller, email: Email) -> s.UserRecord | s.LimitedUser:
        """Your own record or, for admins, anyone's; others get a limited view."""
        return await ops.get_user(caller, email)

    @patch("/{email:str}", summary="Update a user", responses=problem_responses(403, 404, 409, 422))
    async def update_user(
        self, request: AnyRequest, ops: Ops, caller: Caller, email: Email, data: JSONBody[s.UserUpdate]
    ) -> s.UserRecord:
        """Admins may set name, roles and sharedTools; others only their own name. Any other field
        (``apiKey``, ``email``, ...) is refused with 422; removing the last admin's role with 409."""
        return await ops.update_user(caller, email, await as_sent(request, data))

    @delete(
        "/{email:str}",
        status_code=200,
        summary="Delete a user (admins)",
        responses=problem_responses(403, 404, 409, 422),
    )
    async def delete_user(self, ops: Ops, caller: Caller, email: Email) -> s.DeletedUser:
        """Also closes the user's MCP sessions and deletes the tools and prompts they created (with
        every share of those tools). Admins cannot delete themselves; the last admin cannot go."""
        return await ops.delete_user(caller, email)

    @post(
        "/{email:str}/api-key/reset",
        status_code=200,
        summary="Issue a new API key",
        responses=problem_responses(403, 404, 422),
    )
    async def reset_key(self, ops: Ops, caller: Caller, email: Email, data: JSONBody[s.KeyResetRequest]) -> s.IssuedKey:
        """Your own key, or anyone's for admins. Requires ``{"confirm": true}``; the old key and its
        sessions stop working at once, and the new key is shown only in this response."""
        return await ops.reset_key(caller, email, data)


class MeController(Controller):
    path = "/me"
    tags = ["users"]

    @get("/", summary="The caller's own record", responses=problem_responses())
    async def me(self, ops: Ops, caller: Caller) -> s.UserRecord:
        return await ops.me(caller)
