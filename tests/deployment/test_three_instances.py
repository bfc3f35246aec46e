"""Several instances, one database, no affinity: three servers behind nginx, driven through nginx.

The instances share a single-node replica set; nginx runs deploy/nginx.conf (round robin). Raw
HTTP requests go through nginx only; the ``X-Upstream`` header (added by the test's nginx) shows
which instance answered. Listeners are pinned to one instance each, the way a client's GET
stream lives on whichever instance it reached.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
import pytest
from mcp.client import Client
from mcp.client.subscriptions import Subscription, ToolsListChanged
from pymongo import MongoClient

from tests.deployment.harness import Deployment, find_nginx, start_deployment, stop_deployment
from tests.integration.harness import ADMIN_EMAIL, ADMIN_KEY, TOOLS_CHANGED, call_ok, connect, tool_names

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.mongo]

TARGET_SECONDS = 1.0  # from the acknowledged write to the last notification / refusal everywhere


@pytest.fixture(scope="module")
def deployment(mongo_uri: str, fresh_database_name: Callable[[str], str]) -> Iterator[Deployment]:
    if find_nginx() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("nginx must be installed in CI (.ci/run installs it)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DB": fresh_database_name("deployment"), "LOG_LEVEL": "info"}
    started = start_deployment(env)
    started.admin_key = ADMIN_KEY  # type: ignore[attr-defined]
    try:
        yield started
    finally:
        stop_deployment(started)


class Proxy:
    """Raw HTTP through nginx; remembers which instance answered each request."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.http = httpx.Client(base_url=deployment.url, timeout=10.0)
        self.answered_by: list[int] = []

    def request(self, method: str, path: str, key: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, headers={"x-apikey": key}, **kwargs)
        self.answered_by.append(self.deployment.instance_of(response.headers["x-upstream"]))
        return response

    def ok(self, method: str, path: str, key: str, **kwargs: Any) -> Any:
        response = self.request(method, path, key, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def proxy(deployment: Deployment) -> Iterator[Proxy]:
    client = Proxy(deployment)
    yield client
    client.close()


def admin_key(deployment: Deployment) -> str:
    return str(deployment.admin_key)  # type: ignore[attr-defined]


def new_email(role: str) -> str:
    return f"{role}-{uuid.uuid4().hex[:8]}@example.com"


def until(check: Callable[[], bool], within: float) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > within:
            raise AssertionError(f"not within {within:.1f} s")
        time.sleep(0.01)
    return time.monotonic() - start


async def settles(names: Callable[[], Any], want: Callable[[Any], bool], within: float = TARGET_SECONDS) -> None:
    """Poll a listing until it shows a change made on another instance: each instance learns it
    through the change feed, so a request landing elsewhere may briefly answer the state before."""
    deadline = time.monotonic() + within
    listed = await names()
    while not want(listed):
        assert time.monotonic() < deadline, f"still {listed} after {within} s"
        await asyncio.sleep(0.01)
        listed = await names()


def test_round_robin_sends_consecutive_requests_to_every_instance(proxy: Proxy, deployment: Deployment) -> None:
    for _ in range(6):
        proxy.ok("GET", "/api/v1/me", admin_key(deployment))
    assert set(proxy.answered_by) == {0, 1, 2}
    assert all(a != b for a, b in zip(proxy.answered_by, proxy.answered_by[1:], strict=False))


def test_a_rest_scenario_hops_between_instances_and_sees_every_change(proxy: Proxy, deployment: Deployment) -> None:
    admin = admin_key(deployment)
    power, user = new_email("power"), new_email("user")
    power_key = proxy.ok("POST", "/api/v1/users", admin, json={"email": power, "roles": ["power-user"]})["apiKey"]
    user_key = proxy.ok("POST", "/api/v1/users", admin, json={"email": user, "roles": ["user"]})["apiKey"]
    tool = {"name": "greet", "inputSchema": {"type": "object"}, "handler": {"type": "echo", "config": {}}}
    proxy.ok("POST", "/api/v1/tools", power_key, json=tool)
    tool_id = f"{power}:greet"
    proxy.ok("POST", "/api/v1/shares", power_key, json={"email": user, "toolId": tool_id, "accessLevel": "read"})

    def user_sees(expect_hidden: bool | None) -> Callable[[], bool]:
        def check() -> bool:
            listed = proxy.ok("GET", "/api/v1/tools", user_key)
            items = listed.get("tools", listed) if isinstance(listed, dict) else listed
            found = [t for t in items if t.get("name") == "greet"]
            if expect_hidden is None:
                return not found
            return bool(found) and bool(found[0].get("hidden")) == expect_hidden

        return check

    # Every other request lands elsewhere: the instance that did not make the share learns it
    # through the change stream, within the target.
    until(user_sees(expect_hidden=False), TARGET_SECONDS * 3)
    proxy.ok("POST", "/api/v1/me/hidden-tools", user_key, json={"toolIds": [tool_id]})
    until(user_sees(expect_hidden=True), TARGET_SECONDS * 3)
    proxy.ok("DELETE", "/api/v1/shares", power_key, params={"email": user, "toolId": tool_id})
    until(user_sees(expect_hidden=None), TARGET_SECONDS * 3)
    new_key = proxy.ok("POST", f"/api/v1/users/{user}/api-key/reset", user_key, json={"confirm": True})["apiKey"]
    until(lambda: all(proxy.request("GET", "/api/v1/me", user_key).status_code == 401 for _ in range(3)), 3.0)
    assert proxy.ok("GET", "/api/v1/me", new_key)["email"] == user
    assert set(proxy.answered_by) == {0, 1, 2}
    assert (
        sum(a != b for a, b in zip(proxy.answered_by, proxy.answered_by[1:], strict=False))
        > len(proxy.answered_by) // 2
    )


async def test_list_changed_reaches_a_listener_on_every_instance_within_a_second(deployment: Deployment) -> None:
    admin = admin_key(deployment)
    user = new_email("listener")
    async with httpx.AsyncClient(base_url=deployment.url, headers={"x-apikey": admin}, timeout=10.0) as http:
        created = await http.post("/api/v1/users", json={"email": user, "roles": ["user"]})
        user_key = created.json()["apiKey"]
        tool = {"name": "fanout", "inputSchema": {"type": "object"}, "handler": {"type": "echo", "config": {}}}
        assert (await http.post("/api/v1/tools", json=tool)).status_code < 300
        async with (
            connect(deployment.instances[0].url, user_key) as first,
            connect(deployment.instances[1].url, user_key) as second,
            connect(deployment.instances[2].url, user_key) as third,
        ):
            listeners = [first, second, third]
            for listener in listeners:
                await listener.tool_names()  # the GET stream is open once a request went through
            await asyncio.sleep(0.3)
            start = time.monotonic()
            shared = await http.post(
                "/api/v1/shares", json={"email": user, "toolId": f"{ADMIN_EMAIL}:fanout", "accessLevel": "read"}
            )
            acknowledged = time.monotonic()
            assert shared.status_code < 300, shared.text
            made_on = deployment.instance_of(shared.headers["x-upstream"])

            async def arrival(listener: Any) -> float:
                assert await listener.wait_for(TOOLS_CHANGED, timeout=10.0)
                return time.monotonic() - acknowledged

            latencies = await asyncio.gather(*(arrival(listener) for listener in listeners))
            print(f"share made on instance {made_on}; list_changed after {[round(x * 1000) for x in latencies]} ms")
            assert max(latencies) < TARGET_SECONDS, latencies
            assert start <= acknowledged
            for listener in listeners:
                assert "fanout" in await listener.tool_names()


def start_cli(deployment: Deployment, *args: str) -> subprocess.Popen[str]:
    """The CLI working directly on the database (no --url), as an operator would run it."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MONGO", "MCP_"))},
        **deployment.env,
        "MCP_ADMIN_EMAIL": ADMIN_EMAIL,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "dynamic_mcp.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_old_key_is_refused_everywhere_within_a_second_of_a_cli_reset(proxy: Proxy, deployment: Deployment) -> None:
    old = admin_key(deployment)
    for _ in range(3):  # every instance has the old key cached
        proxy.ok("GET", "/api/v1/me", old)
    assert set(proxy.answered_by[-3:]) == {0, 1, 2}

    # Poll through nginx while the CLI runs: the refusal is timed from the write itself (the
    # user record's updatedAt, set just before the write is sent).
    cli = start_cli(deployment, "admin-key", "--reset")
    refused_by: set[int] = set()

    def refused_everywhere() -> bool:
        response = proxy.request("GET", "/api/v1/me", old)
        if response.status_code == 401:
            refused_by.add(proxy.answered_by[-1])
        else:
            refused_by.clear()  # an instance still accepted it: start counting again
        return refused_by == {0, 1, 2}

    until(refused_everywhere, 30.0)
    refused_at = datetime.now(UTC)
    stdout, stderr = cli.communicate(timeout=60)
    assert cli.returncode == 0, stderr
    new_key = re.search(r"\(shown only now\): (\S+)", stdout).group(1)  # type: ignore[union-attr]
    deployment.admin_key = new_key  # type: ignore[attr-defined]
    with MongoClient(deployment.env["MONGODB_URI"], tz_aware=True) as client:
        doc = client[deployment.env["MONGODB_DB"]]["users"].find_one({"email": ADMIN_EMAIL})
    assert doc is not None
    from_write = (refused_at - doc["updatedAt"]).total_seconds()
    print(f"old key refused on every instance {from_write * 1000:.0f} ms after the reset was written")
    assert from_write < TARGET_SECONDS
    assert proxy.ok("GET", "/api/v1/me", new_key)["email"] == ADMIN_EMAIL


def test_killing_an_instance_mid_scenario_costs_no_request(proxy: Proxy, deployment: Deployment) -> None:
    admin = admin_key(deployment)
    emails = [new_email("survivor") for _ in range(9)]
    for email in emails[:3]:
        proxy.ok("POST", "/api/v1/users", admin, json={"email": email, "roles": ["user"]})
    victim = deployment.instances[1]
    victim.kill()
    try:
        for email in emails[3:]:
            proxy.ok("POST", "/api/v1/users", admin, json={"email": email, "roles": ["user"]})
            proxy.ok("GET", f"/api/v1/users/{email}", admin)
        assert 1 not in proxy.answered_by[-12:]
    finally:
        victim.start()
    # back in rotation once nginx retries it (fail_timeout), with every change made meanwhile
    until(lambda: proxy.request("GET", f"/api/v1/users/{emails[-1]}", admin).status_code == 200
          and proxy.answered_by[-1] == 1, 15.0)  # fmt: skip


async def test_an_sdk_session_through_nginx_runs_the_whole_scenario(deployment: Deployment) -> None:
    admin = admin_key(deployment)
    user = new_email("sdk")
    async with connect(deployment.url, admin) as admin_client:
        body = await admin_client.ok("add-user", {"email": user, "roles": ["user"]})
        user_key = body["result"]["apiKey"]
        tool = {"name": "hop", "inputSchema": {"type": "object"}, "handler": {"type": "echo", "config": {}}}
        await admin_client.ok("add-tool", {"toolDefinition": tool})
        async with connect(deployment.url, user_key) as user_client:
            assert "hop" not in await user_client.tool_names()
            await admin_client.ok("share-tool", {"email": user, "toolId": f"{ADMIN_EMAIL}:hop", "accessLevel": "read"})
            assert await user_client.wait_for(TOOLS_CHANGED, timeout=TARGET_SECONDS * 3)
            await settles(user_client.tool_names, lambda names: "hop" in names)
            await user_client.ok("hop", {"x": 1})
            await user_client.ok("hide-tool", {"toolId": [f"{ADMIN_EMAIL}:hop"]})
            await settles(user_client.tool_names, lambda names: "hop" not in names)
            await user_client.ok("hop", {"x": 2})  # hidden tools stay callable
            await user_client.ok("reset-api-key", {"userConfirmed": True})
    # One session's consecutive POSTs were answered by different instances.
    hops: dict[str, list[int]] = {}
    for _, method, _, _, upstream, session in deployment.nginx.requests():
        if session and method == "POST" and upstream not in ("", "-"):
            hops.setdefault(session, []).append(deployment.instance_of(upstream))
    busiest = max(hops.values(), key=len)
    assert set(busiest) == {0, 1, 2}, hops
    assert sum(a != b for a, b in itertools.pairwise(busiest)) >= len(busiest) // 2, busiest


# -- the 2026-07-28 era: no session at all, so every request may land anywhere ------------------

MODERN = "2026-07-28"


def modern(deployment: Deployment, key: str) -> Client:
    return Client(f"{deployment.url}/mcp?apiKey={key}", mode=MODERN)


class Stream:
    """What one subscriptions/listen stream delivers, with arrival times."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.ended = False
        self.broken: BaseException | None = None

    async def collect(self, subscription: Subscription) -> None:
        try:
            async for event in subscription:
                if isinstance(event, ToolsListChanged):
                    self.arrivals.append(time.monotonic())
        except Exception as exc:  # the instance holding the stream went away
            self.broken = exc
        self.ended = True


def instances_that_served(deployment: Deployment, mcp_method: str) -> set[int]:
    return {
        deployment.instance_of(upstream)
        for method, _, path, _, upstream, _ in deployment.nginx.requests()
        if method == mcp_method and path == "/mcp" and upstream not in ("", "-")
    }


async def test_a_2026_era_client_runs_the_whole_scenario_through_nginx(deployment: Deployment) -> None:
    user = new_email("modern")
    stream = Stream()
    async with modern(deployment, admin_key(deployment)) as admin:
        added = json.loads(await call_ok(admin, "add-user", {"email": user, "roles": ["user"]}))
        user_key = added["result"]["apiKey"]
        tool = {"name": "hop", "inputSchema": {"type": "object"}, "handler": {"type": "echo", "config": {}}}
        await call_ok(admin, "add-tool", {"toolDefinition": tool})
        async with (
            modern(deployment, user_key) as c,
            c.listen(tools_list_changed=True) as subscription,
            anyio.create_task_group() as tg,
        ):
            tg.start_soon(stream.collect, subscription)
            assert "hop" not in await tool_names(c)
            await call_ok(admin, "share-tool", {"email": user, "toolId": f"{ADMIN_EMAIL}:hop", "accessLevel": "read"})
            until_async = time.monotonic() + 10
            while not stream.arrivals and time.monotonic() < until_async:
                await anyio.sleep(0.01)
            assert stream.arrivals, "no tools/list_changed on the listen stream"
            await settles(lambda: tool_names(c), lambda names: "hop" in names)
            assert json.loads(await call_ok(c, "hop", {"x": 1}))["result"] == {"x": 1}
            await call_ok(c, "hide-tool", {"toolId": [f"{ADMIN_EMAIL}:hop"]})
            await settles(lambda: tool_names(c), lambda names: "hop" not in names)
            assert json.loads(await call_ok(c, "hop", {"x": 2}))["result"] == {"x": 2}  # hidden, still callable
            await call_ok(c, "reset-api-key", {"userConfirmed": True})
            with anyio.move_on_after(10):
                while not stream.ended:
                    await anyio.sleep(0.01)
            assert stream.ended, "the listen stream of a reset key stays open"
            tg.cancel_scope.cancel()
    assert httpx.get(f"{deployment.url}/api/v1/me", headers={"x-apikey": user_key}).status_code == 401
    assert instances_that_served(deployment, "tools/call") == {0, 1, 2}
    assert instances_that_served(deployment, "tools/list") == {0, 1, 2}


async def test_a_share_reaches_2026_listeners_on_every_instance_within_a_second(deployment: Deployment) -> None:
    user = new_email("fanout")
    streams = [Stream() for _ in range(6)]
    async with httpx.AsyncClient(base_url=deployment.url, headers={"x-apikey": admin_key(deployment)}) as http:
        user_key = (await http.post("/api/v1/users", json={"email": user, "roles": ["user"]})).json()["apiKey"]
        tool = {"name": "wide", "inputSchema": {"type": "object"}, "handler": {"type": "echo", "config": {}}}
        assert (await http.post("/api/v1/tools", json=tool)).status_code < 300
        async with contextlib.AsyncExitStack() as stack:
            tg = await stack.enter_async_context(anyio.create_task_group())
            for stream in streams:  # six listens in a row: round robin puts two on each instance
                c = await stack.enter_async_context(modern(deployment, user_key))
                tg.start_soon(stream.collect, await stack.enter_async_context(c.listen(tools_list_changed=True)))
            await anyio.sleep(0.5)
            shared = await http.post(
                "/api/v1/shares", json={"email": user, "toolId": f"{ADMIN_EMAIL}:wide", "accessLevel": "read"}
            )
            acknowledged = time.monotonic()
            assert shared.status_code < 300, shared.text
            with anyio.move_on_after(10):
                while not all(s.arrivals for s in streams):
                    await anyio.sleep(0.005)
            latencies = [s.arrivals[0] - acknowledged if s.arrivals else None for s in streams]
            tg.cancel_scope.cancel()
    listening = instances_that_served(deployment, "subscriptions/listen")
    print(f"listens on instances {sorted(listening)}; list_changed after {latencies} s")
    assert listening == {0, 1, 2}
    assert all(x is not None and x < TARGET_SECONDS for x in latencies), latencies


async def test_killing_an_instance_costs_a_2026_client_only_a_relisten(deployment: Deployment) -> None:
    user = new_email("survivor")
    async with httpx.AsyncClient(base_url=deployment.url, headers={"x-apikey": admin_key(deployment)}) as http:
        user_key = (await http.post("/api/v1/users", json={"email": user, "roles": ["user"]})).json()["apiKey"]
        tool = {"name": "still", "inputSchema": {"type": "object"}, "handler": {"type": "echo", "config": {}}}
        assert (await http.post("/api/v1/tools", json=tool)).status_code < 300
        victim = deployment.instances[2]
        streams = [Stream() for _ in range(3)]
        async with contextlib.AsyncExitStack() as stack:
            tg = await stack.enter_async_context(anyio.create_task_group())
            c = await stack.enter_async_context(modern(deployment, user_key))
            for stream in streams:
                listener = await stack.enter_async_context(modern(deployment, user_key))
                tg.start_soon(stream.collect, await stack.enter_async_context(listener.listen(tools_list_changed=True)))
            await anyio.sleep(0.5)
            victim.kill()
            try:
                # Requests keep working: nginx sends them past the dead instance.
                for n in range(9):
                    assert "still" not in await tool_names(c), n
                # The stream that lived on the dead instance ended; listening again lands elsewhere.
                with anyio.move_on_after(10):
                    while not any(s.ended for s in streams):
                        await anyio.sleep(0.01)
                ended = [s for s in streams if s.ended]
                assert len(ended) == 1, [s.ended for s in streams]
                again = Stream()
                relisten = await stack.enter_async_context(modern(deployment, user_key))
                tg.start_soon(again.collect, await stack.enter_async_context(relisten.listen(tools_list_changed=True)))
                await anyio.sleep(0.3)
                shared = await http.post(
                    "/api/v1/shares", json={"email": user, "toolId": f"{ADMIN_EMAIL}:still", "accessLevel": "read"}
                )
                assert shared.status_code < 300, shared.text
                live = [s for s in streams if not s.ended] + [again]
                with anyio.move_on_after(10):
                    while not all(s.arrivals for s in live):
                        await anyio.sleep(0.01)
                assert all(s.arrivals for s in live)
                await settles(lambda: tool_names(c), lambda names: "still" in names)
                tg.cancel_scope.cancel()
            finally:
                victim.start()


async def test_an_sdk_session_through_nginx_outlives_a_killed_instance(deployment: Deployment) -> None:
    user = new_email("outlives")
    async with httpx.AsyncClient(base_url=deployment.url, headers={"x-apikey": admin_key(deployment)}) as http:
        user_key = (await http.post("/api/v1/users", json={"email": user, "roles": ["user"]})).json()["apiKey"]
        tool = {"name": "after", "inputSchema": {"type": "object"}, "handler": {"type": "echo", "config": {}}}
        assert (await http.post("/api/v1/tools", json=tool)).status_code < 300
        async with connect(deployment.url, user_key) as c:
            for _ in range(3):
                assert "after" not in await c.tool_names()
            victim = deployment.instances[0]
            victim.kill()
            try:
                for _ in range(6):  # the session's requests keep working wherever they land
                    assert "after" not in await c.tool_names()
                    await c.ok("user-info")
                await asyncio.sleep(2.5)  # the SDK reconnects its GET stream (1 s apart), elsewhere if need be
                shared = await http.post(
                    "/api/v1/shares", json={"email": user, "toolId": f"{ADMIN_EMAIL}:after", "accessLevel": "read"}
                )
                assert shared.status_code < 300, shared.text
                assert await c.wait_for(TOOLS_CHANGED, timeout=10)
                await settles(c.tool_names, lambda names: "after" in names)
            finally:
                victim.start()
