"""Secrets at rest (ADR 0030): AES-GCM sealed values open only with the same key and record context."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynamic_mcp.adapters.security.secret_box import AesGcmSecretBox
from dynamic_mcp.domain.errors import Invalid

KEY = "a-secret-key-for-the-unit-tests"


@given(st.text(max_size=200), st.text(max_size=50))
def test_a_sealed_value_opens_to_itself_and_never_holds_the_plain_text(plain: str, context: str) -> None:
    box = AesGcmSecretBox(KEY)
    sealed = box.seal(plain, context)
    assert box.open(sealed, context) == plain
    assert len(plain) < 4 or plain not in sealed


def test_sealing_twice_gives_different_values() -> None:
    box = AesGcmSecretBox(KEY)
    assert box.seal("token", "c") != box.seal("token", "c")


def test_a_value_moved_to_another_record_does_not_open() -> None:
    box = AesGcmSecretBox(KEY)
    sealed = box.seal("alice-token", "credential:up:alice@example.com")
    with pytest.raises(Invalid, match="cannot be opened"):
        box.open(sealed, "credential:up:bob@example.com")


def test_another_key_cannot_open_and_tampering_is_detected() -> None:
    sealed = AesGcmSecretBox(KEY).seal("token", "c")
    with pytest.raises(Invalid):
        AesGcmSecretBox(KEY + "-other").open(sealed, "c")
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(Invalid):
        AesGcmSecretBox(KEY).open(flipped, "c")


def test_without_a_key_nothing_is_sealed() -> None:
    box = AesGcmSecretBox(None)
    assert not box.available
    with pytest.raises(Invalid, match="SECRET_KEY"):
        box.seal("token", "c")
