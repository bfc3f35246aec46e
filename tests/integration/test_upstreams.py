"""dynamic-mcp as a gateway to real upstream MCP servers started here (docs/upstreams.md).

Upstreams: the SDK's low-level server (tests/integration/upstream_server.py, with a bearer token)
and examples/echo_server.py (a dynamic-mcp, which takes each user's API key as a bearer token).
All three processes are shared by the module; the test that kills an upstream starts its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.integration.harness import ADMIN_KEY, TOOLS_CHANGED, ServerProcess, connect, free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SHARED_TOKEN = "shared-upstream-token-4f1d2c"
ECHO_ADMIN_KEY = "echo-admin-key-for-upstream-tests"
SECRET_KEY = "gateway-secret-key-for-tests-0123"


class Upstream:
    """A test upstream on a free (or given) loopback port."""

    def __init__(self, token: str | None = SHARED_TOKEN, port: int | None = None) -> None:
        self.port = port or free_port()
        self.token = token
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Upstream:
        return self.spawn().wait()

    def spawn(self) -> Upstream:
        args = [sys.executable, "-m", "tests.integration.upstream_server", str(self.port)]
        self.proc = subprocess.Popen([*args, *([self.token] if self.token else [])], cwd=ROOT)
        return self

    def wait(self) -> Upstream:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url, timeout=1.0)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("test upstream did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    async def stats(self) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        async with (
            httpx2.AsyncClient(headers=headers) as http,
            Client(streamable_http_client(self.url, http_client=http), mode="legacy") as client,
        ):
            result = await client.call_tool("stats", {})
        return dict(result.structured_content or {})


class EchoUpstream:
    """examples/echo_server.py: each of its users authenticates with their own key."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/mcp"
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> EchoUpstream:
        return self.spawn().wait()

    def spawn(self) -> EchoUpstream:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("MONGO", "MCP_"))},
            "PORT": str(self.port),
            "MCP_ADMIN_API_KEY": ECHO_ADMIN_KEY,
            "MCP_ADMIN_EMAIL": "admin@example.com",
            "LOG_LEVEL": "warning",
            "RATE_LIMIT_TOOL_CALLS": "0",
            "RATE_LIMIT_API": "0",
            "RATE_LIMIT_SESSIONS": "0",
        }
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "examples" / "echo_server.py")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return self

    def wait(self) -> EchoUpstream:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            if "serving on" in line:
                break
        else:
            raise RuntimeError("echo upstream did not start")
        return self

    def add_user(self, email: str, role: str) -> str:
        response = httpx.post(
            f"{self.base}/api/v1/users",
            headers={"x-apikey": ECHO_ADMIN_KEY},
            json={"email": email, "name": email.split("@")[0], "roles": [role]},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["apiKey"])

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)


@pytest.fixture(scope="module")
def processes() -> Iterator[tuple[ServerProcess, Upstream, EchoUpstream]]:
    """The gateway and both upstreams, started side by side (start-up dominates this module's time)."""
    lowlevel, echo = Upstream().spawn(), EchoUpstream().spawn()
    env = {"SECRET_KEY": SECRET_KEY, "HTTP_TOOL_ALLOWED_HOSTS": "127.0.0.1", "MAX_SESSIONS_PER_USER": "200"}
    try:
        server = ServerProcess(env)
        server.env["MCP_SERVER_URL"] = server.url  # where a missing credential is set (URL-mode elicitation)
        server.start()
        try:
            yield server, lowlevel.wait(), echo.wait()
        finally:
            server.stop()
    finally:
        lowlevel.kill()
        echo.stop()


@pytest.fixture(scope="module")
def gateway(processes: tuple[ServerProcess, Upstream, EchoUpstream]) -> ServerProcess:
    return processes[0]


@pytest.fixture(scope="module")
def lowlevel(processes: tuple[ServerProcess, Upstream, EchoUpstream]) -> Upstream:
    return processes[1]


@pytest.fixture(scope="module")
def echo(processes: tuple[ServerProcess, Upstream, EchoUpstream]) -> EchoUpstream:
    return processes[2]


def rest(gateway: ServerProcess, key: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{gateway.url}/api/v1{path}", headers={"x-apikey": key}, timeout=60, **kwargs)


def add_user(gateway: ServerProcess, role: str) -> tuple[str, str]:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "name": email.split("@")[0], "roles": [role]}
    response = rest(gateway, ADMIN_KEY, "POST", "/users", json=body)
    assert response.status_code == 201, response.text
    return email, str(response.json()["apiKey"])


def share(gateway: ServerProcess, key: str, tool_id: str, email: str) -> None:
    response = rest(gateway, key, "POST", "/shares", json={"email": email, "toolId": tool_id, "accessLevel": "read"})
    assert response.status_code in (200, 201), response.text


def import_lowlevel(gateway: ServerProcess, key: str, lowlevel: Upstream, name: str, prefix: str) -> dict[str, Any]:
    body = {
        "name": name,
        "url": lowlevel.url,
        "namePrefix": prefix,
        "headers": {"Authorization": f"Bearer {SHARED_TOKEN}"},
    }
    response = rest(gateway, key, "POST", "/upstreams", json=body)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def call_setting_the_credential_when_asked(
    gateway: ServerProcess, key: str, token: str, mode: str, text: str, *, elicitation: bool = True
) -> tuple[types.CallToolResult, list[types.ElicitRequestParams]]:
    """Call pu_echo with an SDK client that takes URL-mode elicitation and, when asked, does what
    the user would do at that URL: PUT the credential there (``elicitation=False``: a client
    without the capability)."""
    asked: list[types.ElicitRequestParams] = []

    async def set_it_there(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(params)
        assert isinstance(params, types.ElicitRequestURLParams)
        async with httpx.AsyncClient(headers={"x-apikey": key}) as http:
            assert (await http.put(params.url, json={"token": token})).status_code == 200
        return types.ElicitResult(action="accept")

    async with (
        httpx2.AsyncClient(headers={"x-apikey": key}) as http,
        Client(
            streamable_http_client(f"{gateway.url}/mcp", http_client=http),
            mode=mode,  # type: ignore[arg-type]
            elicitation_callback=set_it_there if elicitation else None,
        ) as client,
    ):
        return await client.call_tool("pu_echo", {"text": text}), asked


async def test_imported_tools_forward_results_unchanged_to_a_user_with_a_share(
    gateway: ServerProcess, lowlevel: Upstream
) -> None:
    power, power_key = add_user(gateway, "power-user")
    user, user_key = add_user(gateway, "user")
    async with connect(gateway.url, power_key) as importer:
        body = await importer.ok(
            "import-upstream",
            {
                "name": "calc",
                "url": lowlevel.url,
                "namePrefix": "calc_",
                "headers": {"Authorization": f"Bearer {SHARED_TOKEN}"},
                "toolFilter": ["add", "fail", "slow"],
            },
        )
        assert sorted(body["result"]["added"]) == ["calc_add", "calc_fail", "calc_slow"]
        assert body["result"]["upstream"]["headerNames"] == ["authorization"]
        assert SHARED_TOKEN not in json.dumps(body)
        assert {"calc_add", "calc_fail", "calc_slow"} <= await importer.tool_names()
        add = next(t for t in (await importer.session.list_tools()).tools if t.name == "calc_add")
        assert add.title == "Adder" and add.output_schema is not None and add.output_schema["required"] == ["sum"]
        assert add.icons is not None and [(i.src, i.mime_type) for i in add.icons] == [
            ("https://example.com/add.png", "image/png")
        ]
    async with connect(gateway.url, user_key) as client:
        assert "calc_add" not in await client.tool_names()
        share(gateway, power_key, f"{power}:calc_add", user)
        share(gateway, power_key, f"{power}:calc_fail", user)
        share(gateway, power_key, f"{power}:calc_slow", user)
        assert await client.wait_for(TOOLS_CHANGED, at_least=3)
        result = await client.session.call_tool("calc_add", {"a": 2, "b": 3})
        assert not result.is_error
        assert result.structured_content == {"sum": 5.0}
        assert [(c.type, c.text) for c in result.content] == [("text", "5")]  # type: ignore[union-attr]
        assert result.meta is not None and result.meta["example.com/origin"] == "upstream"
        failed = await client.session.call_tool("calc_fail", {})
        assert failed.is_error and failed.content[0].text == "upstream says no"  # type: ignore[union-attr]
        seen: list[tuple[float, float | None, str | None]] = []

        async def progress(value: float, total: float | None, message: str | None) -> None:
            seen.append((value, total, message))

        slow = await client.session.call_tool("calc_slow", {"seconds": 0}, progress_callback=progress)
        assert not slow.is_error and seen == [(1.0, 2.0, "halfway")]
    listed = rest(gateway, user_key, "GET", "/upstreams").json()
    assert [u["name"] for u in listed["upstreams"]] == ["calc"] or "calc" in [u["name"] for u in listed["upstreams"]]
    assert SHARED_TOKEN not in json.dumps(listed) and SHARED_TOKEN not in gateway.log()


async def test_rest_and_cli_import_through_the_same_rules(gateway: ServerProcess, lowlevel: Upstream) -> None:
    _, user_key = add_user(gateway, "user")
    body = {"name": "by-user", "url": lowlevel.url}
    assert rest(gateway, user_key, "POST", "/upstreams", json=body).status_code == 403
    power, power_key = add_user(gateway, "power-user")
    imported = import_lowlevel(gateway, power_key, lowlevel, f"rest-{power[:12]}", "r_")
    assert sorted(imported["added"]) == ["r_add", "r_fail", "r_slow", "r_stats", "r_whoami"]
    name = f"cli-{power[:12]}"
    run = subprocess.run(
        [sys.executable, "-m", "dynamic_mcp.cli", "upstreams", "add", name, lowlevel.url, "--prefix", "c_",
         "--tool", "add", "--header", f"Authorization: Bearer {SHARED_TOKEN}", "--url", gateway.url,
         "--api-key", power_key, "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["added"] == ["c_add"]
    async with connect(gateway.url, power_key) as client:
        assert {"r_add", "c_add"} <= await client.tool_names()
        assert (await client.session.call_tool("c_add", {"a": 1, "b": 1})).structured_content == {"sum": 2.0}
        again = await client.ok("refresh-upstream", {"name": name})
        assert again["result"]["added"] == [] and again["result"]["removed"] == []
    unreachable = {"name": "nowhere", "url": f"http://127.0.0.1:{free_port()}/mcp"}
    refused = rest(gateway, power_key, "POST", "/upstreams", json=unreachable)
    assert refused.status_code == 422 and "nowhere" in refused.json()["detail"]


async def test_per_user_credentials_carry_each_users_own_token(gateway: ServerProcess, echo: EchoUpstream) -> None:
    power, power_key = add_user(gateway, "power-user")
    alice, alice_key = add_user(gateway, "user")
    bob, bob_key = add_user(gateway, "user")
    tokens = {who: echo.add_user(f"{who}-{uuid.uuid4().hex[:6]}@echo.example", "user") for who in ("alice", "bob")}
    importer_token = echo.add_user(f"importer-{uuid.uuid4().hex[:6]}@echo.example", "power-user")
    async with connect(gateway.url, power_key) as importer:
        await importer.ok(
            "import-upstream",
            {"name": "echo-pu", "url": echo.url, "credentialMode": "per-user", "token": importer_token,
             "namePrefix": "pu_", "toolFilter": ["echo"]},
        )  # fmt: skip
    share(gateway, power_key, f"{power}:pu_echo", alice)
    share(gateway, power_key, f"{power}:pu_echo", bob)
    async with connect(gateway.url, alice_key) as a, connect(gateway.url, bob_key) as b:
        missing = await a.error("pu_echo", {"text": "hi"})
        assert "set-upstream-credential" in missing and "/api/v1/me/upstream-credentials/echo-pu" in missing
        stored = await a.ok("set-upstream-credential", {"upstream": "echo-pu", "token": tokens["alice"]})
        assert tokens["alice"] not in json.dumps(stored)
        put = rest(gateway, bob_key, "PUT", "/me/upstream-credentials/echo-pu", json={"token": tokens["bob"]})
        assert put.status_code == 200 and tokens["bob"] not in put.text
        for client, who in ((a, "alice"), (b, "bob"), (a, "alice")):
            result = await client.session.call_tool("pu_echo", {"text": who})
            assert not result.is_error, result
            echoed = json.loads(result.content[0].text)  # type: ignore[union-attr]
            assert echoed["result"]["user"].startswith(f"{who}-"), echoed
    # A client that takes URL-mode elicitation is sent where the credential is set; once set, the call goes on.
    for mode in ("legacy", "2026-07-28"):
        who = f"carol-{mode[:6]}"
        carol, carol_key = add_user(gateway, "user")
        share(gateway, power_key, f"{power}:pu_echo", carol)
        token = echo.add_user(f"{who}-{uuid.uuid4().hex[:6]}@echo.example", "user")
        plain, unasked = await call_setting_the_credential_when_asked(
            gateway, carol_key, token, mode, who, elicitation=False
        )
        assert plain.is_error and not unasked and "set-upstream-credential" in plain.content[0].text  # type: ignore[union-attr]
        result, asked = await call_setting_the_credential_when_asked(gateway, carol_key, token, mode, who)
        assert not result.is_error, result
        assert json.loads(result.content[0].text)["result"]["user"].startswith(f"{who}-")  # type: ignore[union-attr]
        assert len(asked) == 1 and asked[0].url == f"{gateway.url}/api/v1/me/upstream-credentials/echo-pu"  # type: ignore[union-attr]
        assert "set-upstream-credential" in asked[0].message
    assert tokens["alice"] not in gateway.log() and tokens["bob"] not in gateway.log()


async def test_upstream_list_changed_reaches_exactly_the_affected_users_within_a_second(
    gateway: ServerProcess, echo: EchoUpstream
) -> None:
    power, power_key = add_user(gateway, "power-user")
    alice, alice_key = add_user(gateway, "user")
    _, bob_key = add_user(gateway, "user")
    upstream_email = f"watched-{uuid.uuid4().hex[:6]}@echo.example"
    upstream_key = echo.add_user(upstream_email, "power-user")
    headers = {"Authorization": f"Bearer {upstream_key}"}
    imported = rest(gateway, power_key, "POST", "/upstreams",
                    json={"name": "watched", "url": echo.url, "headers": headers, "namePrefix": "w_"})  # fmt: skip
    assert imported.status_code in (200, 201), imported.text
    tool = {"name": "weather", "description": "v1", "inputSchema": {"type": "object"},
            "handler": {"type": "echo", "config": {}}}  # fmt: skip

    def upstream_write(method: str, path: str, body: dict[str, Any]) -> float:
        response = httpx.request(method, f"{echo.base}/api/v1{path}", headers={"x-apikey": upstream_key}, json=body)
        assert response.status_code in (200, 201), response.text
        return time.monotonic()

    async with (
        connect(gateway.url, power_key) as importer,
        connect(gateway.url, alice_key) as a,
        connect(gateway.url, bob_key) as b,
    ):
        await asyncio.sleep(0.5)  # the gateway's watch of the upstream is open
        started = upstream_write("POST", "/tools", tool)
        assert await importer.wait_for(TOOLS_CHANGED, timeout=10)
        first_latency = time.monotonic() - started
        assert "w_weather" in await importer.tool_names()
        share(gateway, power_key, f"{power}:w_weather", alice)
        assert await a.wait_for(TOOLS_CHANGED)
        counts = (importer.count(TOOLS_CHANGED), a.count(TOOLS_CHANGED))
        output = {"type": "object", "properties": {"sky": {"type": "string"}}}
        started = upstream_write(
            "PATCH", "/tools/weather", {"description": "v2", "title": "Sky", "outputSchema": output}
        )
        assert await importer.wait_for(TOOLS_CHANGED, at_least=counts[0] + 1, timeout=10)
        assert await a.wait_for(TOOLS_CHANGED, at_least=counts[1] + 1, timeout=10)
        second_latency = time.monotonic() - started
        await asyncio.sleep(1.0)
        assert b.count(TOOLS_CHANGED) == 0  # bob's tools never changed
        described = {t.name: t for t in (await a.session.list_tools()).tools}
        assert described["w_weather"].description == "v2" and described["w_weather"].title == "Sky"
        assert described["w_weather"].output_schema == output
    print(f"list_changed relayed in {first_latency:.3f}s and {second_latency:.3f}s")
    assert first_latency < 1.0 and second_latency < 1.0


async def test_an_upstream_killed_mid_call_is_a_tool_error_and_blocks_no_other_call(
    gateway: ServerProcess, lowlevel: Upstream
) -> None:
    _, power_key = add_user(gateway, "power-user")
    doomed = Upstream().start()
    try:
        import_lowlevel(gateway, power_key, doomed, "doomed", "d_")
        import_lowlevel(gateway, power_key, lowlevel, "healthy", "h_")
        async with connect(gateway.url, power_key) as client:
            call = asyncio.create_task(client.session.call_tool("d_slow", {"seconds": 30}))
            await asyncio.sleep(1.0)
            doomed.kill()
            started = time.monotonic()
            healthy = await client.session.call_tool("h_add", {"a": 1, "b": 2})
            assert healthy.structured_content == {"sum": 3.0}
            result = await asyncio.wait_for(call, timeout=20)
            assert time.monotonic() - started < 15
            assert result.is_error and "doomed" in result.content[0].text  # type: ignore[union-attr]
            refused = await client.error("d_add", {"a": 1, "b": 1})
            assert "doomed" in refused
            doomed = Upstream(port=doomed.port).start()  # back on the same address: the pool re-opens
            again = await client.session.call_tool("d_add", {"a": 1, "b": 1})
            assert again.structured_content == {"sum": 2.0}
    finally:
        doomed.kill()


def established_connections(port: int) -> int:
    """TCP connections to a local listening port right now, from the kernel's table (IPv4 loopback)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == "01":  # ESTABLISHED, seen from the server's side
            count += 1
    return count


@pytest.mark.slow
async def test_a_thousand_calls_over_fifty_sessions_share_a_bounded_set_of_connections(
    gateway: ServerProcess, lowlevel: Upstream
) -> None:
    _, power_key = add_user(gateway, "power-user")
    import_lowlevel(gateway, power_key, lowlevel, "load", "load_")
    before = await lowlevel.stats()
    peak = 0
    running = True

    async def sample() -> None:
        nonlocal peak
        while running:
            peak = max(peak, established_connections(lowlevel.port))
            await asyncio.sleep(0.02)

    async def session(index: int) -> int:
        ok = 0
        async with connect(gateway.url, power_key) as client:
            for call in range(20):
                result = await client.session.call_tool("load_add", {"a": index, "b": call})
                ok += result.structured_content == {"sum": float(index + call)}
        return ok

    sampler = asyncio.create_task(sample())
    started = time.monotonic()
    done = await asyncio.gather(*(session(i) for i in range(50)))
    elapsed = time.monotonic() - started
    running = False
    await sampler
    after = await lowlevel.stats()
    opened = after["connections"] - before["connections"] - 1  # minus the stats call's own
    sessions = after["sessions"] - before["sessions"] - 1
    print(f"1000 calls over 50 sessions in {elapsed:.1f}s: {sessions} new upstream client sessions, "
          f"at most {peak} upstream TCP connections at once, {opened} opened in all")  # fmt: skip
    assert sum(done) == 1000
    assert after["calls"] - before["calls"] == 1001
    # The import's pooled client session serves the calls: no session (or process) per caller.
    # On a loaded machine the pool may replace it once (a missed heartbeat); one per caller is 50.
    assert sessions <= 1
    # Its HTTP pool holds 8; a connection the upstream closed may linger while its successor opens.
    assert 1 <= peak <= 12
