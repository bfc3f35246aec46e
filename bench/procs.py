"""Server processes for the benchmark, and their own CPU and memory counters from /proc."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, whatever the env says
ADMIN_EMAIL = "admin@bench.example.com"
ADMIN_KEY = "bench-admin-key-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_layout() -> tuple[set[int] | None, set[int] | None]:
    """(server CPUs, client CPUs): with two or more CPUs, server and client get one each so that
    neither steals the other's core; otherwise no pinning."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return {cpus[-1]}, set(cpus[:-1])


class ServerProcess:
    """A server command as a child process on a free loopback port; its log goes to a temp file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str] | None = None, cpus: set[int] | None = None):
        self.name = name
        self.port = free_port()
        self.host = "127.0.0.1"
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.env = {**os.environ, **(env or {})}
        self.env["PORT"] = str(self.port)
        self.cpus = cpus
        self.log_path = Path(tempfile.mkdtemp(prefix=f"bench-{name}-")) / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> ServerProcess:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.log_path.parent
            )
        if self.cpus:
            os.sched_setaffinity(self.proc.pid, self.cpus)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                with NO_PROXY.open(f"http://{self.host}:{self.port}/health", timeout=1.0) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not become healthy:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        """Stop the process (by its PID); its log is removed unless it exited on its own."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        crashed = proc.poll() is not None
        if not crashed:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if crashed:
            print(f"{self.name} had exited with {proc.returncode}; its log: {self.log_path}", file=sys.stderr)
        else:
            shutil.rmtree(self.log_path.parent, ignore_errors=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def cpu_seconds(self) -> float:
        """utime + stime of the server process itself, from /proc/<pid>/stat."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_bytes(self) -> int:
        return int(Path(f"/proc/{self.pid}/statm").read_text().split()[1]) * PAGE_SIZE

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def python_server(name: str, script: str, cpus: set[int] | None, *args: str) -> ServerProcess:
    argv = [sys.executable, str(ROOT / "bench" / "servers" / script), "--port", "{port}", *args]
    return ServerProcess(name, argv, cpus=cpus)


def dynamic_server(name: str, cpus: set[int] | None, extra_env: dict[str, str] | None = None) -> ServerProcess:
    """``dynamic-mcp serve`` (in memory unless ``extra_env`` sets MONGODB_URI)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGO", "MCP_", "SESSION_", "ALLOW_"))}
    env.update(
        {
            "HOST": "127.0.0.1",
            "MCP_ADMIN_EMAIL": ADMIN_EMAIL,
            "MCP_ADMIN_API_KEY": ADMIN_KEY,
            "LOG_LEVEL": "warn",
            # The limiter runs (its cost is measured) but never refuses: the load is one user's.
            "RATE_LIMIT_TOOL_CALLS": "10000000",
            "RATE_LIMIT_API": "10000000",
            "RATE_LIMIT_SESSIONS": "10000000",
            # Rounds open fresh sessions and leave the old ones to expire: the per-user cap would refuse them.
            "MAX_SESSIONS_PER_USER": "100000",
            **(extra_env or {}),
        }
    )
    server = ServerProcess(name, [sys.executable, "-m", "dynamic_mcp.cli", "serve"], cpus=cpus)
    server.env = {**env, "PORT": str(server.port)}
    return server
