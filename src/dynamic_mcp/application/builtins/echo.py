"""The ``echo`` package: a handler that returns its arguments, so tools can be made of data alone.

    handler: {type: "echo", config: {message?: "Hello {{name}}", argMappings?: {...}}}

As a prompt's handler, ``config.message`` templated with the prompt's arguments becomes one user
message (without a message, the arguments as JSON). Useful for demos, tests and as the smallest
example of a handler package.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.domain.templating import as_text, caller_lookup, context_values, render
from dynamic_mcp.ports.handlers import ProgressReporter, PromptContext, ToolContext

PACKAGE = "echo"


async def echo(
    args: dict[str, Any], context: ToolContext, config: Mapping[str, Any], progress: ProgressReporter
) -> Mapping[str, Any]:
    output: dict[str, Any] = {"result": args}
    template = config.get("message")
    if isinstance(template, str):
        lookup = caller_lookup(args, context_values(context.session_id, context.user.email))
        output["message"] = as_text(render(template, lookup))
    return output


async def echo_prompt(args: dict[str, Any], context: PromptContext, config: Mapping[str, Any]) -> Mapping[str, Any]:
    template = config.get("message")
    if isinstance(template, str):
        lookup = caller_lookup(args, context_values(context.session_id, context.user.email))
        text = as_text(render(template, lookup))
    else:
        text = json.dumps(args, ensure_ascii=False, sort_keys=True)
    return {"messages": [{"role": "user", "content": {"type": "text", "text": text}}]}


def build_package() -> HandlerPackage:
    return HandlerPackage(name=PACKAGE, tools=(), handler=echo, prompt_handler=echo_prompt)
