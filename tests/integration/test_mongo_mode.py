"""The server on a real MongoDB (issue 4): an original database, persistence, faults, start-up.

* legacy: documents shaped like the original TypeScript server's (plain ``apiKey``, plain-name
  shares, namespaced ``hiddenTools``, built-ins stored under package names, a ``system`` tool,
  stale unique indexes) are migrated at start, and clients keep their old keys (docs/access.md, docs/tools.md, docs/compatibility.md);
* persistence: what was created over MCP survives a restart;
* fault: a lost database gives clean "storage is unavailable" errors and a 503 deep health check,
  and service resumes by itself when it returns (a private mongod, so the session one is spared);
* start-up: an unreachable database exits non-zero, quickly, with one clear line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
import pytest
from mcp.shared.exceptions import MCPError
from pymongo import MongoClient

from dynamic_mcp.adapters.security.keys import Sha256KeyHasher
from tests.integration.harness import ADMIN_EMAIL, ADMIN_KEY, ServerProcess, connect, free_port
from tests.integration.test_transport import ACCEPT, INIT
from tests.support.mongod import MongodProcess, MongodUnavailable, find_mongod

# Every test here is about MongoDB mode (marked mongo) except the memory-mode deep health check.
pytestmark = pytest.mark.integration

STORAGE_DOWN = "Error: Storage is unavailable"

# -- an original database ----------------------------------------------------------------------

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
LEGACY_KEYS = {
    ADMIN_EMAIL: "legacy-admin-key-0000",
    ALICE: "legacy-alice-key-1111",
    BOB: "legacy-bob-key-2222",
    CAROL: "legacy-carol-key-3333",
}
THEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
OBJECT_SCHEMA = {"type": "object", "properties": {}}


def _legacy_user(email: str, roles: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "email": email,
        "name": email.split("@")[0].title(),
        "roles": roles,
        "apiKey": LEGACY_KEYS[email],
        "sharedTools": [],
        "hiddenTools": [],
        "createdAt": THEN,
        "updatedAt": THEN,
        "__v": 0,
        **extra,
    }


def _legacy_tool(name: str, creator: str, handler: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{name} by {creator}",
        "inputSchema": OBJECT_SCHEMA,
        "handler": handler,
        "creator": creator,
        "createdAt": THEN,
        "updatedAt": THEN,
        "__v": 0,
        **extra,
    }


def load_original_database(uri: str, db_name: str) -> None:
    """What the original server leaves behind, written with pymongo directly."""
    with MongoClient(uri) as client:
        db = client[db_name]
        # Older versions of the original created these; both contradict docs/access.md.
        db.users.create_index("apiKey", unique=True)
        db.tools.create_index("name", unique=True)
        legacy_share = {"toolId": "weather", "sharedBy": ALICE, "accessLevel": "read", "sharedAt": THEN}
        db.users.insert_many(
            [
                _legacy_user(ADMIN_EMAIL, ["admin"], name="Admin User"),
                _legacy_user(ALICE, ["power-user"]),
                _legacy_user(CAROL, ["power-user"]),
                _legacy_user(BOB, ["user"], sharedTools=[legacy_share], hiddenTools=["user-management:list-users"]),
            ]
        )
        echo = {"type": "echo", "config": {"message": "weather from alice"}}
        db.tools.insert_many(
            [
                _legacy_tool("weather", ALICE, echo),
                _legacy_tool("forecast", ALICE, {"type": "echo", "config": {}}),
                _legacy_tool("system-echo", "system", {"type": "echo", "config": {}}),
                # a built-in stored by an older release: stale text and roles, rewritten at start
                _legacy_tool(
                    "user-info",
                    "user-management",
                    {"type": "user-management", "config": {"action": "user-info"}},
                    description="stale description",
                    rolesPermitted=["admin"],
                ),
                # a built-in that no release declares any more: pruned at start (docs/tools.md)
                _legacy_tool(
                    "retired-builtin",
                    "tool-management",
                    {"type": "tool-management", "config": {"action": "retired"}},
                    rolesPermitted=["user"],
                ),
            ]
        )
        db.prompts.insert_one(
            {
                "name": "system-prompt",
                "description": "legacy",
                "arguments": [],
                "handler": {"type": "echo", "config": {}},
                "createdBy": "system",
                "createdAt": THEN,
                "updatedAt": THEN,
            }
        )


def read_database(uri: str, db_name: str) -> tuple[dict[str, dict[str, Any]], set[str], list[dict[str, Any]]]:
    """(users by email, tool namespaced ids, index descriptions of users and tools)."""
    with MongoClient(uri) as client:
        db = client[db_name]
        users = {u["email"]: u for u in db.users.find({})}
        tools = {f"{t['creator']}:{t['name']}" for t in db.tools.find({})}
        indexes = [*db.users.list_indexes(), *db.tools.list_indexes()]
    return users, tools, indexes


@pytest.fixture
def legacy_env(mongo_uri: str, fresh_database_name: Callable[[str], str]) -> dict[str, str]:
    db_name = fresh_database_name("legacy")
    load_original_database(mongo_uri, db_name)
    # No MCP_ADMIN_API_KEY: the existing admin keeps its legacy key.
    return {"MONGODB_URI": mongo_uri, "MONGODB_DB": db_name, "MCP_ADMIN_API_KEY": ""}


@pytest.mark.mongo
async def test_an_original_database_is_migrated_and_old_keys_keep_working(legacy_env: dict[str, str]) -> None:
    server = ServerProcess(legacy_env).start()
    try:
        users, tools, indexes = read_database(legacy_env["MONGODB_URI"], legacy_env["MONGODB_DB"])

        # docs/access.md / docs/compatibility.md: every plain key hashed, the plaintext gone
        hasher = Sha256KeyHasher()
        for email, plain in LEGACY_KEYS.items():
            doc = users[email]
            assert "apiKey" not in doc, email
            assert doc["apiKeyHash"] == hasher.digest(plain).hash
            assert doc["apiKeyPrefix"] and plain not in doc["apiKeyPrefix"]
        # stale unique indexes dropped (tool names may repeat across creators)
        unique_keys = [dict(i["key"]) for i in indexes if i.get("unique")]
        assert {"apiKey": 1} not in unique_keys and {"name": 1} not in unique_keys
        # system tools gone, built-ins rewritten, undeclared package tools pruned, user tools kept
        assert "system:system-echo" not in tools and "tool-management:retired-builtin" not in tools
        assert {"user-management:user-info", f"{ALICE}:weather", f"{ALICE}:forecast"} <= tools

        # The emailed URLs carry the key in the query string: the old one still connects.
        async with connect(server.url, LEGACY_KEYS[BOB], via="apiKey") as bob:
            names = await bob.tool_names()
            assert "weather" in names  # legacy plain-name share
            assert "user-info" in names and "hide-tool" in names  # the rewritten built-in reaches users again
            assert "list-users" not in names  # hidden through a namespaced id ...
            assert (await bob.ok("list-users"))["result"]["users"]  # ... but still callable (docs/access.md)
            assert "forecast" not in names and "system-echo" not in names and "add-user" not in names
            assert (await bob.ok("weather"))["message"] == "weather from alice"
            assert "not found or not authorized" in await bob.error(f"{ALICE}:forecast")
            assert "not found or not authorized" in await bob.error("system-echo")

        # A second tool named "weather" needs the stale {name: 1} index gone; the plain-name share
        # then grants it too (docs/access.md: every tool of that name).
        async with connect(server.url, LEGACY_KEYS[CAROL]) as carol:
            definition = {
                "name": "weather",
                "description": "carol's weather",
                "inputSchema": OBJECT_SCHEMA,
                "handler": {"type": "echo", "config": {"message": "weather from carol"}},
            }
            await carol.ok("add-tool", {"toolDefinition": definition})
        async with connect(server.url, LEGACY_KEYS[BOB], via="header") as bob:
            assert (await bob.ok(f"{CAROL}:weather"))["message"] == "weather from carol"
            assert (await bob.ok(f"{ALICE}:weather"))["message"] == "weather from alice"

        async with connect(server.url, LEGACY_KEYS[ADMIN_EMAIL], via="bearer") as admin:
            admin_names = await admin.tool_names()
            assert "system-echo" not in admin_names and "retired-builtin" not in admin_names
            assert {"add-user", "weather", "forecast"} <= admin_names
            prompts = {p.name for p in (await admin.session.list_prompts()).prompts}
            assert "system-prompt" not in prompts
    finally:
        server.stop()

    # Starting again on the migrated database changes nothing and the keys still work.
    again = ServerProcess(legacy_env).start()
    try:
        after, _, _ = read_database(legacy_env["MONGODB_URI"], legacy_env["MONGODB_DB"])
        assert {e: u["apiKeyHash"] for e, u in after.items() if e in LEGACY_KEYS} == {
            e: u["apiKeyHash"] for e, u in users.items()
        }
        async with connect(again.url, LEGACY_KEYS[BOB], via="apikey") as bob:
            assert "weather" in await bob.tool_names()
    finally:
        again.stop()


# -- persistence -------------------------------------------------------------------------------


@pytest.mark.mongo
async def test_everything_created_over_mcp_survives_a_restart(
    mongo_uri: str, fresh_database_name: Callable[[str], str]
) -> None:
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DB": fresh_database_name("persist")}
    power, user = f"power-{uuid.uuid4().hex[:6]}@example.com", f"user-{uuid.uuid4().hex[:6]}@example.com"
    first = ServerProcess(env).start()
    try:
        async with connect(first.url, ADMIN_KEY) as admin:
            power_key = (await admin.ok("add-user", {"email": power, "name": "Power", "roles": ["power-user"]}))[
                "result"
            ]["apiKey"]
            user_key = (await admin.ok("add-user", {"email": user, "name": "Plain", "roles": ["user"]}))["result"][
                "apiKey"
            ]
        async with connect(first.url, power_key) as p:
            definition = {
                "name": "kept-tool",
                "description": "survives restarts",
                "inputSchema": OBJECT_SCHEMA,
                "handler": {"type": "echo", "config": {"message": "still here"}},
            }
            await p.ok("add-tool", {"toolDefinition": definition})
            await p.ok("share-tool", {"email": user, "toolId": "kept-tool", "accessLevel": "read"})
            prompt = {"name": "kept-prompt", "description": "d", "handler": {"type": "echo", "config": {}}}
            await p.ok("add-prompt", prompt)
        async with connect(first.url, user_key) as u:
            await u.ok("hide-tool", {"toolId": ["list-users"]})
    finally:
        first.stop()

    second = ServerProcess(env).start()
    try:
        async with connect(second.url, ADMIN_KEY) as admin:
            listed = {u["email"] for u in (await admin.ok("list-users", {"limit": 100}))["result"]["users"]}
            assert {ADMIN_EMAIL, power, user} <= listed
            info = (await admin.ok("user-info", {"email": user}))["result"]
            assert [s["toolId"] for s in info["sharedTools"]] == [f"{power}:kept-tool"]
            assert info["hiddenTools"] == ["user-management:list-users"]
        async with connect(second.url, user_key) as u:
            names = await u.tool_names()
            assert "kept-tool" in names and "list-users" not in names
            assert (await u.ok("kept-tool"))["message"] == "still here"
        async with connect(second.url, power_key) as p:
            assert "kept-tool" in await p.tool_names()
            prompts = {pr.name for pr in (await p.session.list_prompts()).prompts}
            assert "kept-prompt" in prompts
    finally:
        second.stop()


# -- a database lost while running -------------------------------------------------------------


@pytest.fixture
def private_mongod() -> Iterator[MongodProcess]:
    """A mongod of this test's own, so stopping it leaves the session's server (or MONGODB_TEST_URI) alone."""
    try:
        binary = find_mongod()
    except MongodUnavailable as exc:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"the fault test must run in CI: {exc}")
        pytest.skip(str(exc))
    process = MongodProcess(binary).start()
    try:
        yield process
    finally:
        process.stop()


async def _deep_health(client: httpx.AsyncClient, url: str, path: str = "/health") -> httpx.Response:
    return await client.get(f"{url}{path}", params={"deep": "1"})


@pytest.mark.mongo
async def test_a_lost_database_fails_calls_cleanly_and_service_resumes(
    private_mongod: MongodProcess,
) -> None:
    server = ServerProcess({"MONGODB_URI": private_mongod.uri, "MONGODB_DB": "fault"}).start()
    http = httpx.AsyncClient(timeout=30.0)
    try:
        assert (await _deep_health(http, server.url)).json() == {"status": "ok"}
        async with connect(server.url, ADMIN_KEY) as admin:
            fresh_key = (await admin.ok("add-user", {"email": "fresh@example.com", "roles": ["user"]}))["result"][
                "apiKey"
            ]
            held_key = (await admin.ok("add-user", {"email": "held@example.com", "roles": ["user"]}))["result"][
                "apiKey"
            ]
            async with connect(server.url, held_key) as held:
                assert "user-info" in await held.tool_names()

                private_mongod.stop(keep_data=True)
                started = time.monotonic()
                results: dict[str, Any] = {}

                async def record(name: str, coro: Any) -> None:
                    results[name] = await coro

                async def held_request(request: Any) -> str:
                    # The held session's user leaves the cache when the admin's change of it fails;
                    # its next request must authenticate against the database: a JSON-RPC error.
                    with pytest.raises(MCPError) as caught:
                        await request
                    return str(caught.value)

                # Only calls that need the database: cached steady-state reads may still succeed.
                async with anyio.create_task_group() as tg:
                    tg.start_soon(record, "add-user", admin.call("add-user", {"email": "late@example.com"}))
                    tg.start_soon(record, "list-users", admin.call("list-users"))
                    tg.start_soon(record, "update-user", admin.call("update-user", {"email": "held@example.com"}))
                    tg.start_soon(record, "deep", _deep_health(http, server.url))
                    tg.start_soon(record, "status-deep", _deep_health(http, server.url, "/status"))
                    tg.start_soon(
                        record,
                        "initialize",
                        http.post(f"{server.url}/mcp", json=INIT, headers={**ACCEPT, "x-apikey": fresh_key}),
                    )
                async with anyio.create_task_group() as tg:
                    tg.start_soon(record, "held-list", held_request(held.session.list_tools()))
                    tg.start_soon(record, "held-call", held_request(held.session.call_tool("user-info", {})))
                outage_seconds = time.monotonic() - started

                for name in ("add-user", "list-users", "update-user"):  # tool errors from the handlers
                    is_error, text = results[name]
                    assert is_error and text.startswith(STORAGE_DOWN), (name, text)
                    assert "Traceback" not in text
                for name in ("held-list", "held-call"):  # JSON-RPC errors, from the gate or the handler
                    assert results[name].startswith("Storage is unavailable"), (name, results[name])
                for name in ("deep", "status-deep"):
                    assert results[name].status_code == 503
                    assert results[name].json()["status"] == "unavailable"
                    assert results[name].json()["error"].startswith("Storage is unavailable")
                assert results["initialize"].status_code == 503
                assert (
                    results["initialize"].json()["error"]["message"] == "Storage is unavailable. Please retry shortly."
                )
                assert (await http.get(f"{server.url}/health")).json() == {"status": "ok"}  # liveness unchanged
                assert server.alive
                assert outage_seconds < 20, outage_seconds

                private_mongod.restart()  # same port, same data
                deadline = time.monotonic() + 30
                while True:
                    is_error, body = await admin.call("add-user", {"email": "late@example.com", "roles": ["user"]})
                    if not is_error or "already exists" in body:  # a retry may follow an unseen success
                        break
                    assert time.monotonic() < deadline, body
                    await anyio.sleep(0.5)
                assert (await _deep_health(http, server.url)).json() == {"status": "ok"}
                assert "user-info" in await held.tool_names()
                assert not (await held.call("user-info"))[0]
        async with connect(server.url, fresh_key) as fresh:  # a fresh session's initialize works again
            assert (await fresh.ok("user-info"))["result"]["email"] == "fresh@example.com"
    finally:
        await http.aclose()
        server.stop()


# -- an unreachable database at start ----------------------------------------------------------


@pytest.mark.mongo
def test_an_unreachable_database_at_start_exits_quickly_with_one_clear_line() -> None:
    closed_port = free_port()  # nothing listens there
    env = ServerProcess({"MONGODB_URI": f"mongodb://127.0.0.1:{closed_port}/", "LOG_LEVEL": "info"}).env
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "dynamic_mcp.cli", "serve"], env=env, capture_output=True, text=True, timeout=90
    )
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    # The server gives up after its own 5 s server selection timeout; the driver's default is 30 s,
    # so staying under 25 s proves the short one is used while leaving room for a loaded machine.
    assert elapsed < 25, elapsed
    last = output.strip().splitlines()[-1]
    assert last.startswith("Error: Storage is unavailable: could not reach MongoDB"), output
    assert "MONGODB_URI" in last
    assert "Traceback" not in output


@pytest.mark.mongo
def test_a_malformed_database_uri_is_refused_at_start() -> None:
    env = ServerProcess({"MONGODB_URI": "mongo://not-a-uri", "LOG_LEVEL": "info"}).env
    done = subprocess.run(
        [sys.executable, "-m", "dynamic_mcp.cli", "serve"], env=env, capture_output=True, text=True, timeout=15
    )
    assert done.returncode == 1
    assert "MONGODB_URI is not a valid MongoDB URI" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


# -- the deep health check without a database -------------------------------------------------


def test_deep_health_in_memory_mode_is_ok() -> None:
    server = ServerProcess().start()
    try:
        for path in ("/health", "/status"):
            response = httpx.get(f"{server.url}{path}", params={"deep": "1"})
            assert (response.status_code, response.json()) == (200, {"status": "ok"})
    finally:
        server.stop()
