"""The http handler against a real loopback server: query strings, a total deadline, the SSRF guard
and clear errors (never a traceback) for malformed configs and hostile responses."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from dependency_injector import providers

from dynamic_mcp.adapters.handlers.http_tool import MAX_RESPONSE_DEPTH, HttpToolHandler
from dynamic_mcp.adapters.handlers.outbound import OutboundPolicy, is_public
from dynamic_mcp.application.packages import no_progress
from dynamic_mcp.config import Settings
from dynamic_mcp.container import build_container
from dynamic_mcp.domain.errors import DomainError, Forbidden, Invalid, UpstreamFailed
from dynamic_mcp.domain.tools import HandlerRef, Tool
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.handlers import ToolContext

from .support import Caller, TickingClock

PNG_BYTES = b"\x89PNG\r\n\x1a\n-not-really-an-image"
TRICKLE_BYTES = 40
TRICKLE_INTERVAL = 0.25  # 10 s in all: far past a 1 s deadline


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        target = head.split(" ", 2)[1]
        path = urlsplit(target).path
        if path == "/trickle":
            writer.write(f"HTTP/1.1 200 OK\r\ncontent-length: {TRICKLE_BYTES}\r\n\r\n".encode())
            for _ in range(TRICKLE_BYTES):
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(TRICKLE_INTERVAL)
            return
        if path == "/png":
            body = PNG_BYTES
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()
            return
        if path == "/list":
            body = b"[1, 2]"
        elif path == "/deep":
            body = b"[" * 100_000 + b"]" * 100_000
        elif path == "/nested":
            body = b"[" * (MAX_RESPONSE_DEPTH + 1) + b"]" * (MAX_RESPONSE_DEPTH + 1)
        else:
            body = json.dumps({"target": target}).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(body) + body
        )
        await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


@pytest.fixture
async def upstream() -> AsyncIterator[int]:
    server = await asyncio.start_server(_serve, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()


def _context(output_schema: dict[str, Any] | None = None) -> ToolContext:
    user = User(email="u@x.io", roles=("user",))
    tool = Tool(
        name="t",
        creator="u@x.io",
        input_schema={"type": "object"},
        handler=HandlerRef("http"),
        output_schema=output_schema,
    )
    return ToolContext(session_id="s", user=user, tool_name="t", tool=tool)


async def test_an_image_response_is_an_image_block(upstream: int) -> None:
    handler = HttpToolHandler(OutboundPolicy.from_entries((f"127.0.0.1:{upstream}",)))
    out = await handler({}, _context(), {"url": f"http://127.0.0.1:{upstream}/png"}, no_progress)
    assert out == {
        "content": [{"type": "image", "data": base64.b64encode(PNG_BYTES).decode(), "mimeType": "image/png"}]
    }


async def test_json_becomes_structured_content_when_the_tool_has_an_output_schema(upstream: int) -> None:
    handler = HttpToolHandler(OutboundPolicy.from_entries((f"127.0.0.1:{upstream}",)))
    schema = {"type": "object", "properties": {"target": {"type": "string"}}}
    out = await handler({}, _context(schema), {"url": f"http://127.0.0.1:{upstream}/x"}, no_progress)
    assert out == {"structuredContent": {"target": "/x"}}
    plain = await handler({}, _context(), {"url": f"http://127.0.0.1:{upstream}/x"}, no_progress)
    assert plain == {"result": {"target": "/x"}, "message": "HTTP 200"}
    with pytest.raises(Invalid, match="no JSON object for the tool's outputSchema"):
        await handler({}, _context(schema), {"url": f"http://127.0.0.1:{upstream}/list"}, no_progress)


async def call(port: int, **config: Any) -> Any:
    handler = HttpToolHandler(OutboundPolicy.from_entries((f"127.0.0.1:{port}",)))
    return (await handler({}, _context(), config, no_progress))["result"]


def _query_of(result: dict[str, Any]) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(result["target"]).query)


# -- query strings ------------------------------------------------------------------------------


async def test_the_query_string_written_in_the_url_is_kept(upstream: int) -> None:
    result = await call(upstream, url=f"http://127.0.0.1:{upstream}/items?q=lamp&page=2")
    assert _query_of(result) == [("q", "lamp"), ("page", "2")]


async def test_query_is_merged_into_the_urls_query_string(upstream: int) -> None:
    result = await call(upstream, url=f"http://127.0.0.1:{upstream}/items?q=lamp&page=2", query={"page": "3", "n": 5})
    assert sorted(_query_of(result)) == [("n", "5"), ("page", "3"), ("q", "lamp")]


# -- a total deadline ---------------------------------------------------------------------------


async def test_timeout_seconds_bounds_the_whole_call(upstream: int) -> None:
    started = time.perf_counter()
    with pytest.raises(UpstreamFailed, match="timed out after 1s"):
        await call(upstream, url=f"http://127.0.0.1:{upstream}/trickle", timeoutSeconds=1)
    # The server would take 10 s; a per-read timeout never fires because a byte comes every 0.25 s.
    assert time.perf_counter() - started < 5


# -- the SSRF guard -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of the metadata address
        "2002:808:808::1",  # 6to4 at all
        "fec0::1",  # site-local
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::127.0.0.1",  # IPv4-compatible
        "::ffff:0:127.0.0.1",  # IPv4-translated
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::a00:1",  # local-use NAT64
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo (client 127.0.0.1)
        "::1",
        "fe80::1",
        "fc00::1",
        "127.0.0.1",
        "169.254.169.254",
    ],
)
def test_every_form_of_a_refused_address_is_refused(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "64:ff9b::808:808", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public(address)


async def test_the_guard_refuses_a_6to4_literal_before_connecting() -> None:
    handler = HttpToolHandler(OutboundPolicy())
    with pytest.raises(Forbidden, match="non-public"):
        await handler({}, _context(), {"url": "http://[2002:7f00:1::1]:8080/"}, no_progress)


# -- clear errors, no tracebacks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"url": "http://127.0.0.1:99999/"}, "invalid port"),
        ({"url": "http://127.0.0.1:0/"}, "invalid port"),
        ({"url": "http://[::1/"}, "not a valid URL"),
        ({"url": "http://127.0.0.1:{port}/", "headers": ["x-a", "1"]}, "headers must be an object"),
        ({"url": "http://127.0.0.1:{port}/", "headers": "x-a: 1"}, "headers must be an object"),
        ({"url": "http://127.0.0.1:{port}/", "headers": {"x-a": {"b": 1}}}, "string values"),
        ({"url": "http://127.0.0.1:{port}/", "headers": {"x-a": "line\nbreak"}}, "malformed"),
        ({"url": "http://127.0.0.1:{port}/", "headers": {"x-a": "caf\u00e9\u2603"}}, "malformed"),
        ({"url": "http://127.0.0.1:{port}/deep"}, f"deeper than {MAX_RESPONSE_DEPTH} levels"),
        ({"url": "http://127.0.0.1:{port}/nested"}, f"deeper than {MAX_RESPONSE_DEPTH} levels"),
    ],
)
async def test_malformed_configs_and_hostile_responses_are_clear_tool_errors(
    upstream: int, config: dict[str, Any], message: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = {k: v.replace("{port}", str(upstream)) if isinstance(v, str) else v for k, v in config.items()}
    container = build_container(Settings(http_tool_allowed_hosts=(f"127.0.0.1:{upstream}",)))
    container.clock.override(providers.Object(TickingClock()))
    await container.lifecycle().start()
    admin = Caller(container, "admin@localhost")
    tool = {
        "name": "fetch",
        "inputSchema": {"type": "object"},
        "handler": {"type": "http", "config": config},
    }
    await admin.ok("add-tool", toolDefinition=tool)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        assert message in await admin.fails("fetch")
    loud = [r for r in caplog.records if r.levelno > logging.DEBUG and (r.exc_info or "Traceback" in r.getMessage())]
    assert not loud, [r.getMessage() for r in loud]
    assert "internal error" not in caplog.text


async def test_the_handler_raises_only_domain_errors(upstream: int) -> None:
    for config in ({"url": "http://127.0.0.1:99999/"}, {"url": f"http://127.0.0.1:{upstream}/", "headers": [1]}):
        with pytest.raises(DomainError):
            await call(upstream, **config)
