"""The ``template`` package: prompts made of data (docs/prompts.md).

    handler: {type: "template", config: {messages: [{role: "user", text: "Review {{file}}"}, ...],
                                         completions?: {file: ["a.py", "b.py"]}}}

Each message's ``text`` is rendered with the prompt's arguments (and ``userEmail``, ``sessionId``);
a placeholder with no value renders empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.templating import as_text, caller_lookup, context_values, render
from dynamic_mcp.ports.handlers import ProgressReporter, PromptContext, ToolContext

PACKAGE = "template"
ROLES = ("user", "assistant")


def rendered_messages(
    config: Mapping[str, Any], arguments: Mapping[str, Any], context: Mapping[str, Any]
) -> list[dict[str, Any]]:
    messages = config.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Invalid("A template prompt needs config.messages: a non-empty array of {role, text}")
    lookup = caller_lookup(arguments, context)
    out = []
    for i, message in enumerate(messages):
        if (
            not isinstance(message, Mapping)
            or message.get("role") not in ROLES
            or not isinstance(message.get("text"), str)
        ):
            raise Invalid(f"config.messages[{i}] must be {{role: 'user' or 'assistant', text: string}}")
        text = as_text(render(message["text"], lookup))
        out.append({"role": message["role"], "content": {"type": "text", "text": text}})
    return out


async def template_prompt(args: dict[str, Any], context: PromptContext, config: Mapping[str, Any]) -> Mapping[str, Any]:
    messages = rendered_messages(config, args, context_values(context.session_id, context.user.email))
    description = config.get("description")
    return {"messages": messages, **({"description": description} if isinstance(description, str) else {})}


async def template_tool(
    args: dict[str, Any], context: ToolContext, config: Mapping[str, Any], progress: ProgressReporter
) -> Mapping[str, Any]:
    """As a tool's handler: the rendered messages' texts as text blocks."""
    messages = rendered_messages(config, args, context_values(context.session_id, context.user.email))
    return {"content": [m["content"] for m in messages]}


def build_package() -> HandlerPackage:
    return HandlerPackage(name=PACKAGE, tools=(), handler=template_tool, prompt_handler=template_prompt)
