"""Server CPU per tools/call with metrics, audit and rate limits on (the defaults) vs all off.

    .venv/bin/python bench/ops_overhead.py [--rounds 5] [--calls 3000] [--only memory|mongo] [--no-mongo]

Two ``dynamic-mcp serve`` processes per storage mode take turns under the same load as
bench/run.py (16 sessions, a shared budget of tools/call echo POSTs). "on" runs with the
defaults (metrics, audit, limits; the limits set high enough that they never refuse, so their
cost is measured, not their refusals); "off" sets METRICS_ENABLED=false, AUDIT_ENABLED=false and
every RATE_LIMIT_* to 0. Reported: the median round's server CPU ms per call and the ratio; in
MongoDB mode also the limiter's round trips during the "on" rounds (mongod's findAndModify count,
which nothing else on the tools/call path issues), per second and per call, and the same count
for one key driven past a realistic limit.
Results go to bench/results/ops_overhead.json (a run of one mode keeps the other mode's row).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import drive_calls  # noqa: E402
from bench.procs import cpu_layout, dynamic_server  # noqa: E402
from bench.run import Mongo  # noqa: E402
from bench.setup import shared_echo_user  # noqa: E402

OFF = {
    "METRICS_ENABLED": "false",
    "AUDIT_ENABLED": "false",
    "RATE_LIMIT_TOOL_CALLS": "0",
    "RATE_LIMIT_API": "0",
    "RATE_LIMIT_SESSIONS": "0",
}


async def compare(
    mode: str, storage: dict[str, str], args: argparse.Namespace, cpus: set[int] | None
) -> dict[str, Any]:
    servers = {
        "on": dynamic_server(f"{mode}-on", cpus, {**storage, "MONGODB_DB": f"ops-on-{mode}"} if storage else None),
        "off": dynamic_server(
            f"{mode}-off", cpus, {**storage, **OFF, "MONGODB_DB": f"ops-off-{mode}"} if storage else OFF
        ),
    }
    keys: dict[str, str] = {}
    cpu: dict[str, list[float]] = {"on": [], "off": []}
    limiter = {"updates": 0, "seconds": 0.0, "calls": 0}
    try:
        for name, server in servers.items():
            server.start()
            keys[name] = await shared_echo_user(server)
        for number in range(args.rounds):
            for name, server in servers.items():
                updates, started = find_and_modify_count(storage), time.perf_counter()
                stats = await drive_calls(server, keys[name], total=args.calls, concurrency=16, time_cap=30.0)
                if name == "on" and storage:
                    limiter["updates"] += find_and_modify_count(storage) - updates
                    limiter["seconds"] += time.perf_counter() - started
                    limiter["calls"] += stats.requests + 201  # and the first call and the warm-up
                per_call = stats.as_dict()["server_cpu_ms_per_request"]
                cpu[name].append(per_call)
                print(
                    f"  {mode} round {number + 1} {name:3s} {per_call:.3f} ms/call, {stats.errors} errors", flush=True
                )
    finally:
        for server in servers.values():
            server.stop()
    on, off = statistics.median(cpu["on"]), statistics.median(cpu["off"])
    result: dict[str, Any] = {"on_ms": round(on, 3), "off_ms": round(off, 3), "ratio": round(on / off, 3)}
    result["round_ratios"] = [round(a / b, 3) for a, b in zip(cpu["on"], cpu["off"], strict=True)]
    result["rounds"] = cpu
    if storage:
        # Every round opens 16 sessions (the sessions bucket) and warms up before it counts.
        result["limiter_round_trips"] = {
            **limiter,
            "per_second": round(limiter["updates"] / limiter["seconds"], 2),
            "per_1000_calls": round(1000 * limiter["updates"] / max(1, limiter["calls"]), 2),
        }
    return result


def find_and_modify_count(storage: dict[str, str]) -> int:
    """mongod's findAndModify total: the limiter's only command on the tools/call path."""
    if not storage:
        return 0
    from pymongo import MongoClient

    with MongoClient(storage["MONGODB_URI"]) as client:
        status = client.admin.command("serverStatus")
    return int(status["metrics"]["commands"]["findAndModify"]["total"])


async def limiter_at_the_limit(storage: dict[str, str], cpus: set[int] | None) -> dict[str, Any]:
    """One key driven past a realistic limit (1,200 calls per minute): the shared bucket's round
    trips per second while it grants and while it refuses."""
    per_minute = 1200
    env = {**storage, "MONGODB_DB": "ops-limited", "RATE_LIMIT_TOOL_CALLS": str(per_minute)}
    server = dynamic_server("mongo-limited", cpus, env)
    try:
        server.start()
        key = await shared_echo_user(server)
        updates, started = find_and_modify_count(storage), time.perf_counter()
        stats = await drive_calls(server, key, total=3000, concurrency=16, time_cap=30.0)
        seconds = time.perf_counter() - started
        updates = find_and_modify_count(storage) - updates
    finally:
        server.stop()
    calls = stats.requests + 201
    result = {
        "per_minute": per_minute,
        "calls": calls,
        "refused": stats.errors,
        "seconds": round(seconds, 2),
        "round_trips": updates,
        "round_trips_per_second": round(updates / seconds, 2),
    }
    print(f"  mongo at the limit: {result}", flush=True)
    return result


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--no-mongo", action="store_true")
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--only", choices=["memory", "mongo"], default=None, help="Run one storage mode only.")
    args = parser.parse_args()
    server_cpus = None if args.no_pin else cpu_layout()[0]
    out = ROOT / "bench" / "results" / "ops_overhead.json"
    results: dict[str, Any] = json.loads(out.read_text()) if args.only and out.exists() else {}
    if args.only != "mongo":
        results["memory"] = await compare("memory", {}, args, server_cpus)
    mongo = Mongo().start() if not args.no_mongo and args.only != "memory" else Mongo()
    try:
        if mongo.uri is not None:
            results["mongo"] = await compare("mongo", {"MONGODB_URI": mongo.uri}, args, server_cpus)
            results["mongo"]["at_the_limit"] = await limiter_at_the_limit({"MONGODB_URI": mongo.uri}, server_cpus)
        elif args.only == "mongo":
            print(f"mongo: not measured ({mongo.skipped or 'no mongod'})")
    finally:
        mongo.stop()
    out.write_text(json.dumps(results, indent=2) + "\n")
    for mode, r in results.items():
        print(f"{mode}: on {r['on_ms']} ms/call, off {r['off_ms']} ms/call, {r['ratio']}x")


if __name__ == "__main__":
    asyncio.run(main())
