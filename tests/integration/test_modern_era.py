"""The 2026-07-28 era on /mcp next to the handshake era: the official SDK client in
``mode="2026-07-28"``, ``"auto"`` and ``"legacy"`` against the real server, in both storage modes."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from examples.echo_server import GREETINGS
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.client.subscriptions import PromptsListChanged, ServerEvent, Subscription, ToolsListChanged
from mcp.shared.exceptions import MCPError

from dynamic_mcp import DynamicMcpServer
from dynamic_mcp.config import Settings
from tests.integration.conftest import Users
from tests.integration.harness import ADMIN_KEY, ServerProcess, call_ok, tool_names
from tests.integration.test_access import runtime_tool

MODERN = "2026-07-28"
HANDSHAKE_LATEST = "2025-11-25"
ENVELOPE = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}


@contextlib.asynccontextmanager
async def client(server: ServerProcess, key: str, *, mode: str = MODERN, via: str = "query") -> AsyncIterator[Client]:
    """The SDK's Client; the key in ``?apiKey=`` (default) or a header of every request."""
    if via == "query":
        async with Client(f"{server.url}/mcp?apiKey={key}", mode=mode) as c:
            yield c
        return
    headers = {"authorization": f"Bearer {key}"} if via == "bearer" else {via: key}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0)) as http,
        Client(streamable_http_client(f"{server.url}/mcp", http_client=http), mode=mode) as c,
    ):
        yield c


def raw(server: ServerProcess, method: str, params: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
    """One 2026-era POST as a client without the SDK sends it."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {"_meta": ENVELOPE, **(params or {})}}
    names = {"mcp-name": params["name"]} if params and "name" in params else {}
    return httpx.post(
        f"{server.url}/mcp",
        json=body,
        headers={
            "accept": "application/json, text/event-stream",
            "mcp-protocol-version": MODERN,
            "mcp-method": method,
            **names,
            **headers,
        },
    )


def payload(response: httpx.Response) -> dict[str, Any]:
    if response.headers["content-type"].startswith("text/event-stream"):
        return dict(json.loads(next(line[5:] for line in response.text.splitlines() if line.startswith("data:"))))
    return dict(response.json())


class Events:
    """Collects what one listen stream delivers, in a task of its own."""

    def __init__(self) -> None:
        self.seen: list[ServerEvent] = []
        self.ended = False
        self._new = anyio.Event()

    async def collect(self, subscription: Subscription) -> None:
        async for event in subscription:
            self.seen.append(event)
            self._new.set()
        self.ended = True
        self._new.set()

    async def wait(self, condition: Any, timeout: float = 10.0) -> bool:
        with anyio.move_on_after(timeout):
            while not condition():
                self._new = anyio.Event()
                await self._new.wait()
            return True
        return False

    def count(self, kind: type) -> int:
        return sum(isinstance(e, kind) for e in self.seen)


# -- discovery and authentication --------------------------------------------------------------


def test_discover_advertises_both_eras(server: ServerProcess) -> None:
    response = raw(server, "server/discover", **{"x-apikey": ADMIN_KEY})
    assert response.status_code == 200
    result = payload(response)["result"]
    assert result["resultType"] == "complete"
    assert result["supportedVersions"][0] == MODERN and HANDSHAKE_LATEST in result["supportedVersions"]
    assert result["capabilities"]["tools"]["listChanged"] is True
    assert result["capabilities"]["prompts"]["listChanged"] is True
    assert result["cacheScope"] == "public" and result["ttlMs"] > 0


@pytest.mark.parametrize("method", ["server/discover", "tools/list"])
def test_a_modern_request_without_a_key_gets_401_with_a_challenge(server: ServerProcess, method: str) -> None:
    response = raw(server, method)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('ApiKey realm="dynamic-mcp"')
    assert response.json()["error"]["message"] == "Missing apiKey"
    wrong = raw(server, method, **{"x-apikey": "not-a-key"})
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert "not-a-key" not in wrong.text


@pytest.mark.parametrize("via", ["query", "x-apikey", "apikey", "bearer"])
async def test_every_key_source_authenticates_each_modern_request(server: ServerProcess, via: str) -> None:
    async with client(server, ADMIN_KEY, via=via) as c:
        assert c.protocol_version == MODERN
        assert "list-users" in await tool_names(c)
        assert '"admin@example.com"' in await call_ok(c, "user-info")


# -- lists and calls ---------------------------------------------------------------------------


async def test_lists_are_per_caller_private_sorted_and_short_lived(server: ServerProcess, users: Users) -> None:
    _, power_key = await users.add("power-user")
    _, plain_key = await users.add("user")
    name = f"zz-mine-{uuid.uuid4().hex[:6]}"
    async with client(server, power_key) as power, client(server, plain_key) as plain:
        await call_ok(power, "add-tool", {"toolDefinition": runtime_tool(name)})
        listed = await power.list_tools(cache_mode="refresh")
        assert listed.cache_scope == "private" and 0 < (listed.ttl_ms or 0) <= 60_000
        assert listed.result_type == "complete"
        names = [t.name for t in listed.tools]
        assert name in names and "add-tool" in names and names == sorted(names)
        assert name not in await tool_names(plain) and "add-tool" not in await tool_names(plain)
        prompts = await plain.list_prompts(cache_mode="refresh")
        assert prompts.cache_scope == "private" and prompts.result_type == "complete"


def test_one_connection_lists_per_key_presented(server: ServerProcess) -> None:
    """The list varies by the key of each request only, never by earlier requests on the connection."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": ENVELOPE}}
    headers = {
        "accept": "application/json, text/event-stream",
        "mcp-protocol-version": MODERN,
        "mcp-method": "tools/list",
    }
    with httpx.Client(base_url=server.url, headers=headers) as http:
        admin = {
            t["name"] for t in payload(http.post("/mcp", json=body, headers={"x-apikey": ADMIN_KEY}))["result"]["tools"]
        }
        anonymous = http.post("/mcp", json=body)
        again = {
            t["name"] for t in payload(http.post("/mcp", json=body, headers={"x-apikey": ADMIN_KEY}))["result"]["tools"]
        }
    assert "add-user" in admin and anonymous.status_code == 401 and again == admin


async def test_calls_and_prompts_in_the_modern_era(server: ServerProcess, users: Users) -> None:
    power, power_key = await users.add("power-user")
    prompt = f"p-{uuid.uuid4().hex[:6]}"
    async with client(server, power_key) as c:
        echoed = await call_ok(c, "add-tool", {"toolDefinition": runtime_tool(f"t-{prompt}")})
        assert power in echoed
        assert "ran t-" in await call_ok(c, f"t-{prompt}", {"nameContains": "x"})
        bad = await c.call_tool("no-such-tool", {})
        assert bad.is_error and "not found" in bad.content[0].text  # type: ignore[union-attr]
        definition = {
            "name": prompt,
            "description": "d",
            "handler": {"type": "echo", "config": {"message": "Hi {{who}}"}},
        }
        await call_ok(c, "add-prompt", definition)
        assert prompt in [p.name for p in (await c.list_prompts(cache_mode="refresh")).prompts]
        answered = await c.get_prompt(prompt, {"who": "Ada"})  # echo answers prompts from config.message
        assert answered.messages[0].role == "user" and answered.messages[0].content.text == "Hi Ada"  # type: ignore[union-attr]
        with pytest.raises(MCPError, match="not found"):
            await c.get_prompt(f"missing-{prompt}", {})


@pytest.fixture
async def package_server() -> AsyncIterator[DynamicMcpServer]:
    settings = Settings(admin_email="admin@example.com", admin_api_key=ADMIN_KEY, port=0)
    instance = DynamicMcpServer("modern-packages", "1.0.0", settings=settings)
    await instance.register_handler(GREETINGS)
    await instance.start()
    yield instance
    await instance.stop()


async def test_package_prompts_and_progress_in_the_modern_era(package_server: DynamicMcpServer) -> None:
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    async with Client(f"http://127.0.0.1:{package_server.port}/mcp?apiKey={ADMIN_KEY}", mode=MODERN) as c:
        prompt = await c.get_prompt("greeting", {"name": "Ada"})
        assert prompt.result_type == "complete"
        assert prompt.messages[0].content.text == "Say hello to Ada."  # type: ignore[union-attr]
        result = await c.call_tool("echo", {"text": "hi"}, progress_callback=on_progress)
        assert not result.is_error and progress == [1]


def test_param_headers_are_checked_against_the_callers_tool(server: ServerProcess) -> None:
    name = f"hdr-{uuid.uuid4().hex[:6]}"
    schema = {"type": "object", "properties": {"region": {"type": "string", "x-mcp-header": "Region"}}}
    definition = {**runtime_tool(name), "inputSchema": schema}
    key = {"x-apikey": ADMIN_KEY}
    added = raw(server, "tools/call", {"name": "add-tool", "arguments": {"toolDefinition": definition}}, **key)
    assert payload(added)["result"]["isError"] is False
    call = {"name": name, "arguments": {"region": "eu"}}
    assert payload(raw(server, "tools/call", call, **key, **{"mcp-param-region": "eu"}))["result"]["isError"] is False
    mismatch = raw(server, "tools/call", call, **key, **{"mcp-param-region": "us"})
    assert mismatch.status_code == 400
    assert mismatch.json()["error"]["code"] == -32020


# -- subscriptions/listen ----------------------------------------------------------------------


async def test_listen_reaches_exactly_the_audience(server: ServerProcess, users: Users) -> None:
    owner, owner_key = await users.add("power-user")
    alice, alice_key = await users.add("user")
    bob, bob_key = await users.add("user")
    name = f"shared-{uuid.uuid4().hex[:6]}"
    alice_events, bob_events = Events(), Events()
    async with (
        client(server, owner_key) as o,
        client(server, alice_key) as a,
        client(server, bob_key) as b,
        a.listen(tools_list_changed=True) as alice_sub,
        b.listen(tools_list_changed=True) as bob_sub,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(alice_events.collect, alice_sub)
        tg.start_soon(bob_events.collect, bob_sub)
        await call_ok(o, "add-tool", {"toolDefinition": runtime_tool(name)})
        assert name not in await tool_names(a)
        await call_ok(o, "share-tool", {"email": alice, "toolId": name, "accessLevel": "read"})
        assert await alice_events.wait(lambda: alice_events.count(ToolsListChanged) >= 1)
        assert name in await tool_names(a)
        await anyio.sleep(0.5)  # had bob's stream been given alice's change, it would be here by now
        assert bob_events.seen == []
        await call_ok(o, "share-tool", {"email": bob, "toolId": name, "accessLevel": "read"})
        assert await bob_events.wait(lambda: bob_events.count(ToolsListChanged) >= 1)
        tg.cancel_scope.cancel()


async def test_hiding_reaches_every_stream_of_the_user_and_filters_hold(server: ServerProcess, users: Users) -> None:
    _, key = await users.add("user")
    laptop_tools, phone_tools, phone_prompts = Events(), Events(), Events()
    async with (
        client(server, key) as laptop,
        client(server, key) as phone,
        laptop.listen(tools_list_changed=True) as lt,
        phone.listen(tools_list_changed=True) as pt,
        phone.listen(prompts_list_changed=True) as pp,
        anyio.create_task_group() as tg,
    ):
        for events, sub in ((laptop_tools, lt), (phone_tools, pt), (phone_prompts, pp)):
            tg.start_soon(events.collect, sub)
        await call_ok(laptop, "hide-tool", {"toolId": ["list-users"]})
        assert await laptop_tools.wait(lambda: laptop_tools.count(ToolsListChanged) >= 1)
        assert await phone_tools.wait(lambda: phone_tools.count(ToolsListChanged) >= 1)
        assert "list-users" not in await tool_names(phone)
        assert phone_prompts.seen == []  # a prompts-only stream is never sent a tools change
        tg.cancel_scope.cancel()


async def test_prompt_changes_reach_prompt_listeners(server: ServerProcess, users: Users) -> None:
    _, power_key = await users.add("power-user")
    _, key = await users.add("user")
    prompts = Events()
    async with (
        client(server, power_key) as p,
        client(server, key) as c,
        c.listen(prompts_list_changed=True) as sub,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(prompts.collect, sub)
        definition = {
            "name": f"p-{uuid.uuid4().hex[:6]}",
            "description": "d",
            "handler": {"type": "echo", "config": {}},
        }
        await call_ok(p, "add-prompt", definition)
        assert await prompts.wait(lambda: prompts.count(PromptsListChanged) >= 1)
        assert prompts.count(ToolsListChanged) == 0
        tg.cancel_scope.cancel()


@pytest.mark.parametrize("how", ["reset", "delete"])
async def test_key_reset_or_deletion_ends_the_users_listen_streams(
    server: ServerProcess, users: Users, how: str
) -> None:
    email, key = await users.add("user")
    _, bystander_key = await users.add("user")
    mine, theirs = Events(), Events()
    async with (
        client(server, key) as c,
        client(server, bystander_key) as other,
        c.listen(tools_list_changed=True) as sub,
        other.listen(tools_list_changed=True) as other_sub,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(mine.collect, sub)
        tg.start_soon(theirs.collect, other_sub)
        async with client(server, ADMIN_KEY) as admin:
            if how == "reset":
                await call_ok(admin, "reset-api-key", {"email": email, "userConfirmed": True})
            else:
                await call_ok(admin, "delete-user", {"email": email})
        assert await mine.wait(lambda: mine.ended)  # ended gracefully by the server
        assert not theirs.ended
        with pytest.raises(MCPError):
            await c.list_tools(cache_mode="refresh")
        tg.cancel_scope.cancel()
    assert raw(server, "tools/list", **{"x-apikey": key}).status_code == 401


# -- the eras side by side ---------------------------------------------------------------------


async def test_auto_mode_negotiates_the_modern_era_and_runs_a_scenario(server: ServerProcess, users: Users) -> None:
    owner, owner_key = await users.add("power-user")
    recipient, recipient_key = await users.add("user")
    name = f"auto-{uuid.uuid4().hex[:6]}"
    events = Events()
    async with (
        client(server, owner_key, mode="auto") as o,
        client(server, recipient_key, mode="auto") as r,
        r.listen(tools_list_changed=True) as sub,
        anyio.create_task_group() as tg,
    ):
        assert o.protocol_version == MODERN and r.protocol_version == MODERN
        tg.start_soon(events.collect, sub)
        await call_ok(o, "add-tool", {"toolDefinition": runtime_tool(name)})
        await call_ok(o, "share-tool", {"email": recipient, "toolId": name, "accessLevel": "read"})
        assert await events.wait(lambda: events.count(ToolsListChanged) >= 1)
        assert name in [t.name for t in (await r.list_tools()).tools]  # the event evicted the cached list
        assert f"ran {name}" in await call_ok(r, name, {"nameContains": "y"})
        await call_ok(r, "hide-tool", {"toolId": [name]})
        assert name not in await tool_names(r)
        assert f"ran {name}" in await call_ok(r, name)  # hidden, still callable
        assert owner in await call_ok(o, "user-info")
        tg.cancel_scope.cancel()


async def test_legacy_mode_keeps_the_handshake_era(server: ServerProcess, users: Users) -> None:
    _, key = await users.add("user")
    async with client(server, key, mode="legacy") as c:
        assert c.protocol_version == HANDSHAKE_LATEST
        assert "list-users" in await tool_names(c)
        assert '"result"' in await call_ok(c, "user-info")
