"""Server CPU per tools/call of a forwarded call (through an imported upstream tool) vs calling the upstream directly.

    .venv/bin/python bench/upstream_overhead.py [--rounds 5] [--calls 2000]

Two ``dynamic-mcp serve`` processes in memory: the *upstream* serves the bench's ``echo`` tool
(shared with a bench user); the *gateway* imports it (``import-upstream``, shared headers
carrying the upstream user's key) and shares the imported ``up_echo`` with its own bench user.
Each round drives the same load (16 sessions) first at the upstream directly, then through the
gateway. Reported per call, median round: the upstream's CPU when called directly, the upstream's
and the gateway's CPU when called through the gateway, and the gateway's CPU against a direct
call (the cost of forwarding). Results go to bench/results/upstream_overhead.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import drive_calls  # noqa: E402
from bench.procs import cpu_layout, dynamic_server  # noqa: E402
from bench.setup import USER_EMAIL, admin_session, shared_echo_user  # noqa: E402

SECRET_KEY = "bench-secret-key-for-upstream-overhead"


async def import_into(gateway: Any, upstream_url: str, upstream_key: str) -> str:
    """The gateway's admin imports the upstream's echo and shares it with a bench user; that user's key."""
    admin = await admin_session(gateway)
    try:
        body = await admin.call("add-user", {"email": USER_EMAIL, "name": "bench", "roles": ["user"]})
        key = str(body["result"]["apiKey"])
        await admin.call(
            "import-upstream",
            {
                "name": "bench-upstream",
                "url": upstream_url,
                "headers": {"Authorization": f"Bearer {upstream_key}"},
                "namePrefix": "up_",
                "toolFilter": ["echo"],
            },
        )
        await admin.call("share-tool", {"email": USER_EMAIL, "toolId": "up_echo", "accessLevel": "read"})
    finally:
        await admin.close()
    return key


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--no-pin", action="store_true")
    args = parser.parse_args()
    cpus = None if args.no_pin else cpu_layout()[0]
    upstream = dynamic_server("upstream", cpus)
    gateway = dynamic_server("gateway", cpus, {"SECRET_KEY": SECRET_KEY, "HTTP_TOOL_ALLOWED_HOSTS": "127.0.0.1"})
    rounds: dict[str, list[float]] = {"direct": [], "forwarded_upstream": [], "forwarded_gateway": []}
    try:
        upstream.start()
        gateway.start()
        upstream_key = await shared_echo_user(upstream)
        gateway_key = await import_into(gateway, f"http://127.0.0.1:{upstream.port}/mcp", upstream_key)
        for number in range(args.rounds):
            direct = await drive_calls(upstream, upstream_key, total=args.calls, concurrency=16, time_cap=60.0)
            before = upstream.cpu_seconds()
            through = await drive_calls(
                gateway, gateway_key, total=args.calls, concurrency=16, time_cap=60.0, tool="up_echo"
            )
            # drive_calls measures the gateway; the upstream's share is read around the same run
            # (its warm-up calls included, so this slightly overstates it).
            upstream_cpu = (upstream.cpu_seconds() - before) * 1000 / max(through.requests, 1)
            rounds["direct"].append(direct.cpu_ms_per_request)
            rounds["forwarded_gateway"].append(through.cpu_ms_per_request)
            rounds["forwarded_upstream"].append(upstream_cpu)
            print(
                f"round {number + 1}: direct {direct.cpu_ms_per_request:.3f} ms/call ({direct.errors} errors); "
                f"through the gateway: gateway {through.cpu_ms_per_request:.3f} + upstream {upstream_cpu:.3f} "
                f"ms/call ({through.errors} errors)",
                flush=True,
            )
    finally:
        gateway.stop()
        upstream.stop()
    median = {name: statistics.median(values) for name, values in rounds.items()}
    result = {
        "direct_upstream_ms": round(median["direct"], 3),
        "forwarded_gateway_ms": round(median["forwarded_gateway"], 3),
        "forwarded_upstream_ms": round(median["forwarded_upstream"], 3),
        "gateway_vs_direct": round(median["forwarded_gateway"] / median["direct"], 3),
        "total_vs_direct": round((median["forwarded_gateway"] + median["forwarded_upstream"]) / median["direct"], 3),
        "rounds": rounds,
        "calls_per_round": args.calls,
    }
    out = ROOT / "bench" / "results" / "upstream_overhead.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rounds"}))


if __name__ == "__main__":
    asyncio.run(main())
