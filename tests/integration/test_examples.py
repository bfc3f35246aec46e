"""The examples in examples/ run as documented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.integration.harness import ADMIN_KEY, ServerProcess
from tests.integration.test_packages import local_api  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]


def test_add_http_tool_example_creates_and_calls_the_tool(local_api: int) -> None:  # noqa: F811
    server = ServerProcess({"HTTP_TOOL_ALLOWED_HOSTS": f"127.0.0.1:{local_api}"}).start()
    try:
        run = subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples" / "add_http_tool.py"),
                "--url",
                server.url,
                "--api-key",
                ADMIN_KEY,
                "--target",
                f"http://127.0.0.1:{local_api}/items",
                "--call",
                json.dumps({"q": "cats"}),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        server.stop()
    assert run.returncode == 0, run.stderr
    assert "fetch-items" in run.stdout
    assert '"path": "/items?q=cats"' in run.stdout


def test_echo_server_example_serves_its_package() -> None:
    port = ServerProcess().port  # a free port
    env = {"PORT": str(port), "MCP_ADMIN_API_KEY": ADMIN_KEY, "MCP_ADMIN_EMAIL": "admin@example.com"}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "echo_server.py")],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:  # log lines come first; the example prints its URL once serving
            lines.append(line)
            if "serving on" in line:
                break
        assert f":{port}/mcp" in lines[-1], lines
        assert httpx.get(f"http://127.0.0.1:{port}/echo/ping").json() == {"pong": "echo"}
    finally:
        proc.terminate()
        proc.wait(timeout=15)
