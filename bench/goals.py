"""The scale goals, measured in this process over a real container (memory, or MongoDB through a
throwaway mongod): each row is one goal's curve at three sizes, with its target.

Server CPU is this process's CPU time (``time.process_time``): the application's own work, without
HTTP or client noise; on MongoDB the store's CPU (mongod) is apart and not counted. tools/list
rows go through the whole ASGI app (the SDK transport included), as bench/inprocess.py does.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.setup import echo_tool, scale_tool
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.users import User

ADMIN = "admin@bench.example.com"
ADMIN_KEY = "bench-admin-key-0123456789"
PROBE = "probe@bench.example.com"
LIVE_USERS = 1_000  # users holding a live session while changes are made


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class World:
    """One container with ``users`` users and ``tools`` tools (the admin's, open to role ``user``)."""

    def __init__(self, mode: str, uri: str | None, db: str) -> None:
        self.mode = mode
        self.uri = uri
        self.db = db
        self.container: Any = None
        self.frozen_at = 0

    async def open(self) -> World:
        from dynamic_mcp.config import Settings
        from dynamic_mcp.container import build_container, prepare_storage

        settings = Settings(
            admin_email=ADMIN,
            admin_api_key=ADMIN_KEY,
            mongodb_uri=self.uri,
            mongodb_db=self.db,
            rate_limit_tool_calls=0,
            rate_limit_api=0,
            audit_enabled=False,
        )
        self.container = build_container(settings)
        await prepare_storage(self.container)
        return self

    async def follow(self) -> None:
        """MongoDB: from here on own writes come back through the feed, as in production. After
        seeding: a restart does not replay how the stored tools were written."""
        from dynamic_mcp.container import start_following

        await start_following(self.container)

    async def start(self) -> float:
        """Start-up as the app's lifespan runs it, ending with the freeze of what it loaded."""
        from dynamic_mcp.adapters.http.heap import refreeze

        started = time.perf_counter()
        await self.container.lifecycle().start()
        elapsed = time.perf_counter() - started
        gc.collect()
        refreeze()
        self.frozen_at = self.held()
        return elapsed

    def held(self) -> int:
        return int(self.container.tools().size() + self.container.users().size())

    def settle(self) -> None:
        """What the app's periodic check (adapters/http/heap.py) would have done by now."""
        from dynamic_mcp.adapters.http.heap import needs_refreeze, refreeze

        if needs_refreeze(self.frozen_at, self.held()):
            refreeze()
            self.frozen_at = self.held()

    async def close(self) -> None:
        from pymongo.errors import InvalidOperation

        from dynamic_mcp.container import close_storage, stop_following

        await stop_following(self.container)
        if self.mode == "mongo":
            try:
                await self.container.mongo_client().drop_database(self.db)
            except InvalidOperation:
                return  # the app's lifespan closed the client already; the throwaway mongod goes anyway
        await close_storage(self.container)

    async def seed_users(self, count: int, first: int = 0) -> None:
        from dynamic_mcp.domain.users import User

        users = [User(f"user-{i:06d}@bench.example.com", roles=("user",)) for i in range(first, first + count)]
        if self.mode == "mongo":
            from dynamic_mcp.adapters.mongo.mappers import user_to_document

            collection = self.container.mongo_db()["users"]
            for at in range(0, len(users), 5000):
                await collection.insert_many([user_to_document(u) for u in users[at : at + 5000]])
        else:
            store = self.container.user_store()
            for user in users:
                await store.add(user)

    async def seed_tools(self, count: int) -> None:
        from dynamic_mcp.application.definitions import tool_from_definition

        validator = self.container.validator()
        tools = [tool_from_definition(scale_tool(i), ADMIN, validator) for i in range(count)]
        if self.mode == "mongo":
            from dynamic_mcp.adapters.mongo.mappers import tool_to_document

            collection = self.container.mongo_db()["tools"]
            for at in range(0, len(tools), 5000):
                await collection.insert_many([tool_to_document(t) for t in tools[at : at + 5000]])
        else:
            store = self.container.tool_store()
            for tool in tools:
                await store.upsert(tool)
        self.container.tools().invalidate()

    async def probe(self, kind: str) -> str:
        """A fresh user with role ``user`` for one measurement; its API key."""
        import json

        body = await self.call(ADMIN, "add-user", {"email": f"{kind}-{PROBE}", "roles": ["user"]})
        return str(json.loads(body)["result"]["apiKey"])

    async def call(self, email: str, tool: str, args: dict[str, Any]) -> str:
        outcome = await self.container.call_service().call_tool(email, tool, args)
        if outcome.is_error:
            raise RuntimeError(f"{tool}: {outcome.text[:300]}")
        return str(outcome.text)


async def cpu_ms(work: Callable[[], Awaitable[Any]], repeats: int) -> float:
    started = time.process_time()
    for _ in range(repeats):
        await work()
    return 1000 * (time.process_time() - started) / repeats


async def with_world(
    mode: str,
    uri: str | None,
    users: int,
    tools: int,
    body: Callable[[World], Awaitable[dict[str, Any]]],
    *,
    start: bool = True,
) -> dict[str, Any]:
    """``body`` over a fresh world; ``start=False`` leaves start-up to the app's lifespan."""
    import uuid

    world = await World(mode, uri, f"scale-{uuid.uuid4().hex[:8]}").open()
    try:
        await world.seed_users(users)
        await world.seed_tools(tools)
        await world.follow()
        startup = await world.start() if start else None
        result = await body(world)
        if startup is not None:
            result["startup_s"] = round(startup, 2)
        return result
    finally:
        await world.close()
        gc.unfreeze()
        gc.collect()


# -- the goals ------------------------------------------------------------------------------------
async def change_costs(world: World, repeats: int, live_users: int = LIVE_USERS) -> dict[str, Any]:
    """add-tool by the admin with LIVE_USERS live users; then one probe user's toolset after it."""
    c = world.container
    probe = f"change_costs-{PROBE}"
    await world.probe("change_costs")
    live = c.live_audience()
    emails = [f"user-{i:06d}@bench.example.com" for i in range(live_users)]
    for email in emails:
        await c.users().get(email)
        live.join(email)
    await c.call_service().list_tools(probe)
    count = 0

    async def add() -> None:
        nonlocal count
        count += 1
        await world.call(ADMIN, "add-tool", {"toolDefinition": echo_tool(f"change-{count}", rolesPermitted=["custom"])})

    add_ms = await cpu_ms(add, repeats)
    builds = c.catalog().builds
    await c.call_service().list_tools(probe)  # the probe is not reached by a custom-role tool
    rebuilt = c.catalog().builds - builds
    catalog = c.catalog()
    few = "few@bench.example.com"  # reaches 10 tools, through shares, whatever the catalogue holds
    await c.users().add(
        User(few, shared_tools=tuple(Share(f"{ADMIN}:tool-{i:05d}", ADMIN, AccessLevel.READ, None) for i in range(10)))
    )
    user = await c.users().get(few)
    started = time.process_time()
    for _ in range(repeats):
        catalog._toolsets.pop(few)
        await catalog.toolset(user)
    build_ms = 1000 * (time.process_time() - started) / repeats
    for email in emails:
        live.leave(email)
    return {"add_tool_ms": round(add_ms, 2), "unaffected_rebuilds": rebuilt, "toolset_build_ms": round(build_ms, 3)}


async def calls_during_changes(
    world: World, seconds: float, rate: float = 10.0, live_users: int = LIVE_USERS
) -> dict[str, Any]:
    """tools/call latency (wall clock) of one user while the admin adds ``rate`` tools per second
    that do not reach that user."""
    c = world.container
    probe = f"calls_during_changes-{PROBE}"
    await world.probe("calls_during_changes")
    await world.call(ADMIN, "add-tool", {"toolDefinition": echo_tool("probe-echo")})
    await world.call(ADMIN, "share-tool", {"email": probe, "toolId": "probe-echo", "accessLevel": "read"})
    live = c.live_audience()
    for i in range(live_users):
        live.join(f"user-{i:06d}@bench.example.com")
    stop = asyncio.Event()

    async def changes() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            # each change reaches the admin and the live users it is for, not the probe
            definition = echo_tool(f"stream-{n}", rolesPermitted=["custom"])
            await world.call(ADMIN, "add-tool", {"toolDefinition": definition})
            await asyncio.sleep(1 / rate)

    task = asyncio.get_running_loop().create_task(changes())
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        await c.call_service().call_tool(probe, "probe-echo", {"text": "hi"})
        latencies.append(1000 * (time.perf_counter() - started))
        await asyncio.sleep(0.002)
    stop.set()
    await task
    latencies.sort()
    return {"call_p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 2), "calls": len(latencies)}


async def distinct_users(world: World, active: int, calls: int) -> dict[str, Any]:
    """tools/call CPU when ``active`` distinct users take turns (each shares the same tool)."""
    c = world.container
    await world.call(ADMIN, "add-tool", {"toolDefinition": echo_tool("shared-echo", rolesPermitted=["user"])})
    emails = [f"user-{i:06d}@bench.example.com" for i in range(active)]
    service = c.call_service()
    for email in emails:  # warm: every user record and toolset cached
        await service.call_tool(email, "shared-echo", {"text": "hi"})
    world.settle()
    turn = iter(range(10**9))

    async def one() -> None:
        await service.call_tool(emails[next(turn) % active], "shared-echo", {"text": "hi"})

    return {"distinct_call_cpu_ms": round(await cpu_ms(one, calls), 3)}


async def calls_at_catalogue_size(world: World, calls: int, late: int = 200) -> dict[str, Any]:
    c = world.container
    probe = f"calls_at_catalogue_size-{PROBE}"
    await world.probe("calls_at_catalogue_size")
    service = c.call_service()
    for i in range(late):  # tools added after start-up, as in production
        await world.call(ADMIN, "add-tool", {"toolDefinition": echo_tool(f"late-{i}", rolesPermitted=["user"])})
    await service.call_tool(probe, "late-0", {"text": "hi"})
    world.settle()
    samples = []
    for _ in range(3):
        samples.append(await cpu_ms(lambda: service.call_tool(probe, "late-0", {"text": "hi"}), calls))
    return {"call_cpu_ms": round(statistics.median(samples), 4), "rss_mib": round(rss_mib(), 1)}


async def tools_list(world: World, repeats: int) -> dict[str, Any]:
    """tools/list through the ASGI app for a user who lists every tool (server CPU per list)."""
    from bench.client import sse_data
    from bench.inprocess import InProcessSession, lifespan
    from dynamic_mcp.adapters.http.app import create_app

    app: Any = create_app(world.container)
    async with lifespan(app):
        key = await world.probe("tools_list")
        session = await InProcessSession(app, key).open()
        _, _, raw = await session.post({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        listed = len(sse_data(raw)["result"]["tools"])
        started = time.process_time()
        for i in range(repeats):
            await session.post({"jsonrpc": "2.0", "id": 2 + i, "method": "tools/list"})
        ms = 1000 * (time.process_time() - started) / repeats
        rss = rss_mib()
    return {"list_ms": round(ms, 2), "listed": listed, "response_kib": round(len(raw) / 1024), "rss_mib": round(rss, 1)}
