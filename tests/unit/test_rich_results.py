"""Handler results beyond the envelope, tool definitions with outputSchema/title/icons, prompts as
data (echo, template) and prompt-argument completion, through the use cases (docs/tools.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from dynamic_mcp.application.completion import matching
from dynamic_mcp.application.packages import HandlerPackage
from dynamic_mcp.application.prompts import PromptArgumentsMissing
from dynamic_mcp.application.results import parse_rich
from dynamic_mcp.container import Container
from dynamic_mcp.domain.errors import Invalid, NotFound
from dynamic_mcp.ports.handlers import ProgressReporter, ToolContext

from .support import ADMIN, Caller, tool_definition

COUNT = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


async def returns_its_config(
    args: dict[str, Any], context: ToolContext, config: Mapping[str, Any], progress: ProgressReporter
) -> Any:
    """Answers with config["answer"], so each test states exactly what the handler returns."""
    if config.get("ask"):
        await context.elicit("question?", {"type": "object", "properties": {}})
    if config.get("log"):
        await context.log("info", "no client, nothing sent")
    return config["answer"]


@pytest.fixture
async def raw(container: Container) -> str:
    await container.registrar().register(HandlerPackage(name="raw", tools=[], handler=returns_its_config))
    return "raw"


async def add(admin: Caller, name: str, answer: Any, **fields: Any) -> None:
    handler = {"type": "raw", "config": {"answer": answer, **fields.pop("config", {})}}
    await admin.ok("add-tool", toolDefinition=tool_definition(name, handler=handler, **fields))


# -- parsing ------------------------------------------------------------------------------------


def test_parse_rich_keeps_blocks_and_derives_text() -> None:
    blocks = [
        {"type": "text", "text": "a"},
        {"type": "image", "data": "AAAA", "mimeType": "image/png"},
        {"type": "audio", "data": "AAAA", "mimeType": "audio/wav"},
        {"type": "resource", "resource": {"uri": "x://1", "blob": "AAAA"}},
        {"type": "resource_link", "uri": "x://2", "name": "two"},
    ]
    parsed = parse_rich({"content": blocks, "isError": True})
    assert parsed.content == tuple(blocks) and parsed.is_error and parsed.structured is None
    assert parse_rich({"structuredContent": {"n": 1}}).content == ({"type": "text", "text": '{"n": 1}'},)
    envelope = parse_rich({"result": {"a": 1}, "message": "m", "isError": True})
    assert envelope.content == ({"type": "text", "text": '{"result": {"a": 1}, "message": "m"}'},)
    assert parse_rich({"content": [], "_meta": {"k": 1}}).meta == {"k": 1}


@pytest.mark.parametrize(
    ("output", "problem"),
    [
        ({"content": "text"}, "content must be an array"),
        ({"content": [{"type": "video"}]}, "type is one of"),
        ({"content": [{"type": "text"}]}, "needs string field(s) text"),
        ({"content": [{"type": "image", "data": "AA"}]}, "mimeType"),
        ({"content": [{"type": "resource", "resource": {"uri": "x://"}}]}, "text or blob"),
        ({"content": [{"type": "resource_link", "uri": "x://"}]}, "name"),
        ({"content": [], "isError": "yes"}, "isError must be a boolean"),
        ({"structuredContent": [1]}, "structuredContent must be an object"),
        ({"content": [], "_meta": "x"}, "_meta must be an object"),
    ],
)
def test_parse_rich_refuses_malformed_results(output: dict[str, Any], problem: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_rich(output)
    assert problem in caught.value.message


# -- calls --------------------------------------------------------------------------------------


async def test_rich_results_through_the_call_pipeline(admin: Caller, raw: str) -> None:
    await add(admin, "pic", {"content": [{"type": "image", "data": "AAAA", "mimeType": "image/png"}]})
    outcome = await admin.call("pic")
    assert not outcome.is_error and outcome.rich is not None
    assert outcome.rich.content[0]["mimeType"] == "image/png" and outcome.text == "[image image/png]"
    await add(admin, "oops", {"content": [{"type": "text", "text": "bad"}], "isError": True})
    failed = await admin.call("oops")
    assert failed.is_error and failed.kind == "error" and failed.text == "bad"
    await add(admin, "broken", {"content": [{"type": "nope"}]})
    assert "returned a malformed result" in await admin.fails("broken")


async def test_an_envelope_result_keeps_its_exact_text(admin: Caller, raw: str) -> None:
    await add(admin, "env", {"result": {"b": 2, "a": "é"}, "message": "done", "nextSteps": ["x"], "extra": 1})
    outcome = await admin.call("env")
    assert outcome.rich is None
    assert outcome.text == '{"result": {"b": 2, "a": "é"}, "message": "done", "nextSteps": ["x"]}'


async def test_output_schema_is_enforced(admin: Caller, raw: str) -> None:
    await add(admin, "good", {"structuredContent": {"n": 1}}, outputSchema=COUNT)
    good = await admin.call("good")
    assert not good.is_error and good.rich is not None and good.rich.structured == {"n": 1}
    await add(admin, "wrong", {"structuredContent": {"n": "one"}}, outputSchema=COUNT)
    assert "does not match its outputSchema" in await admin.fails("wrong")
    await add(admin, "none", {"result": 1}, outputSchema=COUNT)
    assert "returned no structuredContent" in await admin.fails("none")
    await add(admin, "err", {"content": [{"type": "text", "text": "no"}], "isError": True}, outputSchema=COUNT)
    assert (await admin.call("err")).is_error  # an error result needs no structured content


async def test_context_without_a_client(admin: Caller, raw: str) -> None:
    await add(admin, "asks", {"result": 1}, config={"ask": True})
    assert "has no MCP client to ask" in await admin.fails("asks")
    await add(admin, "logs", {"result": 1}, config={"log": True})
    assert (await admin.call("logs")).text == '{"result": 1}'  # logging without a client is a no-op


# -- definitions --------------------------------------------------------------------------------


async def test_definitions_accept_and_return_output_schema_title_and_icons(admin: Caller, raw: str) -> None:
    icons = [{"src": "https://example.com/a.png", "mimeType": "image/png", "sizes": ["16x16"], "theme": "dark"}]
    await add(admin, "fancy", {"structuredContent": {"n": 1}}, outputSchema=COUNT, title="Fancy", icons=icons)
    listed = {t.name: t for t in await admin.container.call_service().list_tools(ADMIN)}["fancy"]
    assert (listed.output_schema, listed.title, listed.icons) == (COUNT, "Fancy", tuple(icons))
    updated = await admin.ok("update-tool", name="fancy", updates={"title": "Plain", "outputSchema": None})
    assert updated["result"]["updated"]["title"] == "Plain" and updated["result"]["updated"]["outputSchema"] is None
    assert updated["result"]["updated"]["icons"] == icons


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"outputSchema": {"type": "array"}}, "outputSchema must be a JSON Schema object"),
        ({"outputSchema": {"type": "object", "properties": {"n": {"type": 5}}}}, "outputSchema is not a valid"),
        ({"title": 3}, "title must be a string"),
        ({"icons": {"src": "x"}}, "icons must be an array"),
        ({"icons": [{"mimeType": "image/png"}]}, "every icon needs a 'src'"),
        ({"icons": [{"src": "x", "size": "1"}]}, "Unknown icon field(s): size"),
        ({"icons": [{"src": "x", "theme": "blue"}]}, "theme must be"),
        ({"icons": [{"src": "x", "sizes": "16x16"}]}, "sizes must be an array"),
    ],
)
async def test_bad_definition_fields_are_refused(admin: Caller, fields: dict[str, Any], problem: str) -> None:
    message = await admin.fails("add-tool", toolDefinition=tool_definition("bad", **fields))
    assert problem in message


# -- prompts as data ----------------------------------------------------------------------------


async def test_echo_and_template_prompts_answer_without_code(container: Container, admin: Caller) -> None:
    prompts = container.prompt_service()
    await admin.ok(
        "add-prompt",
        name="hello",
        description="d",
        arguments=[{"name": "who", "required": True}],
        handler={"type": "echo", "config": {"message": "Hello {{who}}, from {{userEmail}}"}},
    )
    answered = await prompts.get_prompt(ADMIN, "hello", {"who": "Ada"})
    assert [(m.role, dict(m.content)) for m in answered.messages] == [
        ("user", {"type": "text", "text": f"Hello Ada, from {ADMIN}"})
    ]
    config = {
        "messages": [
            {"role": "user", "text": "Review {{file}} for {{focus}}"},
            {"role": "assistant", "text": "Reviewing {{file}}."},
        ]
    }
    await admin.ok(
        "add-prompt",
        name="review",
        description="d",
        arguments=[{"name": "file", "required": True}, {"name": "focus", "required": True}, {"name": "note"}],
        handler={"type": "template", "config": config},
    )
    review = await prompts.get_prompt(ADMIN, "review", {"file": "a.py", "focus": "bugs"})
    assert [(m.role, m.content["text"]) for m in review.messages] == [
        ("user", "Review a.py for bugs"),
        ("assistant", "Reviewing a.py."),
    ]
    with pytest.raises(PromptArgumentsMissing, match="file, focus"):
        await prompts.get_prompt(ADMIN, "review", {"note": "x"})


async def test_a_template_without_messages_is_a_clear_error(container: Container, admin: Caller) -> None:
    await admin.ok("add-prompt", name="empty", description="d", handler={"type": "template", "config": {}})
    with pytest.raises(Invalid, match=r"config\.messages"):
        await container.prompt_service().get_prompt(ADMIN, "empty", {})


async def test_completion_from_config_and_from_a_package_hook(container: Container, admin: Caller) -> None:
    await admin.ok(
        "add-prompt",
        name="city",
        description="d",
        arguments=[{"name": "city"}],
        handler={
            "type": "template",
            "config": {
                "messages": [{"role": "user", "text": "{{city}}"}],
                "completions": {"city": ["Paris", "Parma", "Lyon", "Compiègne"]},
            },
        },
    )
    completions = container.completion_service()
    assert await completions.prompt_argument(ADMIN, "city", "city", "par", {}) == (["Paris", "Parma"], 2)
    assert await completions.prompt_argument(ADMIN, "city", "city", "", {}) == (
        ["Paris", "Parma", "Lyon", "Compiègne"],
        4,
    )
    with pytest.raises(NotFound):
        await completions.prompt_argument("nobody@example.com", "city", "city", "", {})

    async def hook(argument: str, value: str, others: dict[str, str], context: Any, config: Any) -> list[str]:
        return [f"{value}-{argument}-{others.get('x', '')}-{context.user.email}"]

    package = HandlerPackage(
        name="hooked",
        tools=[],
        handler=returns_its_config,
        prompts=[{"name": "hooked", "arguments": [{"name": "a"}], "handler": {"type": "hooked", "config": {}}}],
        completion_handler=hook,
    )
    await container.registrar().register(package)
    assert await completions.prompt_argument(ADMIN, "hooked", "a", "v", {"x": "1"}) == ([f"v-a-1-{ADMIN}"], 1)


def test_matching_puts_prefix_matches_first_and_caps_at_100() -> None:
    assert matching(["xpar", "Park", 3, True, "other"], "par") == (["Park", "xpar"], 2)
    values, total = matching([f"v{i}" for i in range(250)], "v")
    assert len(values) == 100 and total == 250


async def test_a_rich_result_summary_is_what_the_console_shows(admin: Caller, raw: str) -> None:
    await add(admin, "linky", {"content": [{"type": "resource_link", "uri": "x://a", "name": "a"}]})
    assert (await admin.call("linky")).text == "[resource link x://a]"
    assert json.loads((await admin.call("user-info")).text)["result"]["email"] == ADMIN
