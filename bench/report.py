"""The results as markdown tables: throughput with ratios to the floor, scale runs, targets."""

from __future__ import annotations

from typing import Any

from bench.load import CallStats

LABELS = {
    "floor": "floor: bare `mcp` SDK low-level server",
    "fastmcp": "FastMCP (`mcp.server.mcpserver.MCPServer`)",
    "dynamic-memory": "dynamic-mcp, in memory (shared tool, non-admin)",
    "dynamic-mongo": "dynamic-mcp, MongoDB (shared tool, non-admin)",
    "floor-2026": "floor, 2026-07-28 requests",
    "dynamic-memory-2026": "dynamic-mcp, in memory, 2026-07-28 requests",
    "dynamic-mongo-2026": "dynamic-mcp, MongoDB, 2026-07-28 requests",
}
MODERN_SUFFIX = "-2026"


def handshake_row(name: str) -> str:
    """The row of the same server in the handshake era (the name itself for handshake rows)."""
    return name.removesuffix(MODERN_SUFFIX)


def floor_row(name: str) -> str:
    """The floor of the same era: 2026-era rows compare with the floor's 2026-era row."""
    return "floor" + MODERN_SUFFIX if name.endswith(MODERN_SUFFIX) else "floor"


def one_line(stats: CallStats) -> str:
    d = stats.as_dict()
    return (
        f"{d['throughput_rps']:8.1f} req/s  p50 {d['p50_ms']:7.2f} ms  p99 {d['p99_ms']:7.2f} ms  "
        f"cpu {d['server_cpu_ms_per_request']:.3f} ms/call  ({d['requests']} calls, {d['errors']} errors)"
    )


def _ratio(value: float | None, base: float | None) -> str:
    if not value or not base:
        return "-"
    return f"{value / base:.2f}x"


def _fmt(value: Any, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}{unit}"


def throughput_table(results: dict[str, Any]) -> list[str]:
    rows = results["throughput"]
    fastmcp = rows.get("fastmcp", {})
    lines = [
        "| server | req/s | p50 ms | p99 ms | server CPU ms/call | CPU vs floor (same era) | CPU vs handshake era "
        "| req/s vs floor | req/s vs FastMCP |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        floor = rows.get(floor_row(name), {})
        handshake = rows.get(handshake_row(name), {}) if handshake_row(name) != name else {}
        cpu = row["server_cpu_ms_per_request"]
        lines.append(
            f"| {LABELS.get(name, name)} | {_fmt(row['throughput_rps'])} | {_fmt(row['p50_ms'], 2)} "
            f"| {_fmt(row['p99_ms'], 2)} | {_fmt(cpu, 3)} "
            f"| {_ratio(cpu, floor.get('server_cpu_ms_per_request'))} "
            f"| {_ratio(cpu, handshake.get('server_cpu_ms_per_request'))} "
            f"| {_ratio(row['throughput_rps'], floor.get('throughput_rps'))} "
            f"| {_ratio(row['throughput_rps'], fastmcp.get('throughput_rps'))} |"
        )
    return lines


def scale_table(results: dict[str, Any]) -> list[str]:
    lines = ["| scale run | result |", "|---|---|"]
    floor = results.get("tools_list_floor")
    for key, label in (("tools_list_floor", "floor"), ("tools_list_memory", "memory"), ("tools_list_mongo", "MongoDB")):
        run = results.get(key)
        if not run:
            lines.append(f"| tools/list, {label} | skipped ({results.get('mongo_skipped') or 'not run'}) |")
            continue
        seed = run.get("seed")
        created = f"; {seed['tools_created']:,} tools created at {_fmt(seed['tools_per_second'])}/s" if seed else ""
        versus = f" ({_ratio(run['median_ms'], floor['median_ms'])} the floor)" if floor and run is not floor else ""
        lines.append(
            f"| tools/list, {run['tools_listed']:,} tools listed ({label}) | median {_fmt(run['median_ms'], 2)} ms"
            f"{versus}, p99 {_fmt(run['p99_ms'], 2)} ms, first (cold) {_fmt(run['cold_ms'], 1)} ms; "
            f"server CPU {_fmt(run['server_cpu_ms_per_list'], 2)} ms/list; {run['response_bytes'] / 2**20:.2f} MiB "
            f"response{created} |"
        )
    sessions = results.get("sessions") or {}
    ours, floor = sessions.get("dynamic"), sessions.get("floor")
    if ours:
        n = ours["sessions"]
        floor_note = (
            f" (floor: {_fmt(floor['rss_idle_mib'])} MiB idle, {_fmt(floor['rss_listening_mib'])} MiB listening)"
            if floor
            else ""
        )
        lines.append(
            f"| {n:,} idle sessions, server RSS | {_fmt(ours['rss_idle_mib'])} MiB idle "
            f"({_fmt(ours['kib_per_idle_session'])} KiB/session), {_fmt(ours['rss_listening_mib'])} MiB with every GET "
            f"stream open; {_fmt(ours['rss_before_mib'])} MiB before{floor_note} |"
        )
        lines.append(
            f"| share-tool to {n:,} live sessions | last list_changed after {_fmt(ours['last_notification_ms'])} ms "
            f"({ours['notified']:,}/{n:,} sessions reached; share-tool answered in {_fmt(ours['share_reply_ms'])} ms; "
            f"server CPU {_fmt(ours['server_cpu_ms'])} ms) |"
        )
    return lines


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for each goal of the issue; met is None when not measured."""
    out: list[tuple[str, str, bool | None]] = []
    rows = results["throughput"]
    floor, fastmcp = rows.get("floor"), rows.get("fastmcp")
    for name in ("dynamic-memory", "dynamic-mongo", "dynamic-memory-2026", "dynamic-mongo-2026"):
        row, same_era_floor = rows.get(name), rows.get(floor_row(name))
        if row and same_era_floor:
            ours_ms, floor_ms = row["server_cpu_ms_per_request"], same_era_floor["server_cpu_ms_per_request"]
            measured = f"{ours_ms / floor_ms:.2f}x ({ours_ms:.3f} vs {floor_ms:.3f} ms)"
            out.append((f"server CPU per tools/call <= 1.3x floor ({name})", measured, ours_ms / floor_ms <= 1.3))
        if row and fastmcp and not name.endswith(MODERN_SUFFIX):
            ratio = row["throughput_rps"] / fastmcp["throughput_rps"]
            measured = f"{ratio:.2f}x ({row['throughput_rps']:.0f} vs {fastmcp['throughput_rps']:.0f} req/s)"
            if floor:
                measured += f"; the floor itself: {floor['throughput_rps'] / fastmcp['throughput_rps']:.2f}x"
            out.append((f"throughput >= 1.5x FastMCP ({name})", measured, ratio >= 1.5))
    list_floor = results.get("tools_list_floor")
    for key, label in (("tools_list_memory", "memory"), ("tools_list_mongo", "MongoDB")):
        run = results.get(key)
        if run:
            full = run["tools_listed"] >= 10_000
            versus = f"; floor {list_floor['median_ms']:.0f} ms" if list_floor else ""
            measured = f"{run['median_ms']:.1f} ms ({run['tools_listed']:,} tools{versus})"
            out.append(
                (
                    f"tools/list with 10,000 tools <= 10 ms median ({label})",
                    measured,
                    run["median_ms"] <= 10 if full else None,
                )
            )
    sessions = results.get("sessions") or {}
    ours, floor_sessions = sessions.get("dynamic"), sessions.get("floor") or {}
    if ours:
        full = ours["sessions"] >= 1000
        for key, target in (
            ("rss_idle_mib", "1,000 idle sessions < 200 MB RSS"),
            ("rss_listening_mib", "the same sessions, each also holding its GET stream open (as SDK clients do)"),
        ):
            floor_mb = f"; floor {_mb(floor_sessions[key])}" if key in floor_sessions else ""
            measured = f"{_mb(ours[key])} ({ours['sessions']:,} sessions{floor_mb})"
            out.append((target, measured, _mb_value(ours[key]) < 200 if full else None))
        last = ours["last_notification_ms"]
        reached = ours["notified"] >= ours["sessions"]
        out.append(
            (
                "list_changed to 1,000 sessions < 1 s",
                f"{last:.0f} ms ({ours['notified']:,}/{ours['sessions']:,} reached)" if last else "none received",
                (reached and last is not None and last < 1000) if full else None,
            )
        )
    return out


def _mb_value(mib: float) -> float:
    return mib * 2**20 / 1e6


def _mb(mib: float) -> str:
    return f"{_mb_value(mib):.0f} MB"


def markdown(results: dict[str, Any]) -> str:
    env = results["environment"]
    config = results["config"]
    lines = [
        f"Benchmark run {results['when']} ({results['mode']}, {results['seconds']} s): Python {env['python']}, "
        f"mcp {env['mcp']}, uvicorn {env['uvicorn']}, litestar {env['litestar']}, {env['cpus']} CPUs"
        + (
            f", server pinned to CPU {env['server_cpus']} and client to {env['client_cpus']}"
            if config["pinned"]
            else ""
        )
        + f", load average {env['load_average']:.2f} at start.",
        "",
        f"tools/call echo: {config['concurrency']} sessions, {config['calls']:,} calls per round, "
        f"median of {config['rounds']} round(s).",
        "",
        *throughput_table(results),
        "",
        *scale_table(results),
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for target, measured, met in targets(results):
        verdict = "n/a (quick run)" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {target} | {measured} | {verdict} |")
    return "\n".join(lines) + "\n"
