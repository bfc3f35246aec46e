"""dynamic-mcp with the fixtures of the official MCP conformance suite (@modelcontextprotocol/conformance).

    MCP_ADMIN_API_KEY=... PORT=4001 python examples/conformance_server.py
    npx @modelcontextprotocol/conformance server --url "http://localhost:4001/mcp?apiKey=$MCP_ADMIN_API_KEY"

One handler package, ``conformance``, declares the tools, prompts and resources the suite's server
scenarios use (``test_simple_text``, ``test_image_content``, ..., ``test_prompt_with_arguments``), each
written against the public handler API: rich results, ``context.log``, ``context.elicit``,
``context.sample`` and progress. It honours ``PORT``, ``HOST`` and ``MCP_ADMIN_API_KEY`` like
``dynamic-mcp serve``; the suite authenticates with the key in the URL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from dynamic_mcp import DynamicMcpServer, HandlerPackage, PromptContext, ToolContext

PACKAGE = "conformance"
EVERYONE = ["user", "power-user", "admin"]
# A 1x1 red PNG and eight samples of silent 8 kHz WAV, base64.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
WAV = "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA=="
NO_ARGS: dict[str, Any] = {"type": "object", "properties": {}}


def _tool(name: str, description: str, schema: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "inputSchema": dict(schema or NO_ARGS),
        "handler": {"type": PACKAGE, "config": {"fixture": name}},
        "rolesPermitted": EVERYONE,
    }


def _text(text: str, *, error: bool = False) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}], **({"isError": True} if error else {})}


def _string_arg(name: str, description: str) -> dict[str, Any]:
    return {"type": "object", "properties": {name: {"type": "string", "description": description}}, "required": [name]}


SEP1034_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "User name", "default": "John Doe"},
        "age": {"type": "integer", "description": "User age", "default": 30},
        "score": {"type": "number", "description": "User score", "default": 95.5},
        "status": {
            "type": "string",
            "description": "User status",
            "enum": ["active", "inactive", "pending"],
            "default": "active",
        },
        "verified": {"type": "boolean", "description": "Verification status", "default": True},
    },
}
SEP1330_SCHEMA = {
    "type": "object",
    "properties": {
        "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
        "titledSingle": {
            "type": "string",
            "oneOf": [
                {"const": "value1", "title": "First Option"},
                {"const": "value2", "title": "Second Option"},
                {"const": "value3", "title": "Third Option"},
            ],
        },
        "legacyEnum": {
            "type": "string",
            "enum": ["opt1", "opt2", "opt3"],
            "enumNames": ["Option One", "Option Two", "Option Three"],
        },
        "untitledMulti": {"type": "array", "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
        "titledMulti": {
            "type": "array",
            "items": {
                "anyOf": [
                    {"const": "value1", "title": "First Choice"},
                    {"const": "value2", "title": "Second Choice"},
                    {"const": "value3", "title": "Third Choice"},
                ]
            },
        },
    },
}
JSON_SCHEMA_2020_12 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {"address": {"type": "object", "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
    "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
    "additionalProperties": False,
}

TOOLS = [
    _tool("test_simple_text", "Returns simple text"),
    _tool("test_image_content", "Returns an image"),
    _tool("test_audio_content", "Returns audio"),
    _tool("test_embedded_resource", "Returns an embedded resource"),
    _tool("test_multiple_content_types", "Returns text, an image and a resource"),
    _tool("test_tool_with_logging", "Logs three messages while it runs"),
    _tool("test_error_handling", "Always fails"),
    _tool("test_tool_with_progress", "Reports progress 0, 50, 100 of 100"),
    _tool("test_sampling", "Asks the client's model", _string_arg("prompt", "The prompt to send to the LLM")),
    _tool("test_elicitation", "Asks the user", _string_arg("message", "The message to show the user")),
    _tool("test_elicitation_sep1034_defaults", "Asks with defaults for every primitive type"),
    _tool("test_elicitation_sep1330_enums", "Asks with every enum variant"),
    _tool("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features", JSON_SCHEMA_2020_12),
    _tool("test_reconnection", "Answers after a short pause"),
]


async def handle(args: dict[str, Any], context: ToolContext, config: Mapping[str, Any], progress: Any) -> Any:
    fixture = config.get("fixture")
    if fixture == "test_simple_text":
        return _text("This is a simple text response for testing.")
    if fixture == "test_image_content":
        return {"content": [{"type": "image", "data": PNG, "mimeType": "image/png"}]}
    if fixture == "test_audio_content":
        return {"content": [{"type": "audio", "data": WAV, "mimeType": "audio/wav"}]}
    if fixture == "test_embedded_resource":
        resource = {"uri": "test://embedded-resource", "mimeType": "text/plain"}
        return {
            "content": [{"type": "resource", "resource": {**resource, "text": "This is an embedded resource content."}}]
        }
    if fixture == "test_multiple_content_types":
        data = json.dumps({"test": "data", "value": 123}, separators=(",", ":"))
        return {
            "content": [
                {"type": "text", "text": "Multiple content types test:"},
                {"type": "image", "data": PNG, "mimeType": "image/png"},
                {
                    "type": "resource",
                    "resource": {"uri": "test://mixed-content-resource", "mimeType": "application/json", "text": data},
                },
            ]
        }
    if fixture == "test_tool_with_logging":
        await context.log("info", "Tool execution started")
        await asyncio.sleep(0.05)
        await context.log("info", "Tool processing data")
        await asyncio.sleep(0.05)
        await context.log("info", "Tool execution completed")
        return _text("Tool with logging executed successfully")
    if fixture == "test_error_handling":
        return _text("This tool intentionally returns an error for testing", error=True)
    if fixture == "test_tool_with_progress":
        for step in (0, 50, 100):
            await progress(step, 100)
            if step < 100:
                await asyncio.sleep(0.05)
        return _text("Tool with progress executed successfully")
    if fixture == "test_sampling":
        result = await context.sample(str(args.get("prompt", "")), max_tokens=100)
        content = result.get("content")
        text = content.get("text") if isinstance(content, Mapping) else None
        return _text(f"LLM response: {text if text is not None else json.dumps(content)}")
    if fixture == "test_elicitation":
        schema = {
            "type": "object",
            "properties": {
                "username": {"type": "string", "description": "User's response"},
                "email": {"type": "string", "description": "User's email address"},
            },
            "required": ["username", "email"],
        }
        answer = await context.elicit(str(args.get("message", "")), schema)
        return _text(f"User response: action={answer.get('action')}, content={json.dumps(answer.get('content'))}")
    if fixture in ("test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums"):
        schema = SEP1034_SCHEMA if fixture == "test_elicitation_sep1034_defaults" else SEP1330_SCHEMA
        answer = await context.elicit("Please review and update the form fields", schema)
        return _text(
            f"Elicitation completed: action={answer.get('action')}, content={json.dumps(answer.get('content'))}"
        )
    if fixture == "test_reconnection":
        await asyncio.sleep(0.1)
        return _text("Reconnection test completed successfully")
    return {"result": args}


def _prompt(name: str, description: str, arguments: list[dict[str, Any]], config: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "arguments": arguments,
        "handler": {"type": PACKAGE, "config": {"fixture": name, **config}},
        "rolesPermitted": EVERYONE,
    }


PROMPTS = [
    _prompt("test_simple_prompt", "A simple prompt without arguments", [], {}),
    _prompt(
        "test_prompt_with_arguments",
        "A prompt with two required arguments",
        [
            {"name": "arg1", "description": "First test argument", "required": True},
            {"name": "arg2", "description": "Second test argument", "required": True},
        ],
        {"completions": {"arg1": ["paris", "park", "party"], "arg2": ["world", "wonder"]}},
    ),
    _prompt(
        "test_prompt_with_embedded_resource",
        "A prompt with an embedded resource",
        [{"name": "resourceUri", "description": "URI of the resource to embed", "required": True}],
        {},
    ),
    _prompt("test_prompt_with_image", "A prompt with an image", [], {}),
]


def _user(content: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": content}


async def prompt(args: dict[str, Any], context: PromptContext, config: Mapping[str, Any]) -> Mapping[str, Any]:
    fixture = config.get("fixture")
    if fixture == "test_prompt_with_arguments":
        text = f"Prompt with arguments: arg1='{args.get('arg1')}', arg2='{args.get('arg2')}'"
        return {"messages": [_user({"type": "text", "text": text})]}
    if fixture == "test_prompt_with_embedded_resource":
        resource = {
            "uri": args.get("resourceUri"),
            "mimeType": "text/plain",
            "text": "Embedded resource content for testing.",
        }
        return {
            "messages": [
                _user({"type": "resource", "resource": resource}),
                _user({"type": "text", "text": "Please process the embedded resource above."}),
            ]
        }
    if fixture == "test_prompt_with_image":
        return {
            "messages": [
                _user({"type": "image", "data": PNG, "mimeType": "image/png"}),
                _user({"type": "text", "text": "Please analyze the image above."}),
            ]
        }
    return {"messages": [_user({"type": "text", "text": "This is a simple prompt for testing."})]}


# Resources are data too: the template's text is filled from the URI read.
RESOURCES = [
    {
        "uri": "test://static-text",
        "name": "static-text",
        "description": "A static text resource",
        "mimeType": "text/plain",
        "text": "This is the content of the static text resource.",
        "rolesPermitted": EVERYONE,
    },
    {
        "uri": "test://static-binary",
        "name": "static-binary",
        "description": "A static binary resource (a PNG)",
        "mimeType": "image/png",
        "blob": PNG,
        "rolesPermitted": EVERYONE,
    },
    {
        "uriTemplate": "test://template/{id}/data",
        "name": "template-data",
        "description": "Data for an id",
        "mimeType": "application/json",
        "text": '{"id":"{{id}}","templateTest":true,"data":"Data for ID: {{id}}"}',
        "rolesPermitted": EVERYONE,
    },
    {
        "uri": "test://watched-resource",
        "name": "watched-resource",
        "description": "A resource clients may subscribe to",
        "mimeType": "text/plain",
        "text": "Watched resource content.",
        "rolesPermitted": EVERYONE,
    },
]

CONFORMANCE = HandlerPackage(
    name=PACKAGE, tools=TOOLS, handler=handle, prompts=PROMPTS, prompt_handler=prompt, resources=RESOURCES
)


async def main() -> None:
    server = DynamicMcpServer("dynamic-mcp-conformance", "1.0.0")
    await server.register_handler(CONFORMANCE)
    await server.start()
    print(f"serving on http://{server.settings.host}:{server.port}/mcp", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


if __name__ == "__main__":
    asyncio.run(main())
