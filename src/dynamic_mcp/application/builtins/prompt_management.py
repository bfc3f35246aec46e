"""The ``prompt-management`` package (docs/access.md). Validation failures are errors (docs/compatibility.md)."""

from __future__ import annotations

from dynamic_mcp.application.builtins.catalog_data import PROMPT_MANAGEMENT_TOOLS
from dynamic_mcp.application.builtins.common import Action, dispatcher, opt_str
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.prompts import PromptService

PACKAGE = "prompt-management"


def build_package(prompts: PromptService) -> HandlerPackage:
    actions: dict[str, Action] = {
        "list": lambda c, a: prompts.list_prompts(c, opt_str(a, "nameContains")),
        "add": lambda c, a: prompts.add_prompt(c, a),
        "update": lambda c, a: prompts.update_prompt(c, a.get("name"), a.get("updates")),
        "delete": lambda c, a: prompts.delete_prompt(c, a.get("name")),
    }
    return HandlerPackage(name=PACKAGE, tools=PROMPT_MANAGEMENT_TOOLS, handler=dispatcher(actions))
