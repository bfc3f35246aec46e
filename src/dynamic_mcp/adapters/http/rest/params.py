"""Parameter and dependency markers shared by the controllers."""

from __future__ import annotations

from typing import Annotated

import attrs
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from dynamic_mcp.adapters.http.rest.operations import DEFAULT_LIMIT, MAX_LIMIT, AdminOperations
from dynamic_mcp.application.users import MAX_SKIP
from dynamic_mcp.domain.users import User

Ops = NamedDependency[AdminOperations]
Caller = NamedDependency[User]

Skip = Annotated[int, QueryParameter(ge=0, le=MAX_SKIP, description=f"How many entries to skip (at most {MAX_SKIP})")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"Page size (at most {MAX_LIMIT})")]
NameContains = Annotated[
    str | None, QueryParameter(name="nameContains", description="Case-insensitive substring of the name")
]
Email = Annotated[str, PathParameter(description="The user's email (exact match)")]
ToolName = Annotated[str, PathParameter(description="Plain tool name or namespaced id (creator:name)")]
PromptName = Annotated[str, PathParameter(description="The prompt's name")]
DEFAULT_SKIP = 0


@attrs.frozen
class PageQuery:
    """``?nameContains=&skip=&limit=``, as every list endpoint takes them."""

    name_contains: str | None
    skip: int
    limit: int


def provide_page(
    name_contains: NameContains = None, skip: Skip = DEFAULT_SKIP, limit: Limit = DEFAULT_LIMIT
) -> PageQuery:
    return PageQuery(name_contains, skip, limit)


Page = NamedDependency[PageQuery]

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_SKIP",
    "Caller",
    "Email",
    "Limit",
    "NameContains",
    "Ops",
    "Page",
    "PageQuery",
    "PromptName",
    "Skip",
    "ToolName",
]
