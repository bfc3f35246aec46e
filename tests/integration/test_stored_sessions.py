"""Handshake-era sessions as stored records: two real server processes on one MongoDB replica set,
the official SDK client whose consecutive requests go to different instances, closes seen by every
instance, and an instance killed mid-session."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import httpx
import httpx2
import mcp_types as types
import pytest
from mcp import ClientSession
from mcp.client import Client as ModernClient
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from tests.deployment.test_three_instances import Stream
from tests.integration.conftest import storage_env
from tests.integration.harness import ADMIN_KEY, TOOLS_CHANGED, Client, ServerProcess, connect
from tests.integration.test_transport import ACCEPT, INIT

pytestmark = [pytest.mark.integration, pytest.mark.mongo, pytest.mark.slow]

LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
HEARTBEAT = 1  # seconds; an instance missing three beats is no longer listed
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class RoundRobin(httpx2.AsyncBaseTransport):
    """A load balancer without affinity, inside the client: each request goes to the next
    instance that is alive. ``ports`` records where each request went."""

    def __init__(self, servers: list[ServerProcess]) -> None:
        self._servers = servers
        self._turn = 0
        self._inner = httpx2.AsyncHTTPTransport()
        self.ports: list[tuple[str, int]] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        alive = [s for s in self._servers if s.alive]
        server = alive[self._turn % len(alive)]
        self._turn += 1
        request.url = request.url.copy_with(port=server.port)
        self.ports.append((request.method, server.port))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture(scope="module")
def instances(request: pytest.FixtureRequest) -> Iterator[list[ServerProcess]]:
    env = {
        **storage_env(request, "mongo", "stored-sessions"),
        "SESSION_IDLE_TIMEOUT_SECONDS": "600",
        "INSTANCE_HEARTBEAT_SECONDS": str(HEARTBEAT),
    }
    servers = [ServerProcess(env).start() for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


@contextlib.asynccontextmanager
async def balanced(servers: list[ServerProcess], key: str = ADMIN_KEY) -> AsyncIterator[tuple[Client, RoundRobin]]:
    transport = RoundRobin(servers)
    async with (
        httpx2.AsyncClient(transport=transport, headers={"x-apikey": key}, timeout=httpx2.Timeout(30.0)) as http,
        streamable_http_client(f"{servers[0].url}/mcp", http_client=http) as (read, write),
    ):
        holder: dict[str, Client] = {}

        async def handler(message: Any) -> None:
            await holder["client"].on_message(message)

        async with ClientSession(
            read, write, message_handler=handler, client_info=types.Implementation(name="balanced", version="1")
        ) as session:
            holder["client"] = client = Client(session)
            await session.initialize()
            yield client, transport


def open_raw(server: ServerProcess, key: str = ADMIN_KEY) -> str:
    response = httpx.post(f"{server.url}/mcp", json=INIT, headers={**ACCEPT, "x-apikey": key})
    assert response.status_code == 200, response.text
    return str(response.headers["mcp-session-id"])


def on(server: ServerProcess, session_id: str, body: object = LIST, key: str = ADMIN_KEY) -> httpx.Response:
    headers = {**ACCEPT, "mcp-session-id": session_id, "x-apikey": key}
    return httpx.post(f"{server.url}/mcp", json=body, headers=headers, timeout=30)


async def test_one_sdk_session_is_served_by_every_instance(instances: list[ServerProcess]) -> None:
    async with balanced(instances) as (client, transport):
        for _ in range(3):
            assert "list-users" in await client.tool_names()
            assert (await client.ok("user-info"))["result"]["email"] == "admin@example.com"
        name = f"rr-{time.monotonic_ns()}"
        tool = {"name": name, "description": "d", "inputSchema": {"type": "object"}, "handler": {"type": "echo"}}
        await client.ok("add-tool", {"toolDefinition": tool})
        assert await client.wait_for(TOOLS_CHANGED, timeout=10), "the GET stream's instance sent no list_changed"
        assert name in await client.tool_names()
    posts = {port for method, port in transport.ports if method == "POST"}
    assert posts == {s.port for s in instances}, transport.ports


def test_a_session_opened_on_one_instance_is_closed_on_all_by_delete(instances: list[ServerProcess]) -> None:
    first, second = instances
    session = open_raw(first)
    assert on(second, session).status_code == 200  # rebuilt from the store there
    with httpx.stream(
        "GET", f"{first.url}/mcp", headers={**ACCEPT, "mcp-session-id": session, "x-apikey": ADMIN_KEY}, timeout=30
    ) as stream:
        assert stream.status_code == 200
        closed = httpx.delete(f"{second.url}/mcp", headers={**ACCEPT, "mcp-session-id": session, "x-apikey": ADMIN_KEY})
        assert closed.status_code == 200
        started = time.monotonic()
        for _ in stream.iter_raw():  # the stream on the first instance ends once it sees the close
            pass
        assert time.monotonic() - started < 10
    assert on(first, session).status_code == 404
    assert on(second, session).status_code == 404


async def test_a_key_reset_closes_the_session_on_every_instance(instances: list[ServerProcess]) -> None:
    first, second = instances
    async with balanced(instances) as (admin, _):
        email = f"reset-{time.monotonic_ns()}@example.com"
        key = (await admin.ok("add-user", {"email": email, "roles": ["user"]}))["result"]["apiKey"]
        session = open_raw(first, key)
        assert on(second, session, key=key).status_code == 200
        new_key = (await admin.ok("reset-api-key", {"email": email, "userConfirmed": True}))["result"]["apiKey"]
    deadline = time.monotonic() + 5
    statuses: list[int] = []
    while time.monotonic() < deadline:
        statuses = [on(s, session, key=new_key).status_code for s in instances]
        if statuses == [404, 404]:
            break
        time.sleep(0.1)
    assert statuses == [404, 404]


# -- the console of one instance: what the other holds, listed and closed (docs/console.md) ----


class Console:
    """A browser on one instance's console: cookies and the CSRF token of its last page."""

    def __init__(self, server: ServerProcess) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=30.0)
        self.csrf = ""

    def get(self, path: str) -> str:
        response = self.http.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        found = CSRF_FIELD.search(response.text)
        self.csrf = found.group(1) if found else self.csrf
        return response.text

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.csrf, **data})

    def sign_in(self, key: str) -> None:
        self.get("/console/sign-in")
        assert self.post("/console/sign-in", {"api_key": key}).status_code in (200, 303)


def close_form(page: str, action: str, names: str) -> str:
    """The handle in the ``action`` close form of the row that holds ``names``."""
    row = next(r for r in page.split("<tr>") if names in r and action in r)
    found = re.search(r'name="handle" value="([^"]+)"', row)
    assert found, row
    return found.group(1)


def poll(check: Any, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.1)


def instance_ids(health: str) -> list[str]:
    table = health.split('id="instances"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td data-label="Instance"><code>([^<]+)</code>', table)


async def test_the_console_of_one_instance_lists_and_closes_what_the_other_holds(
    instances: list[ServerProcess],
) -> None:
    """Runs last on the shared pair: it ends by killing the second instance."""
    here, there = instances
    console = Console(here)
    console.sign_in(ADMIN_KEY)
    ids = instance_ids(console.get("/console/health"))
    far = next(i for i in ids if f":{there.pid}:" in i)
    assert len(ids) == 2 and any(f":{here.pid}:" in i for i in ids), ids
    stream = Stream()
    client_gone: BaseException | None = None
    try:
        async with (
            connect(there.url, ADMIN_KEY, client_name="far-session") as session,
            ModernClient(f"{there.url}/mcp?apiKey={ADMIN_KEY}", mode="2026-07-28") as modern,
            modern.listen(tools_list_changed=True) as subscription,
            anyio.create_task_group() as tasks,
        ):
            tasks.start_soon(stream.collect, subscription)
            await session.tool_names()
            page = ""

            def both_listed() -> bool:
                nonlocal page
                page = console.get("/console/sessions")
                return "far-session 1.0" in page and "/listeners/close" in page

            poll(both_listed)
            by_instance = page.split('id="sessions-by-instance"', 1)[1].split("</table>", 1)[0]
            assert far in by_instance and here.url not in by_instance
            assert far in next(r for r in page.split("<tr>") if "far-session 1.0" in r)

            # The listen stream lives on the other instance; closing it here ends it there.
            handle = close_form(page, "/listeners/close", far)
            assert console.post("/console/listeners/close", {"handle": handle}).status_code == 303
            with anyio.fail_after(20):
                while not stream.ended:
                    await anyio.sleep(0.05)
            poll(lambda: handle not in console.get("/console/sessions"))

            # So does the handshake-era session: its next request is refused.
            handle = close_form(console.get("/console/sessions"), "/sessions/close", "far-session")
            assert console.post("/console/sessions/close", {"handle": handle}).status_code == 303
            # The owning instance learns of the close through the change feed: within moments, not at once.
            with anyio.fail_after(20):
                while True:
                    try:
                        await session.session.list_tools()
                    except MCPError as refused:
                        assert "Session not found" in str(refused)
                        break
                    await anyio.sleep(0.1)
            assert "far-session" not in console.get("/console/sessions")
            tasks.cancel_scope.cancel()
    except BaseExceptionGroup as group:  # the closed session's client ends its task group with its error
        client_gone = group
    assert client_gone is None or all(isinstance(e, Exception) for e in client_gone.exceptions)  # type: ignore[attr-defined]
    # Audit entries are written in batches, off the request: the close's entry shows up shortly.
    poll(
        lambda: '<td data-label="Door">console</td>' in console.get("/console/audit?tool=POST+/console/listeners/close")
    )
    there.kill()  # a crash: no goodbye, its heartbeat just stops
    poll(lambda: far not in console.get("/console/health"), within=HEARTBEAT * 3 + 20)
    assert instance_ids(console.get("/console/health")) == [i for i in ids if i != far]


async def test_killing_an_instance_loses_no_session(request: pytest.FixtureRequest) -> None:
    env = {**storage_env(request, "mongo", "kill"), "SESSION_IDLE_TIMEOUT_SECONDS": "600"}
    servers = [ServerProcess(env).start() for _ in range(2)]
    try:
        async with balanced(servers) as (client, transport):
            assert "list-users" in await client.tool_names()
            get_port = next(port for method, port in transport.ports if method == "GET")
            victim = next(s for s in servers if s.port == get_port)
            victim.stop()  # the instance holding the GET stream
            for _ in range(3):  # every later request lands on the survivor and works
                assert (await client.ok("user-info"))["result"]["email"] == "admin@example.com"
            with anyio.fail_after(15):  # the client's GET stream reconnects to the survivor
                while sum(1 for m, p in transport.ports if m == "GET" and p != get_port) == 0:
                    await anyio.sleep(0.1)
            name = f"after-kill-{time.monotonic_ns()}"
            tool = {"name": name, "description": "d", "inputSchema": {"type": "object"}, "handler": {"type": "echo"}}
            await client.ok("add-tool", {"toolDefinition": tool})
            assert await client.wait_for(TOOLS_CHANGED, timeout=10)
    finally:
        for server in servers:
            server.stop()
