"""Create an HTTP tool at run time with `add-tool`, then call it: a tool made of data alone.

    python examples/add_http_tool.py --url http://127.0.0.1:4001 --api-key <admin or power-user key> \
        --target https://api.example.com/items --call '{"q": "cats"}'

The tool GETs `--target` with the caller's `q` argument as a query parameter. A loopback or
private target must be allowed on the server with HTTP_TOOL_ALLOWED_HOSTS (SSRF guard).
"""

from __future__ import annotations

import argparse
import asyncio
import json

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


def definition(name: str, target: str) -> dict[str, object]:
    return {
        "name": name,
        "description": f"GET {target}?q=...",
        "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
        "annotations": {"title": name, "readOnlyHint": True, "openWorldHint": True},
        "handler": {"type": "http", "config": {"method": "GET", "url": target, "query": {"q": "{{q}}"}}},
    }


async def main(url: str, api_key: str, name: str, target: str, call: str | None) -> None:
    async with (
        httpx2.AsyncClient(headers={"x-apikey": api_key}) as http,
        streamable_http_client(f"{url.rstrip('/')}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        added = await session.call_tool("add-tool", {"toolDefinition": definition(name, target)})
        print(added.content[0].text)
        if added.is_error:
            raise SystemExit(1)
        print("tools:", sorted(t.name for t in (await session.list_tools()).tools))
        if call is not None:
            result = await session.call_tool(name, json.loads(call))
            print(result.content[0].text)
            if result.is_error:
                raise SystemExit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:4001")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--name", default="fetch-items")
    parser.add_argument("--target", required=True, help="the API URL the tool calls")
    parser.add_argument("--call", help="JSON arguments: call the tool once after creating it")
    options = parser.parse_args()
    asyncio.run(main(options.url, options.api_key, options.name, options.target, options.call))
