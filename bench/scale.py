"""Scale runs on dynamic-mcp: tools/list over 10,000 tools, 1,000 idle sessions, and one share
pushed to 1,000 live sessions (used by bench/run.py); and, run as a script, every scale goal's
curve at three sizes with its target beside it, in both storage modes (bench/goals.py):

    .venv/bin/python bench/scale.py            # the full curve (1k, 10k, 100k): minutes
    .venv/bin/python bench/scale.py --quick    # small sizes, seconds (the CI smoke test)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.client import Listener, McpSession, sse_data
from bench.load import percentile
from bench.procs import ADMIN_EMAIL, ServerProcess
from bench.setup import add_user, admin_session, echo_tool, scale_tool

LIST_USER = "lister@bench.example.com"
FANOUT_USER = "listener@bench.example.com"
SEED_WORKERS = 4


async def create_tools_over_mcp(server: ServerProcess, count: int, time_cap: float) -> dict[str, Any]:
    """The admin creates ``count`` tools that users with role ``user`` may access, over a few
    concurrent MCP sessions (add-tool), stopping at ``time_cap`` seconds."""
    admin_sessions = [await admin_session(server) for _ in range(SEED_WORKERS)]
    budget = iter(range(count))
    deadline = time.perf_counter() + time_cap
    created = 0

    async def worker(admin: McpSession) -> None:
        nonlocal created
        for i in budget:
            if time.perf_counter() > deadline:
                return
            await admin.call("add-tool", {"toolDefinition": scale_tool(i)})
            created += 1

    started = time.perf_counter()
    try:
        await asyncio.gather(*(worker(a) for a in admin_sessions))
    finally:
        await asyncio.gather(*(a.close() for a in admin_sessions))
    seconds = time.perf_counter() - started
    return {"tools_created": created, "seconds": round(seconds, 2), "tools_per_second": round(created / seconds, 1)}


async def seed_tools_in_database(uri: str, db_name: str, count: int) -> dict[str, Any]:
    """Mongo mode: write ``count`` tools through the application's own Mongo tool repository
    (in this process, before the server starts), much faster than one add-tool call each."""
    from dynamic_mcp.application.definitions import tool_from_definition
    from dynamic_mcp.config import Settings
    from dynamic_mcp.container import build_container, close_storage, prepare_storage

    settings = Settings(mongodb_uri=uri, mongodb_db=db_name, admin_email=ADMIN_EMAIL)
    container = build_container(settings)
    await prepare_storage(container)
    store = container.tool_store()
    validator = container.validator()
    started = time.perf_counter()
    try:
        tools = [tool_from_definition(scale_tool(i), ADMIN_EMAIL, validator) for i in range(count)]
        for first in range(0, count, 100):
            await asyncio.gather(*(store.upsert(t) for t in tools[first : first + 100]))
    finally:
        await close_storage(container)
    seconds = time.perf_counter() - started
    return {"tools_created": count, "seconds": round(seconds, 2), "tools_per_second": round(count / seconds, 1)}


async def time_tools_list(
    server: ServerProcess, api_key: str | None, repeats: int, expect_at_least: int
) -> dict[str, Any]:
    """Sequential tools/list calls on one session: the first (cold) one apart, then median/p99
    of the rest, time to the last byte of the response (parsing it is the client's business)."""
    session = await McpSession(server.host, server.port, api_key).open()
    try:
        started = time.perf_counter()
        body = await session.rpc_raw("tools/list", {})
        cold_ms = 1000 * (time.perf_counter() - started)
        listed = len(sse_data(body)["result"]["tools"])
        if listed < expect_at_least:
            raise AssertionError(f"tools/list returned {listed} tools, expected at least {expect_at_least}")
        latencies = []
        cpu_before = server.cpu_seconds()
        for _ in range(repeats):
            started = time.perf_counter()
            await session.rpc_raw("tools/list", {})
            latencies.append(1000 * (time.perf_counter() - started))
        cpu = server.cpu_seconds() - cpu_before
    finally:
        await session.close()
    return {
        "tools_listed": listed,
        "response_bytes": len(body),
        "cold_ms": round(cold_ms, 2),
        "repeats": repeats,
        "median_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "server_cpu_ms_per_list": round(1000 * cpu / repeats, 2),
    }


class Crowd:
    """``count`` sessions of one user: first idle, then each also listening on its GET stream."""

    BATCH = 50  # connects in batches: a burst of 1,000 overflows the listen backlog

    def __init__(self, server: ServerProcess, api_key: str | None, count: int) -> None:
        self.server = server
        self.api_key = api_key
        self.count = count
        self.sessions: list[McpSession] = []
        self.listeners: list[Listener] = []
        self.received = 0
        self._notified: set[Listener] = set()
        self.last_at = 0.0
        self.everyone = asyncio.Event()
        self.figures: dict[str, Any] = {"sessions": count}

    def _on_change(self, listener: Listener) -> None:
        if listener in self._notified:  # count sessions reached, not notifications
            return
        self._notified.add(listener)
        self.received += 1
        self.last_at = time.perf_counter()
        if self.received >= self.count:
            self.everyone.set()

    async def gather(self) -> dict[str, Any]:
        """Open everything, reading the server's RSS before, with idle sessions, and listening."""
        mib = 2**20
        before = self.server.rss_bytes()
        started = time.perf_counter()
        for first in range(0, self.count, self.BATCH):
            batch = [McpSession(self.server.host, self.server.port, self.api_key) for _ in range(self.BATCH)]
            batch = batch[: self.count - first]
            await asyncio.gather(*(s.open() for s in batch))
            self.sessions += batch
        self.figures["open_seconds"] = round(time.perf_counter() - started, 2)
        await asyncio.sleep(0.5)
        idle = self.server.rss_bytes()
        for first in range(0, self.count, self.BATCH):
            listeners = [Listener(s) for s in self.sessions[first : first + self.BATCH]]
            await asyncio.gather(*(lis.open(self._on_change) for lis in listeners))
            self.listeners += listeners
        await asyncio.sleep(0.5)
        listening = self.server.rss_bytes()
        self.figures.update(
            rss_before_mib=round(before / mib, 1),
            rss_idle_mib=round(idle / mib, 1),
            rss_listening_mib=round(listening / mib, 1),
            kib_per_idle_session=round((idle - before) / 1024 / self.count, 1),
            kib_per_listening_session=round((listening - before) / 1024 / self.count, 1),
        )
        return self.figures

    async def close(self) -> None:
        await asyncio.gather(*(lis.close() for lis in self.listeners))
        await asyncio.gather(*(s.close() for s in self.sessions))


async def idle_sessions(server: ServerProcess, api_key: str | None, count: int) -> dict[str, Any]:
    crowd = Crowd(server, api_key, count)
    try:
        return await crowd.gather()
    finally:
        await crowd.close()


async def sessions_and_fanout(server: ServerProcess, count: int, time_cap: float) -> dict[str, Any]:
    """RSS with ``count`` sessions of one user (idle, then listening), then the time from one
    share-tool call for that user to the last list_changed received by those sessions."""
    admin = await admin_session(server)
    key = await add_user(admin, FANOUT_USER)
    await admin.call("add-tool", {"toolDefinition": echo_tool("fanout")})
    crowd = Crowd(server, key, count)
    try:
        figures = await crowd.gather()
        cpu_before = server.cpu_seconds()
        sent_at = time.perf_counter()
        reply = await admin.call("share-tool", {"email": FANOUT_USER, "toolId": "fanout", "accessLevel": "read"})
        replied_at = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(crowd.everyone.wait(), time_cap)
        cpu = server.cpu_seconds() - cpu_before
        if "result" not in reply:
            raise AssertionError(f"share-tool answered {json.dumps(reply)[:200]}")
    finally:
        await crowd.close()
        await admin.close()
    return {
        **figures,
        "notified": crowd.received,
        "share_reply_ms": round(1000 * (replied_at - sent_at), 1),
        "last_notification_ms": round(1000 * (crowd.last_at - sent_at), 1) if crowd.received else None,
        "server_cpu_ms": round(1000 * cpu, 1),
    }


# -- python bench/scale.py [--quick] [--modes memory,mongo] --------------------------------------
FULL_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (50, 200, 500)


def fresh_rss(mode: str, uri: str | None, tools: int) -> float:
    """RSS of a new process holding ``tools`` tools after one full tools/list: measured in this
    process, the figure would include whatever earlier worlds left to the allocator."""
    import subprocess

    command = [sys.executable, str(Path(__file__).resolve()), "--rss-of", str(tools), "--modes", mode]
    done = subprocess.run([*command, *(["--uri", uri] if uri else [])], capture_output=True, text=True, check=True)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["rss_mib"])


def _flat(values: list[float], ratio: float) -> bool:
    return max(values) <= ratio * max(min(values), 1e-9)


async def curves(
    mode: str, uri: str | None, sizes: tuple[int, ...], quick: bool, stream_seconds: float | None = None
) -> list[dict[str, Any]]:
    """Every goal at each size N (U = N users, T = N tools), in one storage mode."""
    from bench import goals

    repeats = 5 if quick else 20
    live = 100 if quick else goals.LIVE_USERS
    calls = 100 if quick else 2000
    per_size: dict[int, dict[str, Any]] = {}
    baselines: dict[int, float] = {}
    # A small world first, its figures dropped: the first world of a process pays for lazy imports
    # and cold caches, which would show up as a cost of the smallest size.
    await goals.with_world(mode, uri, 20, 20, lambda w: goals.distinct_users(w, 20, calls))
    for n in sizes:
        # T = 0 measured next to each size: in one process the baseline drifts with what ran before
        baseline = await goals.with_world(
            mode, uri, 0, 0, lambda w: goals.calls_at_catalogue_size(w, calls, 20 if quick else 200)
        )
        baselines[n] = float(baseline["call_cpu_ms"])

        async def body(world: Any, n: int = n) -> dict[str, Any]:
            figures: dict[str, Any] = {"rss_after_start_mib": round(goals.rss_mib(), 1)}
            figures.update(await goals.change_costs(world, repeats, live))
            figures.update(
                await goals.calls_during_changes(world, stream_seconds or (1.0 if quick else 5.0), live_users=live)
            )
            figures.update(await goals.distinct_users(world, n, calls))
            figures.update(await goals.calls_at_catalogue_size(world, calls, 20 if quick else 200))
            return figures

        per_size[n] = await goals.with_world(mode, uri, n, n, body)
        per_size[n].update(
            await goals.with_world(mode, uri, 0, n, lambda w: goals.tools_list(w, 3 if quick else 10), start=False)
        )
        per_size[n]["rss_mib"] = fresh_rss(mode, uri, n)
        print(f"  [{mode}] N={n:,}: {per_size[n]}", flush=True)

    def row(goal: str, key: str, target: str, met: Callable[[list[float]], bool]) -> dict[str, Any]:
        values = [float(per_size[n][key]) for n in sizes]
        return {"mode": mode, "goal": goal, "values": values, "target": target, "met": met(values)}

    call_ratio = [float(per_size[n]["call_cpu_ms"]) / max(baselines[n], 1e-9) for n in sizes]
    rows = [
        row("add-tool server CPU, ms (U = T = N)", "add_tool_ms", "< 10", lambda v: v[-1] < 10),
        row("toolsets rebuilt for unaffected users", "unaffected_rebuilds", "0", lambda v: max(v) == 0),
        row("toolset build for a 10-tool user, ms", "toolset_build_ms", "flat (<= 2x)", lambda v: _flat(v, 2.0)),
        row("tools/call p99 during 10 changes/s, ms", "call_p99_ms", "< 5", lambda v: v[-1] < 5),
        row("start-up with T stored tools, s", "startup_s", "< 5", lambda v: v[-1] < 5),
        row("tools/list of N tools, server CPU ms", "list_ms", "< 10 at 10k", lambda v: _at(sizes, v, 10_000) < 10),
        row("RSS with N tools listed (fresh process), MiB", "rss_mib", "< 200 at 100k", lambda v: v[-1] < 200),
    ]
    distinct = [float(per_size[n]["distinct_call_cpu_ms"]) for n in sizes]
    rows.insert(
        4,
        {
            "mode": mode,
            "goal": "tools/call CPU over N distinct users, ms",
            "values": distinct,
            "target": "flat (<= 1.5x)",
            "met": _flat(distinct, 1.5),
        },
    )
    rows.append(
        {
            "mode": mode,
            "goal": f"tools/call CPU at T = N vs T = 0 ({min(baselines.values()):g}-{max(baselines.values()):g} ms)",
            "values": [round(r, 3) for r in call_ratio],
            "target": "<= 1.05",
            "met": call_ratio[-1] <= 1.05,
        }
    )
    return rows


def _at(sizes: tuple[int, ...], values: list[float], size: int) -> float:
    """The value at ``size``, or at the nearest size measured (a quick run has no 10k)."""
    nearest = min(range(len(sizes)), key=lambda i: abs(sizes[i] - size))
    return values[nearest]


def table(rows: list[dict[str, Any]], sizes: tuple[int, ...]) -> str:
    head = "| mode | goal | " + " | ".join(f"N = {n:,}" for n in sizes) + " | target | met |"
    lines = [head, "|" + "---|" * (len(sizes) + 4)]
    for r in rows:
        values = " | ".join(f"{v:g}" for v in r["values"])
        lines.append(f"| {r['mode']} | {r['goal']} | {values} | {r['target']} | {'yes' if r['met'] else 'no'} |")
    return "\n".join(lines)


async def run(
    quick: bool, modes: list[str], sizes: tuple[int, ...] | None = None, stream_seconds: float | None = None
) -> str:
    sizes = sizes or (QUICK_SIZES if quick else FULL_SIZES)
    rows: list[dict[str, Any]] = []
    for mode in modes:
        if mode == "mongo":
            from tests.support.mongod import MongodProcess

            mongod = MongodProcess().start()
            try:
                rows += await curves(mode, mongod.uri, sizes, quick, stream_seconds)
            finally:
                mongod.stop()
        else:
            rows += await curves(mode, None, sizes, quick, stream_seconds)
    return table(rows, sizes)


def main() -> None:
    import argparse
    import logging

    parser = argparse.ArgumentParser(description="Scale goals: each goal's curve at three sizes, with its target.")
    parser.add_argument("--quick", action="store_true", help="small sizes, seconds: the CI smoke run")
    parser.add_argument("--modes", default="memory,mongo")
    parser.add_argument("--sizes", default=None, help="three sizes N, e.g. 1000,10000,100000")
    parser.add_argument("--rss-of", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--uri", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_of is not None:  # one fresh_rss measurement, in its own process
        from bench import goals

        logging.disable(logging.CRITICAL)
        listing = goals.with_world(args.modes, args.uri, 0, args.rss_of, lambda w: goals.tools_list(w, 1), start=False)
        print(json.dumps(asyncio.run(listing)))
        return
    sizes = tuple(int(n) for n in args.sizes.split(",")) if args.sizes else None
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("dynamic_mcp").setLevel(logging.ERROR)
    print(asyncio.run(run(args.quick, args.modes.split(","), sizes)))


if __name__ == "__main__":
    main()
