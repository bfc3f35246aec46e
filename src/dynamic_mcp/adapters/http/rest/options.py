"""OPTIONS answers listing every method of a path.

Litestar's automatic OPTIONS handler lists only the methods of the first handler registered on a
path, so paths served by several handlers (GET and POST on /users) get this one instead.
"""

from __future__ import annotations

from typing import Any

from litestar import HttpMethod, MediaType, Request, Response, route

MULTI_METHOD_PATHS = [
    "/users",
    "/users/{email:str}",
    "/tools",
    "/tools/{name:str}",
    "/shares",
    "/me/hidden-tools",
    "/prompts",
    "/prompts/{name:str}",
]


@route(MULTI_METHOD_PATHS, http_method=[HttpMethod.OPTIONS], include_in_schema=False, sync_to_thread=False)
def allowed_methods(request: Request[Any, Any, Any]) -> Response[None]:
    template = request.scope.get("path_template", "")
    methods = {"OPTIONS"}
    for r in request.app.routes:
        if r.path_format == template:
            methods.update(r.methods)
    return Response(None, status_code=204, headers={"Allow": ", ".join(sorted(methods))}, media_type=MediaType.TEXT)
