"""What stored handshake-era sessions cost: the MongoDB session store's lookup and last-use write,
and a ``tools/list`` on the instance holding the session, on another instance for the first time
(store lookup and rebuild), and there afterwards. Two ``dynamic-mcp serve`` processes on one
throwaway replica set (tests/support/mongod.py).

    .venv/bin/python bench/stored_sessions.py               # 200 sessions, ~30 s

Every process it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from dynamic_mcp.adapters.mongo.client import connect_and_prepare  # noqa: E402
from dynamic_mcp.adapters.mongo.mcp_sessions import MongoSessionRepository  # noqa: E402
from dynamic_mcp.domain.mcp_sessions import StoredSession, expiry, session_key  # noqa: E402

ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
PARAMS = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": PARAMS}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p90 {ordered[int(len(ordered) * 0.9)] * 1000:.2f} ms"


async def store_costs(uri: str, count: int) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        repo = MongoSessionRepository(await connect_and_prepare(client, f"bench-sessions-{uuid.uuid4().hex[:8]}"))
        now = datetime.now(UTC)
        keys = [session_key(uuid.uuid4().hex) for _ in range(count)]
        for key in keys:
            await repo.add(StoredSession(key, "a@x.io", "2025-06-18", PARAMS, now, now, expiry(now, 3600)))
        gets, touches = [], []
        for key in keys:
            started = time.perf_counter()
            await repo.get(key, now)
            gets.append(time.perf_counter() - started)
            started = time.perf_counter()
            await repo.touch(key, now, expiry(now, 3600))
            touches.append(time.perf_counter() - started)
        print(f"store lookup: {figures(gets)}; last-use write: {figures(touches)}")
    finally:
        await client.close()


def request_costs(uri: str, count: int) -> None:
    from tests.integration.harness import ADMIN_KEY, ServerProcess

    env = {"MONGODB_URI": uri, "MONGODB_DB": f"bench-hops-{uuid.uuid4().hex[:8]}", "LOG_LEVEL": "warn",
           "MAX_SESSIONS_PER_USER": str(count + 10)}  # fmt: skip
    first, second = ServerProcess(env), ServerProcess(env)
    try:
        first.start(timeout=120)
        second.start(timeout=120)
        headers = {**ACCEPT, "x-apikey": ADMIN_KEY}
        held, hop, after = [], [], []
        with httpx.Client(timeout=30) as http:
            ids = [http.post(f"{first.url}/mcp", json=INIT, headers=headers).headers["mcp-session-id"]
                   for _ in range(count)]  # fmt: skip
            for session_id in ids:
                with_session = {**headers, "mcp-session-id": session_id}
                for server, samples in ((first, held), (second, hop), (second, after)):
                    started = time.perf_counter()
                    response = http.post(f"{server.url}/mcp", json=LIST, headers=with_session)
                    samples.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.text
        print(f"tools/list on the instance holding the session: {figures(held)}")
        print(f"tools/list, first request on another instance (lookup + rebuild): {figures(hop)}")
        print(f"tools/list there afterwards: {figures(after)}")
    finally:
        first.stop()
        second.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    args = parser.parse_args()
    from tests.support.mongod import MongodProcess

    mongod = MongodProcess().start()
    try:
        asyncio.run(store_costs(mongod.uri, args.sessions))
        request_costs(mongod.uri, args.sessions)
    finally:
        mongod.stop()


if __name__ == "__main__":
    main()
