"""The audit rules: secrets never stored, the recorder never blocks or fails a call, reading rights."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynamic_mcp.adapters.memory.audit import InMemoryAuditStore
from dynamic_mcp.application.audit import AuditQueries, AuditRecorder
from dynamic_mcp.application.context import bound
from dynamic_mcp.domain.audit import REDACTED, AuditEntry, AuditPage, AuditQuery, recorded_arguments, redact
from dynamic_mcp.domain.errors import Forbidden, Invalid, StorageUnavailable
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.metrics import NoMetrics


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)


class CountingMetrics(NoMetrics):
    def __init__(self) -> None:
        self.dropped = 0

    def audit_dropped(self, count: int = 1) -> None:
        self.dropped += count


class BrokenStore(InMemoryAuditStore):
    async def append(self, entries: Sequence[AuditEntry]) -> None:
        raise StorageUnavailable("down")


words = st.text(alphabet=st.characters(categories=["L", "Zs"]), max_size=20)


@given(words, words)
def test_an_api_key_inside_any_text_is_redacted(before: str, after: str) -> None:
    text = f"{before}{uuid.uuid4()}{after}"
    assert redact({"note": text, "nested": [text]}) == {"note": REDACTED, "nested": [REDACTED]}


@pytest.mark.parametrize(
    "secret",
    [
        "Bearer abc.def",
        "ghp_0123456789abcdefghijABCDEF",
        "sk-live-0123456789abcdef",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sgn",
        "a" * 40,
        "0123456789abcdef0123456789abcdef",
    ],
)
def test_token_shapes_are_redacted(secret: str) -> None:
    assert redact({"q": secret}) == {"q": REDACTED}


def test_plain_values_and_secret_names_are_handled() -> None:
    args = {"city": "Paris", "count": 3, "ok": True, "password": "hunter2", "apiKey": 12345, "token": None}
    assert redact(args) == {
        "city": "Paris",
        "count": 3,
        "ok": True,
        "password": REDACTED,
        "apiKey": REDACTED,
        "token": None,
    }


def test_argument_modes() -> None:
    args = {"b": str(uuid.uuid4()), "a": 1}
    assert recorded_arguments(args, "none") is None
    assert recorded_arguments(args, "keys") == ["a", "b"]
    assert recorded_arguments(args, "full") == {"b": REDACTED, "a": 1}


async def test_a_full_buffer_drops_and_counts_instead_of_blocking() -> None:
    metrics = CountingMetrics()
    recorder = AuditRecorder(InMemoryAuditStore(), FixedClock(), instance="i", capacity=2, metrics=metrics)
    for _ in range(5):
        recorder.record("echo:echo", "ok", 0.001, user="a@x.com")
    assert recorder.pending == 2
    assert metrics.dropped == 3


async def test_a_failing_store_never_fails_the_caller() -> None:
    metrics = CountingMetrics()
    recorder = AuditRecorder(BrokenStore(), FixedClock(), instance="i", metrics=metrics)
    recorder.record("echo:echo", "ok", 0.001, user="a@x.com")
    await recorder.flush()
    assert metrics.dropped == 1
    assert recorder.pending == 0


async def test_entries_take_the_request_context_and_sort_in_order() -> None:
    store = InMemoryAuditStore()
    recorder = AuditRecorder(store, FixedClock(), instance="host:1", arguments="keys")
    with bound(request_id="r-1", user_email="a@x.com", session="abcd1234", door="rest"):
        recorder.record("POST /api/v1/users", "ok", 0.002, arguments={"email": "x"})
        recorder.record("POST /api/v1/users", "invalid", 0.002)
    await recorder.flush()
    page = await store.query(AuditQuery())
    newest, oldest = page.entries
    assert (oldest.user, oldest.door, oldest.request_id, oldest.session) == ("a@x.com", "rest", "r-1", "abcd1234")
    assert oldest.arguments == ["email"]
    assert newest.outcome == "invalid" and newest.id > oldest.id


async def test_only_admins_read_everyone_and_limits_are_bounded() -> None:
    store = InMemoryAuditStore()
    recorder = AuditRecorder(store, FixedClock(), instance="i")
    recorder.record("echo:echo", "ok", 0.0, user="a@x.com")
    recorder.record("echo:echo", "ok", 0.0, user="b@x.com")
    queries = AuditQueries(store, recorder)
    plain = User(email="a@x.com", roles=("user",))
    admin = User(email="root@x.com", roles=("admin",))
    with pytest.raises(Forbidden):
        await queries.entries(plain, AuditQuery())
    mine = await queries.my_entries(plain, AuditQuery(user="b@x.com"))
    assert {e.user for e in mine.entries} == {"a@x.com"}
    everyone: AuditPage = await queries.entries(admin, AuditQuery())
    assert len(everyone.entries) == 2
    with pytest.raises(Invalid):
        await queries.entries(admin, AuditQuery(limit=10_000))
