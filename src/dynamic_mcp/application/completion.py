"""``completion/complete``: suggestions for prompt arguments and resource template variables (docs/prompts.md).

A prompt's values come from its handler config's ``completions`` (``{argument: [values]}``, or one
list for every argument) or, when the package has one, from its completion hook. Resource
template variables are answered by ``resource_completer`` (the resource use cases' ``complete``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from dynamic_mcp.application.packages import HandlerRegistry
from dynamic_mcp.application.prompts import PromptService
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.ports.handlers import PromptContext

MAX_VALUES = 100
"""The protocol caps one answer at 100 values; ``total`` says how many matched."""

ResourceCompleter = Callable[[str, str, str, str, Mapping[str, str]], Awaitable[Sequence[str] | None]]
"""``(email, uri_template, variable, partial_value, other_variables) -> values`` (None: unknown template)."""


def matching(candidates: Sequence[Any], value: str) -> tuple[list[str], int]:
    """Candidates that start with ``value`` (ignoring case), then those that merely contain it."""
    needle = value.lower()
    texts = [str(c) for c in candidates if isinstance(c, str | int | float) and not isinstance(c, bool)]
    starts = [t for t in texts if t.lower().startswith(needle)]
    contains = [t for t in texts if needle in t.lower() and not t.lower().startswith(needle)]
    found = starts + contains
    return found[:MAX_VALUES], len(found)


def configured_values(config: Mapping[str, Any], argument: str) -> Sequence[Any]:
    completions = config.get("completions")
    if isinstance(completions, Mapping):
        values = completions.get(argument)
        return values if isinstance(values, list) else []
    return completions if isinstance(completions, list) else []


class CompletionService:
    def __init__(
        self, prompts: PromptService, registry: HandlerRegistry, resource_completer: ResourceCompleter | None = None
    ) -> None:
        self._prompts = prompts
        self._registry = registry
        self.resource_completer = resource_completer

    async def prompt_argument(
        self, email: str, name: str, argument: str, value: str, context_args: Mapping[str, str]
    ) -> tuple[list[str], int | None]:
        """Suggestions for one argument of a prompt the caller may see (NotFound otherwise)."""
        user, prompt = await self._prompts.visible_prompt(email, name)
        if argument not in {a.name for a in prompt.arguments}:
            raise Invalid(f"Prompt '{name}' has no argument '{argument}'")
        package = self._registry.get(prompt.handler.type)
        hook = package.completion_handler if package is not None else None
        if hook is not None:
            context = PromptContext(session_id=None, user=user, prompt_name=name, server=self._prompts.server)
            suggested = await hook(argument, value, dict(context_args), context, prompt.handler.config)
            values = [str(v) for v in suggested][:MAX_VALUES]
            return values, len(suggested)
        values, total = matching(configured_values(prompt.handler.config, argument), value)
        return values, total

    async def resource_variable(
        self, email: str, uri_template: str, variable: str, value: str, context_args: Mapping[str, str]
    ) -> tuple[list[str], int | None]:
        if self.resource_completer is None:
            return [], None
        found = await self.resource_completer(email, uri_template, variable, value, context_args)
        if found is None:
            return [], None
        values = [str(v) for v in found]
        return values[:MAX_VALUES], len(values)
