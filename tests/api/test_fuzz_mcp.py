"""/mcp fuzzed in process: random and mutated JSON-RPC, nested and huge bodies, and every built-in
tool called with wrong-typed arguments. Nothing may answer 5xx or an internal error.

Both protocol eras are covered: the handshake era (a session from ``initialize``) and the 2026 era
(``MCP-Protocol-Version: 2026-07-28``, every request on its own). The budget is bounded: a few
hundred requests, about ten seconds of CPU.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from dynamic_mcp.adapters.http.app import create_app

from .conftest import ADMIN_KEY, LOCAL, make_container

HANDSHAKE = "2025-06-18"
MODERN = "2026-07-28"
BASE = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
MAX_BODY = 64 * 1024
INTERNAL_ERROR = -32603
METHODS = [
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "prompts/list",
    "prompts/get",
    "resources/list",
    "completion/complete",
    "logging/setLevel",
    "notifications/initialized",
    "notifications/cancelled",
    "server/discover",
]
FUZZ = settings(
    max_examples=60, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
messages = st.fixed_dictionaries(
    {},
    optional={
        "jsonrpc": st.sampled_from(["2.0", "1.0", ""]) | json_values,
        "id": st.integers() | st.text(max_size=8) | st.none() | json_values,
        "method": st.sampled_from(METHODS) | st.text(max_size=20) | json_values,
        "params": json_values
        | st.fixed_dictionaries(
            {}, optional={"name": st.text(max_size=20) | json_values, "arguments": json_values, "_meta": json_values}
        ),
    },
)


def _mutate(data: st.DataObject, body: bytes) -> bytes:
    """Flip, drop, or insert bytes; or cut the body short."""
    raw = bytearray(body)
    for _ in range(data.draw(st.integers(1, 4))):
        if not raw:
            break
        at = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "drop", "insert", "truncate"]))
        if action == "flip":
            raw[at] ^= 1 << data.draw(st.integers(0, 7))
        elif action == "drop":
            del raw[at]
        elif action == "insert":
            raw[at:at] = data.draw(st.sampled_from([b"{", b"[", b'"', b"\\", b"\x00", b"\xff", b",", b"}"]))
        else:
            del raw[at:]
    return bytes(raw)


def _responses(text: str) -> list[Any]:
    """The JSON-RPC messages in a JSON or SSE body."""
    if not text.strip():
        return []
    if text.lstrip().startswith(("{", "[")):
        return [json.loads(text)]
    return [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:") and line[5:].strip()]


def _no_internal_error(text: str) -> None:
    for message in _responses(text):
        for item in message if isinstance(message, list) else [message]:
            if isinstance(item, dict) and isinstance(item.get("error"), dict):
                assert item["error"].get("code") != INTERNAL_ERROR, item
            content = (item.get("result") or {}).get("content") if isinstance(item, dict) else None
            for part in content or []:
                assert "internal error" not in str(part.get("text", "")), part


class Mcp:
    """A TestClient on one app, with an initialized handshake-era session as the admin."""

    def __init__(self, client: TestClient[Any]) -> None:
        self.client = client
        init = {
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": {
                "protocolVersion": HANDSHAKE,
                "capabilities": {},
                "clientInfo": {"name": "fuzz", "version": "1"},
            },
        }
        response = client.post("/mcp", json=init, headers={**BASE, "x-apikey": ADMIN_KEY})
        assert response.status_code == 200, response.text
        self.session = {
            **BASE,
            "x-apikey": ADMIN_KEY,
            "mcp-session-id": response.headers["mcp-session-id"],
            "mcp-protocol-version": HANDSHAKE,
        }
        self.post(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}).encode(), "session")

    def headers(self, era: str) -> dict[str, str]:
        if era == "session":
            return self.session
        if era == "modern":
            return {**BASE, "x-apikey": ADMIN_KEY, "mcp-protocol-version": MODERN}
        if era == "anonymous":
            return BASE
        return {**BASE, "x-apikey": ADMIN_KEY}  # no session yet: only initialize is allowed

    def post(self, body: bytes, era: str) -> Any:
        response = self.client.post("/mcp", content=body, headers=self.headers(era))
        assert response.status_code < 500, (response.status_code, response.text[:500], body[:200])
        return response

    def call(self, name: str, arguments: Any) -> str:
        body = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
        response = self.post(json.dumps(body).encode(), "session")
        # The session must survive every call (a call that locked the admin out would hide the rest).
        assert response.status_code == 200, response.text
        (answer,) = _responses(response.text)
        assert "result" in answer or answer["error"]["code"] != INTERNAL_ERROR, answer
        _no_internal_error(response.text)
        return str(response.text)


def _app(**settings: Any) -> Any:
    return create_app(make_container(max_body_bytes=MAX_BODY, **settings))


@pytest.fixture(scope="module")
def mcp() -> Iterator[Mcp]:
    with TestClient(_app(), base_url=LOCAL) as client:
        yield Mcp(client)


ERAS = st.sampled_from(["session", "modern", "new", "anonymous"])


@FUZZ
@given(message=messages | st.lists(messages, max_size=3), era=ERAS)
def test_random_json_rpc_never_fails_the_server(mcp: Mcp, message: Any, era: str) -> None:
    response = mcp.post(json.dumps(message).encode(), era)
    _no_internal_error(response.text)


VALID = [
    {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list-users", "arguments": {"limit": 2}}},
    {"jsonrpc": "2.0", "id": 3, "method": "prompts/list"},
    {
        "jsonrpc": "2.0",
        "id": 4,
        "method": "initialize",
        "params": {"protocolVersion": HANDSHAKE, "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}},
    },
]


@FUZZ
@given(data=st.data(), base=st.sampled_from(VALID), era=ERAS)
def test_mutated_json_rpc_never_fails_the_server(mcp: Mcp, data: st.DataObject, base: Any, era: str) -> None:
    mcp.post(_mutate(data, json.dumps(base).encode()), era)


@pytest.mark.parametrize("era", ["session", "modern", "new", "anonymous"])
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 200_000 + b"]" * 200_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list-users", "arguments": "x"}}
        ).encode()[:-2]
        + b"[" * 30_000,
        b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + b"x" * (MAX_BODY + 10) + b'"}}',
        b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + b"x" * (MAX_BODY - 100) + b'"}}',
        json.dumps([{"jsonrpc": "2.0", "id": i, "method": "ping"} for i in range(2000)]).encode(),
        b"\xff\xfe\x00" * 1000,
        b"",
    ],
    ids=["deep-array", "deep-object", "deep-params", "over-limit", "near-limit", "big-batch", "binary", "empty"],
)
def test_nested_and_huge_bodies_never_fail_the_server(mcp: Mcp, body: bytes, era: str) -> None:
    mcp.post(body, era)


# -- every built-in tool, wrong-typed arguments ------------------------------------------------

WRONG = {
    "string": [17, True, None, [], {"a": 1}, 2**70],
    "number": ["12", True, None, [1], {}, 1e308],
    "integer": ["12", 1.5, True, None, [], {}, 2**70, -(2**70)],
    "boolean": ["true", 0, 1, None, [], {}],
    "array": ["a,b", 3, None, {"0": "a"}, [None, 1, {}], [[[]]]],
    "object": ["{}", 3, None, [], {"\x00": 1}],
}
ODD = ["", "\x00", "a" * 5_000, "../../etc/passwd", "{{userEmail}}", "admin@localhost", -1, 0, 1e-300]


def _wrong_arguments(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    properties = schema.get("properties") or {}
    yield {}
    yield {"unexpected": 1}
    for name, spec in properties.items():
        declared = spec.get("type") if isinstance(spec, dict) else None
        declared = declared if isinstance(declared, str) else "string"
        for value in WRONG.get(declared, WRONG["string"]) + ODD:
            yield {name: value}
    yield {name: None for name in properties}


def _builtin_tools(mcp: Mcp) -> list[dict[str, Any]]:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
    (listing,) = _responses(mcp.post(body, "session").text)
    return list(listing["result"]["tools"])


@pytest.mark.parametrize("validate", [True, False], ids=["validated", "unvalidated"])
def test_every_builtin_tool_with_wrong_typed_arguments(validate: bool) -> None:
    """With validation off the handlers meet the raw values: they must still answer a tool error."""
    outcomes: Counter[str] = Counter()
    with TestClient(_app(validate_tool_input=validate), base_url=LOCAL) as client:
        mcp = Mcp(client)
        tools = _builtin_tools(mcp)
        assert len(tools) >= 10
        for tool in tools:
            for arguments in _wrong_arguments(tool.get("inputSchema") or {}):
                outcomes[
                    tool["name"] + (" error" if '"isError":true' in mcp.call(tool["name"], arguments) else "")
                ] += 1
            # Arguments that are not an object at all.
            for arguments in ([], "x", 3):
                mcp.post(
                    json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "id": 9,
                            "method": "tools/call",
                            "params": {"name": tool["name"], "arguments": arguments},
                        }
                    ).encode(),
                    "session",
                )
    assert sum(outcomes.values()) > 100
    print(f"\n{sum(outcomes.values())} calls: {dict(outcomes)}")
