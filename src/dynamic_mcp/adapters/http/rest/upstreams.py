"""/upstreams and /me/upstream-credentials through REST (docs/upstreams.md): the upstream use cases' second door."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from dynamic_mcp.adapters.http.rest.params import Caller
from dynamic_mcp.adapters.http.rest.problems import problem_responses
from dynamic_mcp.application.upstreams import UpstreamService

Upstreams = NamedDependency[UpstreamService]
UpstreamName = Annotated[str, PathParameter(description="The upstream's name")]


class UpstreamsController(Controller):
    path = "/upstreams"
    tags = ["upstreams"]

    @get("/", summary="Upstream MCP servers", responses=problem_responses())
    async def list_upstreams(self, upstreams: Upstreams, caller: Caller) -> dict[str, Any]:
        """Names, URLs and modes; header names only, never a value."""
        return dict((await upstreams.list_upstreams(caller)).result)

    @post("/", summary="Import an upstream MCP server", responses=problem_responses(403, 409, 422))
    async def import_upstream(
        self, upstreams: Upstreams, caller: Caller, data: JSONBody[dict[str, Any]]
    ) -> dict[str, Any]:
        """Admins and power users: connect, list the upstream's tools and create one tool of the caller's
        per upstream tool. ``{name, url, headers?, credentialMode?, token?, protocol?, connectTimeoutSeconds?,
        callTimeoutSeconds?, toolFilter?, namePrefix?}``. An unreachable upstream is a 422 naming it."""
        output = await upstreams.import_upstream(caller, data)
        return {**output.result, "message": output.message}

    @post(
        "/{name:str}/refresh",
        status_code=200,
        summary="Re-list an upstream",
        responses=problem_responses(403, 404, 422),
    )
    async def refresh(self, upstreams: Upstreams, caller: Caller, name: UpstreamName) -> dict[str, Any]:
        """Its importer and admins: add, update and remove imported tools to match the upstream."""
        return dict((await upstreams.refresh(caller, name)).result)

    @delete("/{name:str}", status_code=200, summary="Delete an upstream", responses=problem_responses(403, 404, 422))
    async def delete_upstream(self, upstreams: Upstreams, caller: Caller, name: UpstreamName) -> dict[str, Any]:
        """Its importer and admins; the tools imported from it go too."""
        return dict((await upstreams.delete_upstream(caller, name)).result)


class MyUpstreamCredentialsController(Controller):
    path = "/me/upstream-credentials"
    tags = ["upstreams"]

    @put("/{name:str}", summary="Store your token for a per-user upstream", responses=problem_responses(404, 422))
    async def put_credential(
        self, upstreams: Upstreams, caller: Caller, name: UpstreamName, data: JSONBody[dict[str, Any]]
    ) -> dict[str, Any]:
        """``{"token": "..."}``; kept encrypted and never shown again. Calls of the upstream's tools
        then carry it as ``Authorization: Bearer``."""
        return dict((await upstreams.set_credential(caller, name, data.get("token"))).result)

    @delete(
        "/{name:str}",
        status_code=200,
        summary="Forget your token for an upstream",
        responses=problem_responses(404, 422),
    )
    async def delete_credential(self, upstreams: Upstreams, caller: Caller, name: UpstreamName) -> dict[str, Any]:
        return dict((await upstreams.delete_credential(caller, name)).result)
