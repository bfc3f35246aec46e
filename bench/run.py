"""Benchmark dynamic-mcp against the bare MCP SDK (the floor) and FastMCP, plus scale runs.

    .venv/bin/python bench/run.py [--quick] [--out bench/results]

Every server runs as its own process on a free loopback port and gets the same client load:
``--concurrency`` MCP sessions (initialize + notifications/initialized), then a shared, bounded
budget of ``tools/call echo`` POSTs, answered as SSE. Reported per server: requests per second,
p50/p99 latency and the server's own CPU time per call (utime+stime of its process, from
/proc/<pid>/stat, read before and after). The servers take turns for ``--rounds`` rounds and
the median round is reported, with ratios to the floor measured in the same run. The 2026-era
rows send the same calls to the same processes as 2026-07-28 requests (no session: every POST
carries the protocol version, the client's capabilities and the key).

Scale runs (dynamic-mcp): tools/list for a user with 10,000 accessible tools (memory mode,
created by the admin over MCP; MongoDB mode, written through the Mongo repository before the
server starts), RSS with 1,000 idle sessions, and the time from one share-tool call to the last
notifications/tools/list_changed at 1,000 live sessions of the user it affects.

Everything is bounded by counts and time caps; the full run takes about 3-4 minutes on two
cores, ``--quick`` well under one. Results: <out>/latest.json and <out>/latest.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.client import HANDSHAKE, MODERN  # noqa: E402
from bench.load import CallStats, drive_calls  # noqa: E402
from bench.procs import ServerProcess, cpu_layout, dynamic_server, python_server  # noqa: E402
from bench.scale import (  # noqa: E402
    LIST_USER,
    create_tools_over_mcp,
    idle_sessions,
    seed_tools_in_database,
    sessions_and_fanout,
    time_tools_list,
)
from bench.setup import add_user, admin_session, shared_echo_user  # noqa: E402

FULL = {
    "rounds": 5,
    "calls": 3000,
    "call_time_cap": 20.0,
    "tools": 10_000,
    "tool_seed_time_cap": 120.0,
    "list_repeats": 50,
    "floor_list_repeats": 10,
    "sessions": 1000,
}
QUICK = {
    "rounds": 1,
    "calls": 1000,
    "call_time_cap": 10.0,
    "tools": 1000,
    "tool_seed_time_cap": 30.0,
    "list_repeats": 20,
    "floor_list_repeats": 5,
    "sessions": 200,
}
# (row, server, era): a 2026-era row runs against the same process as its handshake-era row.
THROUGHPUT_ROWS = (
    ("floor", "floor", HANDSHAKE),
    ("floor-2026", "floor", MODERN),
    ("fastmcp", "fastmcp", HANDSHAKE),
    ("dynamic-memory", "dynamic-memory", HANDSHAKE),
    ("dynamic-memory-2026", "dynamic-memory", MODERN),
    ("dynamic-mongo", "dynamic-mongo", HANDSHAKE),
    ("dynamic-mongo-2026", "dynamic-mongo", MODERN),
)


def raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))  # children (the servers) inherit it


class Mongo:
    """A throwaway mongod from tests/support/mongod.py, or nothing when no binary is installed."""

    def __init__(self) -> None:
        self.process: Any = None
        self.skipped = ""

    def start(self) -> Mongo:
        try:
            from tests.support.mongod import MongodProcess, MongodUnavailable
        except ImportError as exc:
            self.skipped = f"tests/support/mongod.py not importable: {exc}"
            return self
        try:
            self.process = MongodProcess().start()
        except MongodUnavailable as exc:
            self.skipped = str(exc)
        return self

    @property
    def uri(self) -> str | None:
        return self.process.uri if self.process is not None else None

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


def make_server(name: str, cpus: set[int] | None, mongo: Mongo, db: str = "bench") -> ServerProcess | None:
    if name == "floor":
        return python_server(name, "floor.py", cpus)
    if name == "fastmcp":
        return python_server(name, "fastmcp_server.py", cpus)
    if name == "dynamic-memory":
        return dynamic_server(name, cpus)
    if mongo.uri is None:
        return None
    return dynamic_server(name, cpus, {"MONGODB_URI": mongo.uri, "MONGODB_DB": db})


async def throughput(config: dict[str, Any], cpus: set[int] | None, mongo: Mongo, concurrency: int) -> dict[str, Any]:
    names = dict.fromkeys(server for _, server, _ in THROUGHPUT_ROWS)
    servers = {n: s for n in names if (s := make_server(n, cpus, mongo)) is not None}
    rows = [row for row in THROUGHPUT_ROWS if row[1] in servers]
    keys: dict[str, str | None] = {}
    rounds: dict[str, list[CallStats]] = {row: [] for row, _, _ in rows}
    try:
        for name, server in servers.items():
            server.start()
            keys[name] = await shared_echo_user(server) if name.startswith("dynamic") else None
        for number in range(config["rounds"]):
            for row, name, era in rows:
                stats = await drive_calls(
                    servers[name],
                    keys[name],
                    total=config["calls"],
                    concurrency=concurrency,
                    time_cap=config["call_time_cap"],
                    era=era,
                )
                rounds[row].append(stats)
                print(f"  round {number + 1} {row:20s} {report.one_line(stats)}", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    return {name: median_round(stats) for name, stats in rounds.items()}


def median_round(rounds: list[CallStats]) -> dict[str, Any]:
    per_round = [r.as_dict() for r in rounds]
    summary = {
        key: round(statistics.median(r[key] for r in per_round), 4)
        for key in ("throughput_rps", "p50_ms", "p99_ms", "server_cpu_ms_per_request")
    }
    summary["requests"] = sum(r["requests"] for r in per_round)
    summary["errors"] = sum(r["errors"] for r in per_round)
    summary["rounds"] = per_round
    return summary


async def tools_list_memory(config: dict[str, Any], cpus: set[int] | None) -> dict[str, Any]:
    server = dynamic_server("dynamic-memory-tools", cpus)
    with server:
        admin = await admin_session(server)
        key = await add_user(admin, LIST_USER)
        await admin.close()
        seeded = await create_tools_over_mcp(server, config["tools"], config["tool_seed_time_cap"])
        timing = await time_tools_list(server, key, config["list_repeats"], seeded["tools_created"])
        timing["rss_mib"] = round(server.rss_bytes() / 2**20, 1)
    return {"seed": seeded, **timing}


async def tools_list_floor(config: dict[str, Any], cpus: set[int] | None) -> dict[str, Any]:
    """The same list on the floor: the SDK's own cost of listing that many tools."""
    count = config["tools"]
    with python_server("floor-tools", "floor.py", cpus, "--tools", str(count - 1)) as server:
        timing = await time_tools_list(server, None, config["floor_list_repeats"], count)
        timing["rss_mib"] = round(server.rss_bytes() / 2**20, 1)
    return timing


async def tools_list_mongo(config: dict[str, Any], cpus: set[int] | None, mongo: Mongo) -> dict[str, Any] | None:
    if mongo.uri is None:
        return None
    db = f"bench-tools-{os.getpid()}"
    seeded = await seed_tools_in_database(mongo.uri, db, config["tools"])
    server = dynamic_server("dynamic-mongo-tools", cpus, {"MONGODB_URI": mongo.uri, "MONGODB_DB": db})
    with server:
        admin = await admin_session(server)
        key = await add_user(admin, LIST_USER)
        await admin.close()
        timing = await time_tools_list(server, key, config["list_repeats"], config["tools"])
        timing["rss_mib"] = round(server.rss_bytes() / 2**20, 1)
    return {"seed": seeded, **timing}


async def sessions(config: dict[str, Any], cpus: set[int] | None) -> dict[str, Any]:
    with python_server("floor-sessions", "floor.py", cpus) as floor:
        floor_idle = await idle_sessions(floor, None, config["sessions"])
    with dynamic_server("dynamic-memory-sessions", cpus) as server:
        ours = await sessions_and_fanout(server, config["sessions"], time_cap=30.0)
    return {"floor": floor_idle, "dynamic": ours}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    config = dict(QUICK if args.quick else FULL)
    if args.rounds:
        config["rounds"] = args.rounds
    server_cpus, client_cpus = cpu_layout() if args.pin else (None, None)
    if client_cpus:
        os.sched_setaffinity(0, client_cpus)
    raise_file_limit(4 * config["sessions"] + 1024)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "mode": "quick" if args.quick else "full",
        "config": {**config, "concurrency": args.concurrency, "pinned": bool(server_cpus)},
        "environment": environment(server_cpus, client_cpus),
    }
    mongo = Mongo().start() if not args.no_mongo else Mongo()
    if args.no_mongo:
        mongo.skipped = "--no-mongo"
    try:
        print("== tools/call throughput", flush=True)
        results["throughput"] = await throughput(config, server_cpus, mongo, args.concurrency)
        print("== tools/list with many tools (memory)", flush=True)
        results["tools_list_memory"] = await tools_list_memory(config, server_cpus)
        print("== tools/list with many tools (floor)", flush=True)
        results["tools_list_floor"] = await tools_list_floor(config, server_cpus)
        print("== tools/list with many tools (MongoDB)", flush=True)
        results["tools_list_mongo"] = await tools_list_mongo(config, server_cpus, mongo)
        print("== idle sessions and list_changed fan-out", flush=True)
        results["sessions"] = await sessions(config, server_cpus)
    finally:
        mongo.stop()
    results["mongo_skipped"] = mongo.skipped or None
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def environment(server_cpus: set[int] | None, client_cpus: set[int] | None) -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "server_cpus": sorted(server_cpus) if server_cpus else None,
        "client_cpus": sorted(client_cpus) if client_cpus else None,
        "mcp": version("mcp"),
        "uvicorn": version("uvicorn"),
        "litestar": version("litestar"),
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller counts, one round (a smoke run)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="where latest.{json,md} go")
    parser.add_argument("--rounds", type=int, default=0, help="throughput rounds (default 5, quick 1)")
    parser.add_argument("--concurrency", type=int, default=16, help="client sessions in the throughput runs")
    parser.add_argument("--no-mongo", action="store_true", help="skip the MongoDB rows")
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=True, help="pin server/client CPUs")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    table = report.markdown(results)
    (args.out / "latest.md").write_text(table)
    print()
    print(table)


if __name__ == "__main__":
    main()
