"""``completion/complete``: one handler, dispatched on the reference's kind (docs/resources.md).

``ref/resource`` completes a resource template's variable; ``ref/prompt`` goes to the prompt
completer when one is installed (``prompt_completer``), and completes nothing otherwise.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server

from dynamic_mcp.adapters.mcp.resources import _email, mcp_error
from dynamic_mcp.application.resources import ResourceService
from dynamic_mcp.domain.errors import DomainError

PromptCompleter = Callable[[str, str, str, str, Mapping[str, str]], Awaitable[list[str]]]
"""``(email, prompt_name, argument, value, context_arguments) -> values``."""

MAX_VALUES = 100  # what the spec lets one response carry


class Completions:
    def __init__(self, resources: ResourceService, prompt_completer: PromptCompleter | None = None) -> None:
        self.resources = resources
        self.prompt_completer = prompt_completer

    async def complete(
        self, ctx: ServerRequestContext[Any, Any], params: types.CompleteRequestParams
    ) -> types.CompleteResult:
        email = _email(ctx)
        context = dict(params.context.arguments or {}) if params.context is not None else {}
        name, value = params.argument.name, params.argument.value
        try:
            if isinstance(params.ref, types.ResourceTemplateReference):
                values = await self.resources.complete(email, params.ref.uri, name, value, context)
            elif self.prompt_completer is not None:
                values = await self.prompt_completer(email, params.ref.name, name, value, context)
            else:
                values = []
        except DomainError as exc:
            raise mcp_error(exc) from exc
        return types.CompleteResult(
            completion=types.Completion(
                values=values[:MAX_VALUES], total=len(values), has_more=len(values) > MAX_VALUES
            )
        )


def install_completion(server: Server[Any], completions: Completions) -> None:
    server.add_request_handler("completion/complete", types.CompleteRequestParams, completions.complete)
