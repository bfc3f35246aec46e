"""A user's first steps, in a fresh virtual environment: ``pip install .``, then the installed
``dynamic-mcp`` command (``--version``, ``serve``) and ``python -m dynamic_mcp``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest

from tests.integration.harness import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
INSTALL_SECONDS = 480  # about 40 s with a warm pip cache on a quiet machine; generous for a loaded one
SERVE_SECONDS = 60
ADMIN_KEY = "install-test-admin-key-0123456789abcdef"


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def checkout_copy(target: Path) -> Path:
    """The files a clean clone has (tracked, plus new ones not ignored): no .venv, no build output."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            destination = target / os.fsdecode(name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read_bytes())
    return target


def clean_env() -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("MONGO", "MCP_", "SERVER_", "VIRTUAL_ENV"))}
    return {**inherited, "MCP_ADMIN_API_KEY": ADMIN_KEY, "LOG_LEVEL": "info"}


@pytest.fixture(scope="module")
def venv_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fresh-install")
    source = checkout_copy(base / "checkout")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    done = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(source)],
        capture_output=True,
        text=True,
        timeout=INSTALL_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return venv / "bin"


def test_the_installed_command_reports_the_package_version(venv_bin: Path) -> None:
    for argv in (
        [str(venv_bin / "dynamic-mcp"), "--version"],
        [str(venv_bin / "python"), "-m", "dynamic_mcp", "--version"],
    ):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=clean_env(), check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split()[:2] == ["dynamic-mcp", project_version()]


def first_json_rpc_message(response: httpx.Response) -> dict[str, object]:
    if response.headers.get("content-type", "").startswith("application/json"):
        return dict(response.json())
    data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
    return dict(json.loads(data[0]))


def test_the_installed_command_serves_mcp_with_the_package_version(venv_bin: Path, tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(venv_bin / "dynamic-mcp"), "serve", "--port", str(port)],
        env=clean_env(),
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVE_SECONDS
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "no /health answer in time"
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        initialize = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "install-test", "version": "1"},
            },
        }
        response = httpx.post(
            f"{url}/mcp",
            json=initialize,
            headers={"x-apikey": ADMIN_KEY, "accept": "application/json, text/event-stream"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        result = first_json_rpc_message(response)["result"]
        assert isinstance(result, dict)
        server_info = result["serverInfo"]
        assert isinstance(server_info, dict)
        assert (server_info["name"], server_info["version"]) == ("dynamic-mcp-server", project_version())
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
