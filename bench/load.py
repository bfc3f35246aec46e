"""The same client load for every server: W sessions, each sending tools/call in a loop."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Mapping
from typing import Any

import attrs

from bench.client import HANDSHAKE, McpSession, session_class
from bench.procs import ServerProcess

ECHO_ARGUMENTS = {"text": "hello, bench"}
EXPECTED = {"result": ECHO_ARGUMENTS}


@attrs.frozen
class CallStats:
    requests: int
    errors: int
    seconds: float
    cpu_seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.requests if self.requests else float("nan")

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 3),
            "p99_ms": round(self.percentile(99), 3),
            "server_cpu_seconds": round(self.cpu_seconds, 3),
            "server_cpu_ms_per_request": round(self.cpu_ms_per_request, 4),
        }


def percentile(values: tuple[float, ...] | list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if q < 100 else max(values)


async def open_sessions(
    server: ServerProcess, api_key: str | None, count: int, era: str = HANDSHAKE
) -> list[McpSession]:
    """``count`` clients on connections of their own: handshake-era sessions, or 2026-era clients
    (no session: every request stands alone)."""
    sessions = [session_class(era)(server.host, server.port, api_key) for _ in range(count)]
    await asyncio.gather(*(s.open() for s in sessions))
    return sessions


async def drive_calls(
    server: ServerProcess,
    api_key: str | None,
    *,
    total: int,
    concurrency: int,
    time_cap: float,
    tool: str = "echo",
    arguments: Mapping[str, Any] = ECHO_ARGUMENTS,
    warmup: int = 200,
    era: str = HANDSHAKE,
) -> CallStats:
    """``concurrency`` sessions share a budget of ``total`` tools/call requests (stopping early at
    ``time_cap`` seconds). Sessions are opened and warmed up before the counters are read."""
    sessions = await open_sessions(server, api_key, concurrency, era)
    try:
        first = await sessions[0].call(tool, arguments)
        if first != EXPECTED:
            raise AssertionError(f"{server.name}: echo answered {first!r}, expected {EXPECTED!r}")
        await _run(sessions, warmup, time_cap, tool, arguments)  # warm-up, not counted
        cpu_before = server.cpu_seconds()
        started = time.perf_counter()
        latencies, errors = await _run(sessions, total, time_cap, tool, arguments)
        seconds = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu_before
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    return CallStats(len(latencies), errors, seconds, cpu, tuple(latencies))


async def _run(
    sessions: list[McpSession], total: int, time_cap: float, tool: str, arguments: Mapping[str, Any]
) -> tuple[list[float], int]:
    budget = iter(range(total))
    deadline = time.perf_counter() + time_cap
    latencies: list[float] = []
    errors = 0

    async def worker(session: McpSession) -> None:
        nonlocal errors
        params = {"name": tool, "arguments": dict(arguments)}
        for _ in budget:
            started = time.perf_counter()
            if started > deadline:
                return
            result = await session.rpc("tools/call", params)
            latencies.append(1000 * (time.perf_counter() - started))
            if result.get("isError"):
                errors += 1

    await asyncio.gather(*(worker(s) for s in sessions))
    return latencies, errors
