"""/prompts through REST (rules: docs/access.md)."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody

from dynamic_mcp.adapters.http.rest import schemas as s
from dynamic_mcp.adapters.http.rest.bodies import AnyRequest, as_sent
from dynamic_mcp.adapters.http.rest.params import Caller, Ops, Page, PromptName
from dynamic_mcp.adapters.http.rest.problems import problem_responses


class PromptsController(Controller):
    path = "/prompts"
    tags = ["prompts"]

    @get("/", summary="Prompts visible to the caller", responses=problem_responses())
    async def list_prompts(self, ops: Ops, caller: Caller, page: Page) -> s.PromptPage:
        """Handler config is shown to admins and to each prompt's creator only."""
        return await ops.list_prompts(caller, page.name_contains, page.skip, page.limit)

    @post("/", summary="Create a prompt (management handlers: admins only)", responses=problem_responses(403, 409, 422))
    async def add_prompt(self, ops: Ops, caller: Caller, data: JSONBody[s.NewPrompt]) -> s.PromptSaved:
        """Admins and power users; a name in use is rejected, never overwritten."""
        return await ops.add_prompt(caller, data)

    @get("/{name:str}", summary="One prompt", responses=problem_responses(404))
    async def get_prompt(self, ops: Ops, caller: Caller, name: PromptName) -> s.PromptOut:
        return await ops.get_prompt(caller, name)

    @patch("/{name:str}", summary="Update a prompt", responses=problem_responses(403, 404, 422))
    async def update_prompt(
        self, request: AnyRequest, ops: Ops, caller: Caller, name: PromptName, data: JSONBody[s.PromptUpdate]
    ) -> s.PromptSaved:
        """The creator, or an admin for any prompt but package prompts; others get 404. Unknown
        fields are refused (422)."""
        return await ops.update_prompt(caller, name, await as_sent(request, data))

    @delete("/{name:str}", status_code=200, summary="Delete a prompt", responses=problem_responses(404, 422))
    async def delete_prompt(self, ops: Ops, caller: Caller, name: PromptName) -> s.PromptDeleted:
        """The creator, or an admin for any prompt but package prompts; others get 404."""
        return await ops.delete_prompt(caller, name)
