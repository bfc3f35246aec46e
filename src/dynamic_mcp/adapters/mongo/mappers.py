"""Domain objects <-> MongoDB documents, with the original field names (docs/access.md, docs/compatibility.md).

One cattrs converter, configured field by field below, so the mapping is explicit and symmetric:

* writing: attribute ``roles_permitted`` becomes key ``rolesPermitted`` (the tables below); an
  optional attribute holding ``None`` is left out of the document; ``User.api_key`` is stored flat
  as ``apiKeyHash`` + ``apiKeyPrefix``;
* reading: the same names back; a missing or ``null`` key takes the attribute's default, so
  documents written by the original server (no ``alwaysVisible``, no ``sharedAt``, Mongoose
  ``_id``/``__v`` keys) load; unknown keys, ``_id`` included, are ignored.

Datetimes are stored as BSON dates (milliseconds) and read back as aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.bson import BsonConverter, make_converter

from dynamic_mcp.domain.prompts import Prompt, PromptArgument
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.sharing import AccessLevel, Share
from dynamic_mcp.domain.tools import HandlerRef, Tool
from dynamic_mcp.domain.users import ApiKeyDigest, User

Document = dict[str, Any]

API_KEY_HASH = "apiKeyHash"
API_KEY_PREFIX = "apiKeyPrefix"
LEGACY_API_KEY = "apiKey"

# attribute name -> document key, for every attribute of every stored class
SHARE_FIELDS = {"tool_id": "toolId", "shared_by": "sharedBy", "access_level": "accessLevel", "shared_at": "sharedAt"}
USER_FIELDS = {
    "email": "email",
    "name": "name",
    "roles": "roles",
    "shared_tools": "sharedTools",
    "hidden_tools": "hiddenTools",
    "shared_resources": "sharedResources",
    "hidden_resources": "hiddenResources",
    "application_authentication": "applicationAuthentication",
    "application_authorization": "applicationAuthorization",
    "rate_limits": "rateLimits",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
}  # plus api_key -> apiKeyHash / apiKeyPrefix, handled by hand
HANDLER_FIELDS = {"type": "type", "config": "config"}
TOOL_FIELDS = {
    "name": "name",
    "creator": "creator",
    "description": "description",
    "input_schema": "inputSchema",
    "annotations": "annotations",
    "handler": "handler",
    "roles_permitted": "rolesPermitted",
    "always_visible": "alwaysVisible",
    "output_schema": "outputSchema",
    "title": "title",
    "icons": "icons",
    "last_used": "lastUsed",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
}
ARGUMENT_FIELDS = {"name": "name", "description": "description", "required": "required"}
PROMPT_FIELDS = {
    "name": "name",
    "description": "description",
    "arguments": "arguments",
    "handler": "handler",
    "created_by": "createdBy",
    "roles_permitted": "rolesPermitted",
    "always_visible": "alwaysVisible",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
}
RESOURCE_FIELDS = {
    "uri": "uri",
    "name": "name",
    "creator": "creator",
    "template": "template",
    "title": "title",
    "description": "description",
    "mime_type": "mimeType",
    "text": "text",
    "blob": "blob",
    "handler": "handler",
    "roles_permitted": "rolesPermitted",
    "always_visible": "alwaysVisible",
    "completions": "completions",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
}


def _as_utc(value: Any, _: type) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _without_nulls(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


def _register(
    conv: BsonConverter,
    cls: type[Any],
    fields: Mapping[str, str],
    skip: frozenset[str] = frozenset(),
    sparse: frozenset[str] = frozenset(),
) -> None:
    """Hooks for ``cls`` renaming attributes by ``fields``; ``skip`` attributes are mapped by the caller;
    ``sparse`` ones (fields the original never had) are written only when they differ from their default."""
    attrs.resolve_types(cls)
    names = {a.name for a in attrs.fields(cls)} - skip
    if names != set(fields):
        raise TypeError(f"{cls.__name__}: document field table does not match attributes {sorted(names)}")
    overrides: dict[str, Any] = {}
    for a in attrs.fields(cls):
        if a.name in skip:
            overrides[a.name] = override(omit=True)
        else:
            omit = a.default is None or a.name in sparse
            overrides[a.name] = override(rename=fields[a.name], omit_if_default=omit)
    unstructure = make_dict_unstructure_fn(cls, conv, **overrides)
    structure = make_dict_structure_fn(cls, conv, **overrides)
    conv.register_unstructure_hook(cls, unstructure)
    conv.register_structure_hook(cls, lambda doc, _: structure(_without_nulls(doc), cls))


def _make_converter() -> BsonConverter:
    conv = make_converter()
    conv.register_unstructure_hook(AccessLevel, lambda level: level.value)
    conv.register_structure_hook(datetime, _as_utc)
    _register(conv, Share, SHARE_FIELDS)
    _register(conv, HandlerRef, HANDLER_FIELDS)
    _register(conv, PromptArgument, ARGUMENT_FIELDS)
    # A user without resource shares or hides keeps exactly the original's document shape.
    _register(
        conv, User, USER_FIELDS, skip=frozenset({"api_key"}), sparse=frozenset({"shared_resources", "hidden_resources"})
    )
    _register(conv, Tool, TOOL_FIELDS)
    _register(conv, Prompt, PROMPT_FIELDS)
    _register(conv, Resource, RESOURCE_FIELDS)
    return conv


converter = _make_converter()


def user_to_document(user: User) -> Document:
    doc: Document = converter.unstructure(user, User)
    if user.api_key is not None:
        doc[API_KEY_HASH] = user.api_key.hash
        doc[API_KEY_PREFIX] = user.api_key.prefix
    return doc


def user_from_document(doc: Mapping[str, Any]) -> User:
    user = converter.structure(doc, User)
    key_hash = doc.get(API_KEY_HASH)
    if isinstance(key_hash, str) and key_hash:
        user = attrs.evolve(user, api_key=ApiKeyDigest(hash=key_hash, prefix=doc.get(API_KEY_PREFIX) or ""))
    return user


def share_to_document(share: Share) -> Document:
    doc: Document = converter.unstructure(share, Share)
    return doc


def share_from_document(doc: Mapping[str, Any]) -> Share:
    return converter.structure(doc, Share)


def tool_to_document(tool: Tool) -> Document:
    doc: Document = converter.unstructure(tool, Tool)
    return doc


def tool_from_document(doc: Mapping[str, Any]) -> Tool:
    return converter.structure(doc, Tool)


def prompt_to_document(prompt: Prompt) -> Document:
    doc: Document = converter.unstructure(prompt, Prompt)
    return doc


def prompt_from_document(doc: Mapping[str, Any]) -> Prompt:
    return converter.structure(doc, Prompt)


def field_changes(cls: type[Any], changes: Mapping[str, Any], fields: Mapping[str, str]) -> tuple[Document, Document]:
    """``$set`` and ``$unset`` operands for attribute ``changes`` of a stored ``cls``.

    An unknown attribute is a TypeError, as ``attrs.evolve`` raises in the in-memory store; ``None``
    removes the key, as writing the whole object would.
    """
    attributes = attrs.fields_dict(cls)
    to_set: Document = {}
    to_unset: Document = {}
    for name, value in changes.items():
        if name not in fields:
            raise TypeError(f"{cls.__name__} has no stored attribute {name!r}")
        if value is None:
            to_unset[fields[name]] = ""
        else:
            to_set[fields[name]] = converter.unstructure(value, unstructure_as=attributes[name].type)
    return to_set, to_unset


def resource_to_document(resource: Resource) -> Document:
    doc: Document = converter.unstructure(resource, Resource)
    return doc


def resource_from_document(doc: Mapping[str, Any]) -> Resource:
    return converter.structure(doc, Resource)
