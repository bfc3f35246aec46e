"""The installed ``dynamic-mcp`` command as a subprocess (docs/cli.md): against a running server
(--url, --api-key) and against the database (MONGODB_URI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.harness import ADMIN_EMAIL, ADMIN_KEY, ServerProcess, free_port

pytestmark = pytest.mark.integration

COMMAND = str(Path(sys.executable).with_name("dynamic-mcp"))


def clean_env(**extra: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("MONGO", "MCP_", "DYNAMIC_MCP_"))}
    return {**inherited, **extra}


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, *args],
        env=env or clean_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class Cli:
    """``dynamic-mcp`` pointed at one server with one key."""

    def __init__(self, url: str, key: str) -> None:
        self.target = ["--url", url, "--api-key", key]

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run(*args, *self.target)

    def ok(self, *args: str) -> str:
        done = self(*args)
        assert done.returncode == 0, f"{args}: rc={done.returncode}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json"))


@pytest.fixture(scope="module")
def admin_cli(server: ServerProcess) -> Cli:
    return Cli(server.url, ADMIN_KEY)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_the_command_is_installed() -> None:
    done = run("--help")
    assert done.returncode == 0
    for command in ("serve", "admin-key", "users", "tools", "prompts"):
        assert command in done.stdout


def test_an_unknown_role_is_a_clear_error(admin_cli: Cli) -> None:
    email = f"{unique('cli')}@example.com"
    done = admin_cli("users", "add", email, "--role", "superuser")
    assert done.returncode != 0
    assert "Unknown role(s): superuser" in done.stderr
    assert "Traceback" not in done.stderr


def test_user_lifecycle_over_the_rest_api(server: ServerProcess, admin_cli: Cli) -> None:
    email = f"{unique('cli')}@example.com"
    created = admin_cli.json("users", "add", email, "--name", "Cli User", "--role", "power-user")
    assert created["email"] == email and created["roles"] == ["power-user"] and created["apiKey"]
    table = admin_cli.ok("users", "list", "--name-contains", "cli user")
    assert table.splitlines()[0].split() == ["EMAIL", "NAME"] and email in table
    listed = admin_cli.json("users", "list", "--limit", "500")
    assert email in {u["email"] for u in listed["users"]}

    reset = admin_cli.json("users", "reset-key", email)
    assert reset["email"] == email and reset["apiKey"] != created["apiKey"]
    me = httpx.get(f"{server.url}/api/v1/me", headers={"x-apikey": reset["apiKey"]}, timeout=10)
    assert me.status_code == 200 and me.json()["email"] == email
    assert httpx.get(f"{server.url}/api/v1/me", headers={"x-apikey": created["apiKey"]}, timeout=10).status_code == 401

    assert f"Deleted user {email}" in admin_cli.ok("users", "delete", email)
    assert email not in {u["email"] for u in admin_cli.json("users", "list", "--limit", "500")["users"]}


def test_users_update_sets_per_user_rate_limits(server: ServerProcess, admin_cli: Cli) -> None:
    email = f"{unique('limited')}@example.com"
    key = admin_cli.json("users", "add", email, "--role", "user")["apiKey"]
    refused = Cli(server.url, key)("users", "update", email, "--rate-limit-api", "1000")
    assert refused.returncode == 1 and "403 Forbidden" in refused.stderr
    first = admin_cli.json("users", "update", email, "--rate-limit-tool-calls", "2", "--rate-limit-api", "3")
    assert first["rateLimits"] == {"toolCalls": 2, "api": 3}
    # A limit not given keeps its override; the table line says what holds now.
    line = admin_cli.ok("users", "update", email, "--rate-limit-sessions", "0", "--name", "Limited")
    assert line.strip() == f"Updated user {email} (roles: user; limits: toolCalls 2/min, api 3/min, sessions 0/min)."
    api = [httpx.get(f"{server.url}/api/v1/me", headers={"x-apikey": key}, timeout=10).status_code for _ in range(4)]
    assert api == [200, 200, 200, 429]
    cleared = admin_cli.json("users", "update", email, "--default-rate-limits")
    assert "rateLimits" not in cleared and cleared["name"] == "Limited"


def test_tools_and_prompts_from_files(admin_cli: Cli, tmp_path: Path) -> None:
    first, second = unique("cli-tool"), unique("cli-tool")
    definitions = [
        {
            "name": name,
            "description": f"{name} from a file",
            "inputSchema": {"type": "object"},
            "handler": {"type": "echo"},
        }
        for name in (first, second)
    ]
    tools_file = tmp_path / "tools.json"
    tools_file.write_text(json.dumps(definitions))
    saved = admin_cli.json("tools", "add", str(tools_file))
    assert saved == [{"success": True, "name": first}, {"success": True, "name": second}]
    table = admin_cli.ok("tools", "list", "--name-contains", "cli-tool", "--limit", "500")
    assert f"{ADMIN_EMAIL}:{first}" in table and "HIDDEN" in table.splitlines()[0]
    listed = admin_cli.json("tools", "list", "--name-contains", first)
    assert [t["id"] for t in listed["tools"]] == [f"{ADMIN_EMAIL}:{first}"] and listed["total"] == 1
    assert admin_cli.ok("tools", "delete", f"{ADMIN_EMAIL}:{first}").strip() == f"Deleted tool {first}."

    prompt = unique("cli-prompt")
    prompt_file = tmp_path / "prompt.json"
    prompt_file.write_text(json.dumps({"name": prompt, "description": "d", "handler": {"type": "echo"}}))
    assert f"Created prompt {prompt}" in admin_cli.ok("prompts", "add", str(prompt_file))
    assert prompt in {p["name"] for p in admin_cli.json("prompts", "list", "--limit", "500")["prompts"]}
    assert admin_cli.json("prompts", "delete", prompt)["deletedPrompt"]["name"] == prompt


def test_a_list_reports_every_entry_and_a_bad_one_does_not_stop_the_others(admin_cli: Cli, tmp_path: Path) -> None:
    first, third = unique("cli-batch"), unique("cli-batch")
    entries = [
        {"toolDefinition": {"name": first, "inputSchema": {"type": "object"}, "handler": {"type": "echo"}}},
        {"name": "bad:name", "inputSchema": {"type": "object"}, "handler": {"type": "echo"}},
        {"name": third, "inputSchema": {"type": "object"}, "handler": {"type": "echo"}},
    ]
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps(entries))
    done = admin_cli("tools", "add", str(batch))
    assert done.returncode == 1
    assert done.stdout.splitlines() == [f"Saved tool {first}.", f"Saved tool {third}."]
    assert "Entry 2 (bad:name) failed: 422" in done.stderr and "':'" in done.stderr
    assert "1 of 3 entries failed" in done.stderr
    listed = {
        t["id"] for t in admin_cli.json("tools", "list", "--name-contains", "cli-batch", "--limit", "500")["tools"]
    }
    assert {f"{ADMIN_EMAIL}:{first}", f"{ADMIN_EMAIL}:{third}"} <= listed

    as_json = admin_cli("tools", "add", str(batch), "--json")
    assert as_json.returncode == 1
    outcomes = json.loads(as_json.stdout)
    assert [o["success"] for o in outcomes] == [True, False, True]
    assert outcomes[1]["name"] == "bad:name" and "422" in outcomes[1]["error"]


def test_tools_add_takes_the_add_tool_wrapper_too(admin_cli: Cli, tmp_path: Path) -> None:
    name = unique("cli-wrapped")
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(
        json.dumps({"toolDefinition": {"name": name, "inputSchema": {"type": "object"}, "handler": {"type": "echo"}}})
    )
    assert admin_cli.ok("tools", "add", str(wrapped)).strip() == f"Saved tool {name}."


def test_failures_exit_non_zero_with_a_clear_message(server: ServerProcess, admin_cli: Cli, tmp_path: Path) -> None:
    duplicate = admin_cli("users", "add", ADMIN_EMAIL)
    assert duplicate.returncode == 1
    assert "409 Conflict" in duplicate.stderr and "already exists" in duplicate.stderr
    assert "Traceback" not in duplicate.stderr

    wrong_key = run("users", "list", "--url", server.url, "--api-key", "wrong", "--json")
    assert wrong_key.returncode == 1 and "401 Unauthorized: Invalid apiKey" in wrong_key.stderr

    unreachable = run("tools", "list", "--url", f"http://127.0.0.1:{free_port()}", "--api-key", "k")
    assert unreachable.returncode == 1 and "cannot reach the server" in unreachable.stderr

    bad_file = tmp_path / "bad.json"
    bad_file.write_text("{not json")
    broken = admin_cli("tools", "add", str(bad_file))
    assert broken.returncode == 1 and "not valid JSON" in broken.stderr

    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"name": "a:b", "inputSchema": {"type": "object"}, "handler": {"type": "echo"}}))
    rejected = admin_cli("tools", "add", str(invalid))
    assert rejected.returncode == 1 and "422" in rejected.stderr and "':'" in rejected.stderr

    assert admin_cli("users", "list", "--limit", "0").returncode == 2  # click's usage error


def test_a_plain_user_is_refused_what_their_role_does_not_allow(server: ServerProcess, admin_cli: Cli) -> None:
    email = f"{unique('plain')}@example.com"
    key = admin_cli.json("users", "add", email, "--role", "user")["apiKey"]
    refused = Cli(server.url, key)("users", "add", f"{unique('other')}@example.com")
    assert refused.returncode == 1 and "403 Forbidden" in refused.stderr


def test_url_and_key_may_come_from_the_environment(server: ServerProcess) -> None:
    done = run(
        "users", "list", "--json", env=clean_env(DYNAMIC_MCP_URL=f"{server.url}/mcp", DYNAMIC_MCP_API_KEY=ADMIN_KEY)
    )
    assert done.returncode == 0, done.stderr
    assert ADMIN_EMAIL in {u["email"] for u in json.loads(done.stdout)["users"]}


def test_memory_mode_without_url_says_there_is_no_database() -> None:
    done = run("users", "list")
    assert done.returncode == 1 and "There is no database" in done.stderr
    reset = run("admin-key", "--reset")
    assert reset.returncode == 1 and "Memory mode" in reset.stderr and "nothing to reset" in reset.stderr


# -- database mode ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mongo_server(mongo_uri: str, fresh_database_name: Callable[[str], str]) -> Iterator[ServerProcess]:
    process = ServerProcess({"MONGODB_URI": mongo_uri, "MONGODB_DB": fresh_database_name("cli")}).start()
    yield process
    process.stop()


@pytest.mark.mongo
def test_database_mode_manages_users_and_resets_the_admin_key(mongo_server: ServerProcess) -> None:
    env = clean_env(
        MONGODB_URI=mongo_server.env["MONGODB_URI"],
        MONGODB_DB=mongo_server.env["MONGODB_DB"],
        MCP_ADMIN_EMAIL=ADMIN_EMAIL,
    )
    email = f"{unique('db')}@example.com"
    created = json.loads(run("users", "add", email, "--role", "user", "--json", env=env).stdout)
    assert created["email"] == email
    me = httpx.get(f"{mongo_server.url}/api/v1/me", headers={"x-apikey": created["apiKey"]}, timeout=10)
    assert me.status_code == 200, "a user added in the database can use the running server"
    listing = run("users", "list", env=env)
    assert listing.returncode == 0 and email in listing.stdout
    tools = json.loads(run("tools", "list", "--json", "--limit", "500", env=env).stdout)
    assert "user-management:add-user" in {t["id"] for t in tools["tools"]}
    package_tool = run("tools", "delete", "user-management:add-user", env=env)
    assert package_tool.returncode == 1 and "Not authorized" in package_tool.stderr

    limited = json.loads(run("users", "update", email, "--rate-limit-tool-calls", "5", "--json", env=env).stdout)
    assert limited["rateLimits"] == {"toolCalls": 5}
    record = httpx.get(f"{mongo_server.url}/api/v1/users/{email}", headers={"x-apikey": ADMIN_KEY}, timeout=10)
    assert record.json()["rateLimits"] == {"toolCalls": 5}

    shown = run("admin-key", env=env)
    assert shown.returncode == 0 and "key starts with" in shown.stdout and ADMIN_KEY not in shown.stdout
    reset = run("admin-key", "--reset", env=env)
    assert reset.returncode == 0, reset.stderr
    new_key = reset.stdout.strip().rsplit(" ", 1)[-1]
    assert new_key and new_key != ADMIN_KEY
    check = httpx.get(f"{mongo_server.url}/api/v1/me", headers={"x-apikey": new_key}, timeout=10)
    assert check.status_code == 200 and check.json()["email"] == ADMIN_EMAIL
    # Changes made on the database are audited like any other door's, the admin key reset included.
    trail = httpx.get(f"{mongo_server.url}/api/v1/audit", headers={"x-apikey": new_key}, params={"limit": 500})
    actions = [(e["door"], e["action"], e["outcome"]) for e in trail.json()["entries"] if e["door"] == "cli"]
    for action in ("users add", "users update", "admin-key reset"):
        assert actions.count(("cli", action, "ok")) == 1, actions
    assert ("cli", "tools delete", "denied") in actions
