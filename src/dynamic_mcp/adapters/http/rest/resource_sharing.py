"""/resource-shares and /me/hidden-resources through REST, as /shares and /me/hidden-tools for tools
(docs/resources.md). A resource is named by ``uri`` (and ``creator`` when several users have one)."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired, TypedDict

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from dynamic_mcp.adapters.http.rest.params import Caller
from dynamic_mcp.adapters.http.rest.problems import problem_responses
from dynamic_mcp.adapters.http.rest.resources import Creator, Uri
from dynamic_mcp.application.resource_sharing import ResourceSharing

Sharing = NamedDependency[ResourceSharing]
Recipient = Annotated[str, QueryParameter(description="The recipient's email", max_length=320)]


class ResourceShareRequest(TypedDict):
    email: str
    uri: str
    creator: NotRequired[str | None]


class HideResourceRequest(TypedDict):
    uri: str
    creator: NotRequired[str | None]


class ResourceSharesController(Controller):
    path = "/resource-shares"
    tags = ["shares"]

    @post("/", summary="Share a resource", responses=problem_responses(403, 404, 422))
    async def share(self, resource_sharing: Sharing, caller: Caller, data: JSONBody[ResourceShareRequest]) -> Any:
        """Admins share any resource, power users their own; the recipient may read it."""
        output = await resource_sharing.share_resource(caller, data["email"], data["uri"], data.get("creator"))
        return {"email": data["email"].strip(), "sharedResources": output.result}

    @delete("/", status_code=200, summary="Unshare a resource", responses=problem_responses(403, 404, 422))
    async def unshare(
        self, resource_sharing: Sharing, caller: Caller, email: Recipient, uri: Uri, creator: Creator = None
    ) -> Any:
        """Removes the caller's shares of that resource with ``email``; admins remove anyone's."""
        output = await resource_sharing.unshare_resource(caller, email, uri, creator)
        return {"email": email.strip(), "sharedResources": output.result}


class HiddenResourcesController(Controller):
    path = "/me/hidden-resources"
    tags = ["hidden tools"]

    @get("/", summary="Your hidden resources", responses=problem_responses())
    async def hidden(self, resource_sharing: Sharing, caller: Caller) -> Any:
        return (await resource_sharing.hidden_resources(caller)).result

    @post(
        "/", status_code=200, summary="Hide a resource from your resources/list", responses=problem_responses(404, 422)
    )
    async def hide(self, resource_sharing: Sharing, caller: Caller, data: JSONBody[HideResourceRequest]) -> Any:
        """Hidden resources stay readable; always-visible resources cannot be hidden."""
        return (await resource_sharing.hide_resource(caller, data["uri"], data.get("creator"))).result

    @delete("/", status_code=200, summary="Unhide a resource", responses=problem_responses(422))
    async def unhide(self, resource_sharing: Sharing, caller: Caller, uri: Uri, creator: Creator = None) -> Any:
        return (await resource_sharing.unhide_resource(caller, uri, creator)).result
