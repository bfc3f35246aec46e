"""Hypothesis strategies for stored domain objects (BSON-safe: ms-precision aware UTC datetimes, int64)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from dynamic_mcp.domain.prompts import Prompt, PromptArgument
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import HandlerRef, Tool
from dynamic_mcp.domain.users import ApiKeyDigest, User

texts = st.text(max_size=12)
keys = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
names = st.text(st.characters(codec="utf-8", exclude_characters=":\x00"), min_size=1, max_size=10)
emails = st.from_regex(r"[a-z]{1,6}@[a-z]{1,6}\.com", fullmatch=True)
roles = st.lists(st.sampled_from(["admin", "power-user", "user", "Custom Role"]), max_size=3, unique=True).map(tuple)

stored_datetimes = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=10)
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)
json_objects = st.dictionaries(keys, json_values, max_size=4)

digests = st.builds(ApiKeyDigest, hash=st.text("0123456789abcdef", min_size=64, max_size=64), prefix=texts)
shares = st.builds(
    Share,
    tool_id=st.text(max_size=20),
    shared_by=texts,
    access_level=st.sampled_from(AccessLevel),
    shared_at=st.none() | stored_datetimes,
)
users = st.builds(
    User,
    email=emails,
    name=st.none() | texts,
    roles=roles,
    api_key=st.none() | digests,
    shared_tools=st.lists(shares, max_size=3).map(tuple),
    hidden_tools=st.lists(texts, max_size=3, unique=True).map(tuple),
    application_authentication=st.none() | json_objects,
    application_authorization=st.none() | json_objects,
    created_at=st.none() | stored_datetimes,
    updated_at=st.none() | stored_datetimes,
)
handlers = st.builds(HandlerRef, type=names, config=json_objects)
tools = st.builds(
    Tool,
    name=names,
    creator=texts,
    input_schema=json_objects.map(lambda d: {**d, "type": "object"}),
    handler=handlers,
    description=st.none() | texts,
    annotations=st.none() | json_objects,
    roles_permitted=st.none() | roles,
    always_visible=st.booleans(),
    created_at=st.none() | stored_datetimes,
    updated_at=st.none() | stored_datetimes,
    last_used=st.none() | stored_datetimes,
)
arguments = st.builds(PromptArgument, name=names, description=st.none() | texts, required=st.booleans())
prompts = st.builds(
    Prompt,
    name=names,
    handler=handlers,
    created_by=texts,
    description=st.none() | texts,
    arguments=st.lists(arguments, max_size=3).map(tuple),
    roles_permitted=st.none() | roles,
    always_visible=st.booleans(),
    created_at=st.none() | stored_datetimes,
    updated_at=st.none() | stored_datetimes,
)
