"""The official MCP conformance suite (@modelcontextprotocol/conformance, server scenarios) against
``examples/conformance_server.py`` run as documented: default settings, the key in the URL.

The suite and a Node 22 come from npm through ``.ci/install-conformance`` (pinned versions, into the
user cache directory); ``.ci/run`` installs them before the tests, and this test does too when they
are missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.harness import ADMIN_KEY, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_LINE = re.compile(r"^([✓✗])\s+([\w-]+):\s+(\d+) passed,\s+(\d+) failed", re.MULTILINE)


def suite_bin() -> Path:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed; .ci/run installs the conformance suite with it")
    run = subprocess.run(
        ["bash", str(ROOT / ".ci" / "install-conformance")], capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr
    return Path(run.stdout.strip().splitlines()[-1]) / "node_modules" / ".bin"


def start_example(port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGO", "MCP_", "ALLOWED_", "HOST"))}
    env.update({"PORT": str(port), "HOST": "127.0.0.1", "MCP_ADMIN_API_KEY": ADMIN_KEY, "LOG_LEVEL": "warn"})
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "conformance_server.py")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the conformance example exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1.0).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the conformance example did not become healthy")


def test_every_active_server_scenario_passes() -> None:
    bin_dir = suite_bin()
    port = free_port()
    server = start_example(port)
    try:
        run = subprocess.run(
            [str(bin_dir / "conformance"), "server", "--url", f"http://localhost:{port}/mcp?apiKey={ADMIN_KEY}"],
            env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    results = {name: (mark == "✓" and int(failed) == 0) for mark, name, _, failed in SUMMARY_LINE.findall(run.stdout)}
    passed = sorted(n for n, ok in results.items() if ok)
    failed = sorted(n for n, ok in results.items() if not ok)
    print(f"conformance: {len(passed)} of {len(results)} scenarios pass")
    for name in passed:
        print(f"  pass  {name}")
    for name in failed:
        print(f"  FAIL  {name}")
    assert len(results) >= 30, run.stdout[-3000:] + run.stderr[-2000:]
    assert "dns-rebinding-protection" in passed
    assert failed == [], run.stdout[-6000:]
