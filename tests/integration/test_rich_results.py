"""Rich results, structured output and the handler context (log, elicit, elicit_url, sample)
through the official Python SDK client, in the handshake era and in 2026-07-28.

One in-process server for the module, with the conformance example's package and a small package
of this test's own."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import mcp_types as types
import pytest
import pytest_asyncio
from examples.conformance_server import CONFORMANCE, PNG
from mcp.client import Client
from mcp.shared.exceptions import MCPError

from dynamic_mcp import DynamicMcpServer, HandlerPackage, ToolContext
from dynamic_mcp.config import Settings
from tests.integration.harness import ADMIN_KEY

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

MODERN = "2026-07-28"
LEGACY = "legacy"
ERAS = [LEGACY, MODERN]
EVERYONE = ["user", "power-user", "admin"]
COUNT_SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


async def rich_handler(args: dict[str, Any], context: ToolContext, config: Mapping[str, Any], progress: Any) -> Any:
    kind = config["kind"]
    if kind == "count":
        return {"structuredContent": {"n": args.get("n")}}
    if kind == "envelope-only":
        return {"result": {"n": 1}}
    if kind == "link":
        return {
            "content": [
                {"type": "resource_link", "uri": "test://linked", "name": "linked", "mimeType": "text/plain"},
                {"type": "text", "text": "see the link"},
            ]
        }
    if kind == "malformed":
        return {"content": [{"type": "image", "data": PNG}]}  # no mimeType
    if kind == "two-questions":
        first = await context.elicit("Your name?", {"type": "object", "properties": {"name": {"type": "string"}}})
        second = await context.elicit("Your city?", {"type": "object", "properties": {"city": {"type": "string"}}})
        reply = await context.sample("Say hi", max_tokens=20, systemPrompt="be brief")
        text = reply["content"]["text"]
        await context.log("warning", "asked twice", {"rounds": 2})
        return {"content": [{"type": "text", "text": json.dumps([first["content"], second["content"], text])}]}
    if kind == "url":
        answer = await context.elicit_url("Sign in, please", "https://example.com/consent")
        return {"content": [{"type": "text", "text": answer["action"]}]}
    if kind == "bad-level":
        await context.log("loud", "nope")
    return {"result": None}


def rich_tool(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{kind} fixture",
        "inputSchema": {"type": "object", "properties": {"n": {}}},
        "handler": {"type": "rich", "config": {"kind": kind}},
        "rolesPermitted": EVERYONE,
        **extra,
    }


RICH = HandlerPackage(
    name="rich",
    tools=[
        rich_tool(
            "count",
            "count",
            outputSchema=COUNT_SCHEMA,
            title="Counter",
            icons=[{"src": "https://example.com/count.png", "mimeType": "image/png", "sizes": ["48x48"]}],
        ),
        rich_tool("envelope-only", "envelope-only", outputSchema=COUNT_SCHEMA),
        rich_tool("link", "link"),
        rich_tool("malformed", "malformed"),
        rich_tool("two-questions", "two-questions"),
        rich_tool("url", "url"),
        rich_tool("bad-level", "bad-level"),
    ],
    handler=rich_handler,
)


@pytest_asyncio.fixture(
    scope="module", loop_scope="module", params=["memory", pytest.param("mongo", marks=pytest.mark.mongo)]
)
async def url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """The server in each storage mode: the new definition fields and results go through the store."""
    store: dict[str, Any] = {}
    if request.param == "mongo":
        store = {
            "mongodb_uri": request.getfixturevalue("mongo_uri"),
            "mongodb_db": request.getfixturevalue("fresh_database_name")("rich"),
        }
    settings = Settings(admin_email="admin@example.com", admin_api_key=ADMIN_KEY, port=0, **store)
    server = DynamicMcpServer("rich-results", "1.0.0", settings=settings)
    await server.register_handler(CONFORMANCE)
    await server.register_handler(RICH)
    await server.start()
    yield f"http://127.0.0.1:{server.port}/mcp?apiKey={ADMIN_KEY}"
    await server.stop()


class Asked:
    """The client side of elicitation and sampling: records what it was asked, answers in turn."""

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = list(answers)
        self.elicited: list[types.ElicitRequestParams] = []
        self.sampled: list[types.CreateMessageRequestParams] = []
        self.logs: list[types.LoggingMessageNotificationParams] = []

    async def elicit(self, context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.elicited.append(params)
        if isinstance(params, types.ElicitRequestURLParams):
            return types.ElicitResult(action="accept")
        return types.ElicitResult(action="accept", content=self.answers.pop(0))

    async def sample(self, context: Any, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        self.sampled.append(params)
        return types.CreateMessageResult(
            role="assistant", content=types.TextContent(type="text", text="hi there"), model="test-model"
        )

    async def log(self, params: types.LoggingMessageNotificationParams) -> None:
        self.logs.append(params)


@contextlib.asynccontextmanager
async def connect(url: str, mode: str, asked: Asked | None = None, **kw: Any) -> AsyncIterator[Client]:
    asked = asked or Asked()
    async with Client(
        url,
        mode=mode,  # type: ignore[arg-type]
        elicitation_callback=asked.elicit,
        sampling_callback=asked.sample,
        logging_callback=asked.log,
        **kw,
    ) as client:
        yield client


def text_of(result: types.CallToolResult) -> str:
    return "".join(b.text for b in result.content if isinstance(b, types.TextContent))


# -- content blocks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ERAS)
async def test_every_content_block_type_reaches_the_client(url: str, mode: str) -> None:
    async with connect(url, mode) as c:
        image = (await c.call_tool("test_image_content", {})).content[0]
        assert isinstance(image, types.ImageContent) and image.mime_type == "image/png" and image.data == PNG
        audio = (await c.call_tool("test_audio_content", {})).content[0]
        assert isinstance(audio, types.AudioContent) and audio.mime_type == "audio/wav"
        embedded = (await c.call_tool("test_embedded_resource", {})).content[0]
        assert isinstance(embedded, types.EmbeddedResource)
        assert isinstance(embedded.resource, types.TextResourceContents)
        assert embedded.resource.text == "This is an embedded resource content."
        link = await c.call_tool("link", {})
        assert isinstance(link.content[0], types.ResourceLink) and link.content[0].uri == "test://linked"
        assert text_of(link) == "see the link"
        mixed = await c.call_tool("test_multiple_content_types", {})
        assert [b.type for b in mixed.content] == ["text", "image", "resource"]


@pytest.mark.parametrize("mode", ERAS)
async def test_is_error_and_malformed_content_are_tool_errors(url: str, mode: str) -> None:
    async with connect(url, mode) as c:
        failed = await c.call_tool("test_error_handling", {})
        assert failed.is_error and text_of(failed) == "This tool intentionally returns an error for testing"
        malformed = await c.call_tool("malformed", {})
        assert malformed.is_error and "mimeType" in text_of(malformed)


async def test_the_envelope_stays_the_default_text(url: str) -> None:
    async with connect(url, LEGACY) as c:
        result = await c.call_tool("user-info", {})
        body = json.loads(text_of(result))
        assert set(body) <= {"result", "message", "nextSteps"} and body["result"]["email"] == "admin@example.com"


# -- structured output ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ERAS)
async def test_structured_content_is_checked_against_the_output_schema(url: str, mode: str) -> None:
    async with connect(url, mode) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        count = tools["count"]
        assert count.output_schema == COUNT_SCHEMA and count.title == "Counter"
        assert count.icons is not None and count.icons[0].src == "https://example.com/count.png"
        good = await c.call_tool("count", {"n": 3})
        assert not good.is_error and good.structured_content == {"n": 3}
        assert json.loads(text_of(good)) == {"n": 3}  # the same as text, for clients that ignore it
        bad = await c.call_tool("count", {"n": "three"})
        assert bad.is_error and "does not match its outputSchema" in text_of(bad)
        missing = await c.call_tool("envelope-only", {})
        assert missing.is_error and "returned no structuredContent" in text_of(missing)


# -- context.log, elicit, elicit_url, sample ------------------------------------------------------


async def test_log_follows_set_level_in_the_handshake_era(url: str) -> None:
    asked = Asked()
    async with connect(url, LEGACY, asked) as c:
        await c.call_tool("test_tool_with_logging", {})
        assert [p.data for p in asked.logs] == [
            "Tool execution started",
            "Tool processing data",
            "Tool execution completed",
        ]
        assert {p.level for p in asked.logs} == {"info"} and asked.logs[0].logger == "test_tool_with_logging"
        await c.set_logging_level("warning")
        asked.logs.clear()
        await c.call_tool("test_tool_with_logging", {})
        assert asked.logs == []


async def test_log_needs_the_request_opt_in_in_the_modern_era(url: str) -> None:
    quiet = Asked()
    async with connect(url, MODERN, quiet) as c:
        assert not (await c.call_tool("test_tool_with_logging", {})).is_error
    assert quiet.logs == []
    loud = Asked()
    async with connect(url, MODERN, loud, log_level="info") as c:
        await c.call_tool("test_tool_with_logging", {})
    assert [p.data for p in loud.logs] == ["Tool execution started", "Tool processing data", "Tool execution completed"]


@pytest.mark.parametrize("mode", ERAS)
async def test_unknown_log_level_is_a_tool_error(url: str, mode: str) -> None:
    async with connect(url, mode) as c:
        result = await c.call_tool("bad-level", {})
        assert result.is_error and "Unknown log level 'loud'" in text_of(result)


@pytest.mark.parametrize("mode", ERAS)
async def test_elicit_twice_then_sample_in_one_call(url: str, mode: str) -> None:
    asked = Asked({"name": "Ada"}, {"city": "London"})
    async with connect(url, mode, asked, log_level="debug") as c:
        result = await c.call_tool("two-questions", {})
    assert not result.is_error, text_of(result)
    assert json.loads(text_of(result)) == [{"name": "Ada"}, {"city": "London"}, "hi there"]
    assert [p.message for p in asked.elicited] == ["Your name?", "Your city?"]
    assert asked.sampled[0].max_tokens == 20 and asked.sampled[0].system_prompt == "be brief"
    assert [(p.level, p.data) for p in asked.logs] == [("warning", {"message": "asked twice", "data": {"rounds": 2}})]


@pytest.mark.parametrize("mode", ERAS)
async def test_the_conformance_elicitation_and_sampling_fixtures(url: str, mode: str) -> None:
    asked = Asked({"username": "ada", "email": "ada@example.com"})
    async with connect(url, mode, asked) as c:
        elicited = await c.call_tool("test_elicitation", {"message": "Who are you?"})
        sampled = await c.call_tool("test_sampling", {"prompt": "Hello?"})
    assert text_of(elicited) == 'User response: action=accept, content={"username": "ada", "email": "ada@example.com"}'
    assert text_of(sampled) == "LLM response: hi there"
    assert asked.sampled[0].messages[0].content.text == "Hello?"  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", ERAS)
async def test_elicit_url_sends_the_user_to_a_url(url: str, mode: str) -> None:
    asked = Asked()
    async with connect(url, mode, asked) as c:
        result = await c.call_tool("url", {})
    assert not result.is_error and text_of(result) == "accept"
    sent = asked.elicited[0]
    assert isinstance(sent, types.ElicitRequestURLParams) and sent.url == "https://example.com/consent"
    assert sent.message == "Sign in, please"
    assert bool(sent.elicitation_id) is (mode == LEGACY)  # 2026-07-28 has no elicitation ids


@pytest.mark.parametrize("mode", ERAS)
async def test_a_client_without_elicitation_gets_a_clear_error(url: str, mode: str) -> None:
    async with Client(url, mode=mode) as c:  # type: ignore[arg-type]
        result = await c.call_tool("test_elicitation", {"message": "hi"})
        sampled = await c.call_tool("test_sampling", {"prompt": "hi"})
    assert result.is_error and "did not declare the elicitation capability" in text_of(result)
    assert sampled.is_error and "did not declare the sampling capability" in text_of(sampled)


async def test_a_forged_request_state_is_refused(url: str) -> None:
    async with connect(url, MODERN) as c:
        with pytest.raises(MCPError, match="Invalid or expired requestState"):
            await c.session.send_request(
                types.CallToolRequest(
                    params=types.CallToolRequestParams(
                        name="two-questions", arguments={}, request_state='{"answers": {"q1": {"action": "accept"}}}'
                    )
                ),
                types.CallToolResult,
            )


# -- prompts as data and completion ---------------------------------------------------------------


@pytest.mark.parametrize("mode", ERAS)
async def test_completion_for_prompt_arguments(url: str, mode: str) -> None:
    async with connect(url, mode) as c:
        ref = types.PromptReference(type="ref/prompt", name="test_prompt_with_arguments")
        done = await c.complete(ref, {"name": "arg1", "value": "par"})
        assert done.completion.values == ["paris", "park", "party"] and done.completion.total == 3
        none = await c.complete(ref, {"name": "arg2", "value": "zzz"})
        assert none.completion.values == []
        with pytest.raises(MCPError, match="has no argument 'nope'"):
            await c.complete(ref, {"name": "nope", "value": ""})
        with pytest.raises(MCPError, match="not found"):
            await c.complete(types.PromptReference(type="ref/prompt", name="missing"), {"name": "a", "value": ""})


@pytest.mark.parametrize("mode", ERAS)
async def test_missing_prompt_arguments_are_invalid_params_naming_them(url: str, mode: str) -> None:
    async with connect(url, mode) as c:
        with pytest.raises(MCPError) as caught:
            await c.get_prompt("test_prompt_with_arguments", {})
        answered = await c.get_prompt("test_prompt_with_arguments", {"arg1": "a", "arg2": "b"})
    assert caught.value.code == -32602 and "arg1, arg2" in caught.value.message
    assert answered.messages[0].content.text == "Prompt with arguments: arg1='a', arg2='b'"  # type: ignore[union-attr]


# -- the round trip across instances ---------------------------------------------------------------


def modern_call(base: str, params: dict[str, Any]) -> dict[str, Any]:
    meta = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}, "sampling": {}},
    }
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"_meta": meta, **params}}
    response = httpx.post(
        f"{base}/mcp",
        json=body,
        headers={
            "accept": "application/json, text/event-stream",
            "mcp-protocol-version": MODERN,
            "mcp-method": "tools/call",
            "mcp-name": params["name"],
            "x-apikey": ADMIN_KEY,
        },
        timeout=30,
    )
    text = response.text
    if response.headers["content-type"].startswith("text/event-stream"):
        text = next(line[5:] for line in text.splitlines() if line.startswith("data:"))
    return dict(json.loads(text))


async def test_a_retry_may_reach_another_instance_holding_the_same_keys() -> None:
    keys = ("k" * 40,)
    servers = []
    for _ in range(2):
        settings = Settings(admin_email="admin@example.com", admin_api_key=ADMIN_KEY, port=0, request_state_keys=keys)
        server = DynamicMcpServer("rich-results", "1.0.0", settings=settings)
        await server.register_handler(RICH)
        await server.start()
        servers.append(server)
    first, second = (f"http://127.0.0.1:{s.port}" for s in servers)
    try:
        asked = (await asyncio.to_thread(modern_call, first, {"name": "two-questions", "arguments": {}}))["result"]
        assert asked["resultType"] == "input_required" and list(asked["inputRequests"]) == ["q1"]
        answer = {"q1": {"action": "accept", "content": {"name": "Ada"}}}
        retry = {
            "name": "two-questions",
            "arguments": {},
            "inputResponses": answer,
            "requestState": asked["requestState"],
        }
        again = (await asyncio.to_thread(modern_call, second, retry))["result"]
        assert again["resultType"] == "input_required" and list(again["inputRequests"]) == ["q2"]
        forged = {**retry, "requestState": asked["requestState"][:-4] + "AAAA"}
        refused = await asyncio.to_thread(modern_call, second, forged)
        assert refused["error"]["message"] == "Invalid or expired requestState"
    finally:
        for server in servers:
            await server.stop()
