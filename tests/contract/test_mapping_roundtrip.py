"""The Mongo mappers are symmetric and keep the original's field names (docs/access.md, docs/compatibility.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import bson
from bson.codec_options import CodecOptions
from hypothesis import given

from dynamic_mcp.adapters.mongo.mappers import (
    prompt_from_document,
    prompt_to_document,
    tool_from_document,
    tool_to_document,
    user_from_document,
    user_to_document,
)
from dynamic_mcp.domain.prompts import Prompt
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import HandlerRef, Tool
from dynamic_mcp.domain.users import ApiKeyDigest, User
from tests.support import strategies as s

USER_KEYS = {
    "email", "name", "roles", "apiKeyHash", "apiKeyPrefix", "sharedTools", "hiddenTools",
    "applicationAuthentication", "applicationAuthorization", "createdAt", "updatedAt",
}  # fmt: skip
# Fields of this server's own, written only when set (a user without them keeps the original shape).
ADDED_USER_KEYS = {"rateLimits", "sharedResources", "hiddenResources"}
SHARE_KEYS = {"toolId", "sharedBy", "accessLevel", "sharedAt"}
TOOL_KEYS = {
    "name", "creator", "description", "inputSchema", "annotations", "handler", "rolesPermitted",
    "alwaysVisible", "lastUsed", "createdAt", "updatedAt",
}  # fmt: skip
PROMPT_KEYS = {
    "name", "description", "arguments", "handler", "createdBy", "rolesPermitted", "alwaysVisible",
    "createdAt", "updatedAt",
}  # fmt: skip
ARGUMENT_KEYS = {"name", "description", "required"}
OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)


def through_bson(doc: dict[str, Any]) -> dict[str, Any]:
    """What the server would hand back: encoded to BSON and decoded as the client does (tz_aware)."""
    return bson.decode(bson.encode(doc), OPTIONS)


@given(s.users)
def test_user_survives_a_trip_through_bson(user: User) -> None:
    doc = user_to_document(user)
    assert set(doc) <= USER_KEYS | ADDED_USER_KEYS
    assert ("sharedResources" in doc) == bool(user.shared_resources)
    assert ("hiddenResources" in doc) == bool(user.hidden_resources)
    assert all(set(share) <= SHARE_KEYS for share in doc.get("sharedTools", []))
    assert user_from_document(through_bson(doc)) == user


@given(s.tools)
def test_tool_survives_a_trip_through_bson(tool: Tool) -> None:
    doc = tool_to_document(tool)
    assert set(doc) <= TOOL_KEYS and set(doc["handler"]) == {"type", "config"}
    assert tool_from_document(through_bson(doc)) == tool


@given(s.prompts)
def test_prompt_survives_a_trip_through_bson(prompt: Prompt) -> None:
    doc = prompt_to_document(prompt)
    assert set(doc) <= PROMPT_KEYS
    assert all(set(arg) <= ARGUMENT_KEYS for arg in doc.get("arguments", []))
    assert prompt_from_document(through_bson(doc)) == prompt


def test_a_complete_user_uses_exactly_the_original_field_names() -> None:
    when = datetime(2025, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
    user = User(
        email="ann@example.com",
        name="Ann",
        roles=("user",),
        api_key=ApiKeyDigest("h" * 64, "abcdefgh"),
        shared_tools=(Share("bob@example.com:t", "bob@example.com", AccessLevel.WRITE, when),),
        hidden_tools=("x:y",),
        application_authentication={"crm": {"token": "t"}},
        application_authorization={"crm": ["read"]},
        created_at=when,
        updated_at=when,
    )
    doc = user_to_document(user)
    assert set(doc) == USER_KEYS
    assert doc["sharedTools"] == [
        {"toolId": "bob@example.com:t", "sharedBy": "bob@example.com", "accessLevel": "write", "sharedAt": when}
    ]
    assert (doc["apiKeyHash"], doc["apiKeyPrefix"]) == ("h" * 64, "abcdefgh")


def test_optional_fields_left_empty_are_not_written() -> None:
    doc = tool_to_document(Tool(name="t", creator="c", input_schema={"type": "object"}, handler=HandlerRef("p")))
    assert doc == {
        "name": "t",
        "creator": "c",
        "inputSchema": {"type": "object"},
        "handler": {"type": "p", "config": {}},
        "alwaysVisible": False,
    }


def test_a_document_written_by_the_original_server_loads() -> None:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    legacy = {
        "_id": bson.ObjectId(),
        "__v": 3,
        "email": "ann@example.com",
        "roles": None,
        "apiKey": "plain-key-never-mapped",
        "sharedTools": [
            {"_id": bson.ObjectId(), "toolId": "echo", "sharedBy": "bob@example.com", "accessLevel": "read"},
            {"toolId": "bob@example.com:t", "sharedBy": "bob@example.com", "sharedAt": when},
        ],
        "usedTools": ["echo"],
        "createdAt": when.replace(tzinfo=None),  # a client without tz_aware reads naive UTC
    }
    user = user_from_document(legacy)
    assert user == User(
        email="ann@example.com",
        shared_tools=(Share("echo", "bob@example.com"), Share("bob@example.com:t", "bob@example.com", shared_at=when)),
        created_at=when,
    )
    tool = tool_from_document(
        {"_id": 1, "name": "echo", "creator": "system", "inputSchema": {"type": "object"}, "handler": {"type": "p"}}
    )
    assert (tool.always_visible, tool.handler.config, tool.roles_permitted) == (False, {}, None)
