"""Cross-instance notification latency: three instances on one replica set, 1,000 listeners.

The listeners are sessions of one user, spread evenly over three ``dynamic-mcp serve`` processes
(each session and its GET stream on one instance). Each round the admin shares (then unshares)
a tool with that user on one instance, in turn; the figure is the time from sending the call
(the write happens inside it; the reply comes only after the writing instance has notified its
own listeners, so it is no reference point) to each listener's
``notifications/tools/list_changed``: median and p99 over every listener and round, and the last
arrival per instance (the instance that made the change, and the others, which learn it through
the MongoDB change stream).

    .venv/bin/python bench/crossinstance.py                 # 1,000 listeners, 10 rounds, ~1 min
    .venv/bin/python bench/crossinstance.py --listeners 90 --rounds 3    # a quick run

Bounded: a cap per round and on the whole run; every process it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.client import Listener, McpSession  # noqa: E402
from bench.procs import ServerProcess, dynamic_server  # noqa: E402
from bench.setup import add_user, admin_session, echo_tool  # noqa: E402

USER = "listener@bench.example.com"
INSTANCES = 3
BATCH = 50
RESULTS = ROOT / "bench" / "results" / "crossinstance.json"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Crowd:
    """Listening sessions spread round robin over the instances; arrival times per round."""

    def __init__(self, servers: list[ServerProcess], key: str, count: int) -> None:
        self.servers = servers
        self.key = key
        self.count = count
        self.listeners: list[tuple[int, Listener]] = []
        self.arrived: dict[Listener, float] = {}
        self.everyone = asyncio.Event()

    def _on_change(self, listener: Listener) -> None:
        if listener not in self.arrived:
            self.arrived[listener] = time.perf_counter()
            if len(self.arrived) >= self.count:
                self.everyone.set()

    async def gather(self) -> None:
        for first in range(0, self.count, BATCH):
            placed = [(i % INSTANCES, i) for i in range(first, min(first + BATCH, self.count))]
            sessions = [McpSession(self.servers[where].host, self.servers[where].port, self.key) for where, _ in placed]
            await asyncio.gather(*(s.open() for s in sessions))
            listeners = [Listener(s) for s in sessions]
            await asyncio.gather(*(lis.open(self._on_change) for lis in listeners))
            self.listeners += [(where, lis) for (where, _), lis in zip(placed, listeners, strict=True)]

    def start_round(self) -> None:
        self.arrived = {}
        self.everyone = asyncio.Event()

    async def close(self) -> None:
        await asyncio.gather(*(lis.close() for _, lis in self.listeners), return_exceptions=True)
        await asyncio.gather(*(lis.session.close() for _, lis in self.listeners), return_exceptions=True)


async def measure(servers: list[ServerProcess], listeners: int, rounds: int, round_cap: float) -> dict[str, Any]:
    admins = [await admin_session(s) for s in servers]
    key = await add_user(admins[0], USER)
    await admins[0].call("add-tool", {"toolDefinition": echo_tool("fanout")})
    crowd = Crowd(servers, key, listeners)
    latencies: list[float] = []
    rows: list[dict[str, Any]] = []
    try:
        await crowd.gather()
        await asyncio.sleep(1.0)
        for number in range(rounds):
            writer = number % INSTANCES
            verb = "share-tool" if number % 2 == 0 else "unshare-tool"
            args: dict[str, Any] = {"email": USER, "toolId": "fanout"}
            if verb == "share-tool":
                args["accessLevel"] = "read"
            crowd.start_round()
            sent = time.perf_counter()
            await admins[writer].call(verb, args)
            reply_ms = round(1000 * (time.perf_counter() - sent), 1)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(crowd.everyone.wait(), round_cap)
            last_per_instance: dict[int, float | None] = {}
            for where in range(INSTANCES):
                here = [lis for w, lis in crowd.listeners if w == where and lis in crowd.arrived]
                times = [crowd.arrived[lis] - sent for lis in here]
                last_per_instance[where] = round(1000 * max(times), 1) if times else None
            round_latencies = [t - sent for t in crowd.arrived.values()]
            latencies += round_latencies
            rows.append(
                {
                    "written_on": writer,
                    "change": verb,
                    "reached": len(crowd.arrived),
                    "reply_ms": reply_ms,
                    "last_ms_per_instance": last_per_instance,
                }
            )
            print(json.dumps(rows[-1]), flush=True)
            await asyncio.sleep(0.3)
    finally:
        await crowd.close()
        for admin in admins:
            await admin.close()
    local = [r["last_ms_per_instance"][r["written_on"]] for r in rows]
    remote = [v for r in rows for w, v in r["last_ms_per_instance"].items() if w != r["written_on"] and v is not None]
    return {
        "listeners": listeners,
        "instances": INSTANCES,
        "rounds": rounds,
        "reached_every_listener_every_round": all(r["reached"] == listeners for r in rows),
        "median_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * percentile(latencies, 0.99), 1) if latencies else None,
        "max_ms": round(1000 * max(latencies), 1) if latencies else None,
        "last_on_writing_instance_median_ms": statistics.median([v for v in local if v is not None]) if local else None,
        "last_on_other_instances_median_ms": statistics.median(remote) if remote else None,
        "last_on_other_instances_max_ms": max(remote) if remote else None,
        "rounds_detail": rows,
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from tests.support.mongod import MongodProcess

    mongod = MongodProcess().start()
    servers: list[ServerProcess] = []
    try:
        env = {"MONGODB_URI": mongod.uri, "MONGODB_DB": "bench-crossinstance"}
        for number in range(INSTANCES):
            servers.append(dynamic_server(f"instance-{number}", None, env).start())
        return await asyncio.wait_for(measure(servers, args.listeners, args.rounds, args.round_cap), args.time_cap)
    finally:
        for server in servers:
            server.stop()
        mongod.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listeners", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--round-cap", type=float, default=10.0, help="seconds to wait for every listener")
    parser.add_argument("--time-cap", type=float, default=300.0, help="seconds for the whole run")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON figures go")
    args = parser.parse_args()
    started = time.perf_counter()
    figures = asyncio.run(main_async(args))
    figures["seconds"] = round(time.perf_counter() - started, 1)
    summary = {k: v for k, v in figures.items() if k != "rounds_detail"}
    print(json.dumps(summary, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
