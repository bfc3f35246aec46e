"""GET /metrics on the real server, in both storage modes: what an operator's Prometheus scrapes."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.conftest import storage_env
from tests.integration.harness import ADMIN_KEY, ServerProcess, connect, free_port

pytestmark = pytest.mark.integration
TOKEN = "scrape-token-for-tests"
CLOSED_PORT = free_port()  # nothing listens there: an http tool pointed at it fails


@pytest.fixture(scope="module", params=["memory", pytest.param("mongo", marks=pytest.mark.mongo)])
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    env = {
        **storage_env(request, request.param, "metrics"),
        "METRICS_TOKEN": TOKEN,
        "HTTP_TOOL_ALLOWED_HOSTS": f"127.0.0.1:{CLOSED_PORT}",
    }
    process = ServerProcess(env).start()
    yield process
    process.stop()


def scrape(server: ServerProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{server.url}/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_need_the_token_when_one_is_set(server: ServerProcess) -> None:
    assert httpx.get(f"{server.url}/metrics").status_code == 401
    assert httpx.get(f"{server.url}/metrics", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(f"{server.url}/metrics", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200


async def test_tool_calls_are_counted_by_tool_and_outcome(server: ServerProcess) -> None:
    before = scrape(server)
    unreachable = {
        "name": "unreachable-api",
        "inputSchema": {"type": "object"},
        "handler": {"type": "http", "config": {"url": f"http://127.0.0.1:{CLOSED_PORT}/", "timeoutSeconds": 5}},
    }
    async with connect(server.url, ADMIN_KEY) as admin:
        await admin.ok("list-users")
        await admin.ok("list-users")
        await admin.error("list-users", {"limit": "not a number"})
        await admin.error("no-such-tool")
        await admin.ok("add-tool", {"toolDefinition": unreachable})
        failed = await admin.error("unreachable-api")
        live = scrape(server)
    after = scrape(server)
    name = "dynamic_mcp_tool_calls_total"
    tool = "user-management:list-users"
    assert value(after, name, tool=tool, outcome="ok") - value(before, name, tool=tool, outcome="ok") == 2
    assert value(after, name, tool=tool, outcome="invalid") - value(before, name, tool=tool, outcome="invalid") == 1
    assert value(after, name, tool="other", outcome="denied") - value(before, name, tool="other", outcome="denied") == 1
    # A failing upstream is the tool's error, not the caller's invalid input.
    assert "failed: ConnectError" in failed
    runtime = "admin@example.com:unreachable-api"
    assert value(after, name, tool=runtime, outcome="error") - value(before, name, tool=runtime, outcome="error") == 1
    histogram = "dynamic_mcp_tool_call_duration_seconds_count"
    assert value(after, histogram, tool=tool) - value(before, histogram, tool=tool) == 3
    assert value(live, "dynamic_mcp_live_sessions") >= 1
    assert value(live, "dynamic_mcp_listeners") >= 1  # the SDK client holds its GET stream open


async def test_http_requests_are_counted_by_route_template(server: ServerProcess) -> None:
    httpx.get(f"{server.url}/api/v1/users/{ADMIN_KEY[:5]}@example.com", headers={"x-apikey": ADMIN_KEY})
    httpx.get(f"{server.url}/no/such/page/123")
    samples = scrape(server)
    routes = {dict(labels)["route"] for name, labels in samples if name == "dynamic_mcp_http_requests_total"}
    assert "/api/v1/users/{email}" in routes
    assert "unmatched" in routes
    assert not any("example.com" in route or "123" in route for route in routes)
    assert value(samples, "dynamic_mcp_http_requests_total", route="/mcp", method="POST", status="200") >= 1


async def test_notifications_stores_and_caches_are_measured(server: ServerProcess) -> None:
    before = scrape(server)
    async with connect(server.url, ADMIN_KEY) as admin, connect(server.url, ADMIN_KEY) as watcher:
        await admin.ok(
            "add-tool",
            {"toolDefinition": {"name": "metered", "inputSchema": {"type": "object"}, "handler": {"type": "echo"}}},
        )
        assert await watcher.wait_for("notifications/tools/list_changed")
        with anyio.fail_after(10):
            while True:
                after = scrape(server)
                kind = {"kind": "tools_list_changed"}
                if value(after, "dynamic_mcp_notifications_sent_total", **kind) > value(
                    before, "dynamic_mcp_notifications_sent_total", **kind
                ):
                    break
                await anyio.sleep(0.05)
    names = {name for name, _ in after}
    assert "dynamic_mcp_store_operation_duration_seconds_count" in names
    assert value(after, "dynamic_mcp_store_operation_duration_seconds_count", operation="tools.upsert") >= 1
    assert 0 < value(after, "dynamic_mcp_cache_hit_ratio", cache="users") <= 1
    assert value(after, "dynamic_mcp_cache_lookups_total", cache="keys", result="hit") >= 1
    if "MONGODB_URI" in server.env:  # the tool's write came back through the change stream
        with anyio.fail_after(10):
            while ("dynamic_mcp_change_stream_lag_seconds", ()) not in scrape(server):
                await anyio.sleep(0.05)
        assert 0 <= value(scrape(server), "dynamic_mcp_change_stream_lag_seconds") < 10
