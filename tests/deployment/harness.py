"""Three ``dynamic-mcp serve`` processes on one MongoDB replica set, Debian's nginx in front.

nginx runs the documented configuration (deploy/nginx.conf) with the instances' and its own
ports filled in, in the foreground, from a private directory; an ``X-Upstream`` response header
(test-only) names the instance that answered.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.integration.harness import ServerProcess, free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
SITE_CONFIG = ROOT / "deploy" / "nginx.conf"


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


MAIN_CONFIG = """\
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    log_format upstreams '$http_mcp_method|$request_method|$uri|$status|$upstream_addr|$http_mcp_session_id';
    access_log {dir}/access.log upstreams;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    add_header X-Upstream $upstream_addr always;
    include {dir}/site.conf;
}}
"""


def site_config(upstream_ports: list[int], listen_port: int) -> str:
    """deploy/nginx.conf with these ports: its upstream servers and listen port replaced."""
    text = SITE_CONFIG.read_text()
    servers = re.findall(r"^\s*server 127\.0\.0\.1:\d+ [^\n]*$", text, flags=re.M)
    assert len(servers) == len(upstream_ports), "deploy/nginx.conf should list one server per instance"
    for line, port in zip(servers, upstream_ports, strict=True):
        text = text.replace(line, re.sub(r":\d+", f":{port}", line, count=1), 1)
    text, listens = re.subn(r"listen \d+;", f"listen 127.0.0.1:{listen_port};", text)
    assert listens == 1
    return text


class Nginx:
    def __init__(self, binary: str, upstream_ports: list[int]) -> None:
        self.binary = binary
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dir = tempfile.mkdtemp(prefix="nginx-test-")
        os.chmod(self.dir, 0o777)  # workers may run as nobody; a private temp dir
        (Path(self.dir) / "site.conf").write_text(site_config(upstream_ports, self.port))
        (Path(self.dir) / "nginx.conf").write_text(MAIN_CONFIG.format(dir=self.dir))
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> Nginx:
        conf = str(Path(self.dir) / "nginx.conf")
        self._proc = subprocess.Popen(
            [self.binary, "-p", self.dir, "-c", conf, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(Path(self.dir) / "stderr.log").open("ab"),
        )
        if wait_healthy(self._proc, f"{self.url}/health", timeout, self.errors):
            return self
        self.stop()
        raise RuntimeError(f"nginx did not answer: {self.errors()}")

    def requests(self) -> list[tuple[str, str, str, int, str, str]]:
        """(MCP method header, HTTP method, path, status, upstream, MCP session id) of each
        completed request, in the order they completed."""
        path = Path(self.dir) / "access.log"
        rows = []
        for line in path.read_text().splitlines() if path.exists() else []:
            mcp, method, uri, status, upstream, session = line.split("|")
            rows.append((mcp.strip("-"), method, uri, int(status), upstream, session.strip("-")))
        return rows

    def errors(self) -> str:
        parts = [Path(self.dir) / name for name in ("stderr.log", "error.log")]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()  # SIGTERM: fast shutdown
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Deployment:
    """The instances and the proxy; ``instances[i].url`` reaches one directly (for checks only)."""

    def __init__(self, instances: list[ServerProcess], nginx: Nginx, env: dict[str, str]) -> None:
        self.instances = instances
        self.nginx = nginx
        self.env = env

    @property
    def url(self) -> str:
        return self.nginx.url

    def instance_of(self, upstream: str) -> int:
        """Which instance an ``X-Upstream`` value names (the last one tried, when retried)."""
        port = int(upstream.split(",")[-1].strip().rsplit(":", 1)[1])
        return next(i for i, s in enumerate(self.instances) if s.port == port)


def start_deployment(env: dict[str, str], count: int = 3) -> Deployment:
    binary = find_nginx()
    if binary is None:
        raise RuntimeError("nginx is not installed (.ci/run installs Debian's package)")
    instances: list[ServerProcess] = []
    try:
        # The first start creates the admin and writes the built-ins; the others then start at once.
        instances.append(ServerProcess(env).start())
        others = [ServerProcess(env) for _ in range(count - 1)]
        for process in others:
            instances.append(process.start())
        nginx = Nginx(binary, [s.port for s in instances]).start()
    except BaseException:
        for process in instances:
            process.stop()
        raise
    return Deployment(instances, nginx, env)


def stop_deployment(deployment: Deployment) -> None:
    deployment.nginx.stop()
    for process in deployment.instances:
        process.stop()
