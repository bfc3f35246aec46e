"""/resources through REST (docs/resources.md). A resource is named by ``?uri=`` (and ``creator``
when several users have one with that URI): URIs hold ``/`` and ``:``, which a path cannot carry."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired, TypedDict

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from dynamic_mcp.adapters.http.rest.bodies import AnyRequest, as_sent
from dynamic_mcp.adapters.http.rest.params import Caller
from dynamic_mcp.adapters.http.rest.problems import problem_responses
from dynamic_mcp.adapters.http.rest.schemas import HandlerIn
from dynamic_mcp.application.resource_management import ResourceManagement

Resources = NamedDependency[ResourceManagement]
Uri = Annotated[str, QueryParameter(description="The resource's uri (a template's uriTemplate)", max_length=2048)]
Creator = Annotated[
    str | None, QueryParameter(description="Whose resource, when several users have this uri", max_length=320)
]
UriContains = Annotated[
    str | None, QueryParameter(name="uriContains", description="Substring of the uri or name", max_length=2048)
]


class ResourceIn(TypedDict):
    """A definition: name, one of uri / uriTemplate, exactly one of text, blob (base64) or handler;
    or the same wrapped as ``{"resourceDefinition": {...}}``."""

    resourceDefinition: NotRequired[dict[str, Any]]
    name: NotRequired[str]
    uri: NotRequired[str]
    uriTemplate: NotRequired[str]
    title: NotRequired[str | None]
    description: NotRequired[str | None]
    mimeType: NotRequired[str | None]
    text: NotRequired[str]
    blob: NotRequired[str]
    handler: NotRequired[HandlerIn]
    rolesPermitted: NotRequired[list[str] | None]
    alwaysVisible: NotRequired[bool]
    completions: NotRequired[dict[str, list[str]] | None]


class ResourceUpdate(TypedDict, total=False):
    name: str
    title: str | None
    description: str | None
    mimeType: str | None
    text: str
    blob: str
    handler: HandlerIn
    rolesPermitted: list[str] | None
    alwaysVisible: bool
    completions: dict[str, list[str]] | None


class ResourcesController(Controller):
    path = "/resources"
    tags = ["resources"]

    @get("/", summary="Resources and templates the caller may read", responses=problem_responses())
    async def list_resources(self, resources: Resources, caller: Caller, uri_contains: UriContains = None) -> Any:
        """Content and handler config are shown to those who may change each resource."""
        return (await resources.list_resources(caller, uri_contains)).result

    @get("/item", summary="One resource", responses=problem_responses(404, 422))
    async def get_resource(self, resources: Resources, caller: Caller, uri: Uri, creator: Creator = None) -> Any:
        return await resources.get_resource(caller, uri, creator)

    @post("/", summary="Create or replace one of your resources", responses=problem_responses(403, 422))
    async def add_resource(
        self, request: AnyRequest, resources: Resources, caller: Caller, data: JSONBody[ResourceIn]
    ) -> Any:
        """Admins and power users; the body is a definition or ``{"resourceDefinition": definition}``."""
        return (await resources.add_resource(caller, await as_sent(request, data))).result

    @patch("/", summary="Update a resource", responses=problem_responses(403, 404, 422))
    async def update_resource(
        self,
        request: AnyRequest,
        resources: Resources,
        caller: Caller,
        uri: Uri,
        data: JSONBody[ResourceUpdate],
        creator: Creator = None,
    ) -> Any:
        """The creator, or an admin for any resource but package resources."""
        return (await resources.update_resource(caller, uri, await as_sent(request, data), creator)).result

    @delete("/", status_code=200, summary="Delete a resource", responses=problem_responses(403, 404, 422))
    async def delete_resource(self, resources: Resources, caller: Caller, uri: Uri, creator: Creator = None) -> Any:
        """The creator, or an admin for any resource but package resources."""
        return (await resources.delete_resource(caller, uri, creator)).result
