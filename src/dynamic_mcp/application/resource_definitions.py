"""Resource definitions as plain camelCase dicts (docs/resources.md) <-> domain Resources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamic_mcp.application.definitions import parse_roles
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.resources import (
    Resource,
    optional_label,
    validate_completions,
    validate_content,
    validate_uri,
)
from dynamic_mcp.domain.tools import HandlerRef, validate_handler
from dynamic_mcp.ports.uri_templates import UriTemplates

WRAPPER_KEY = "resourceDefinition"
FIELDS = frozenset(
    {
        "uri",
        "uriTemplate",
        "name",
        "title",
        "description",
        "mimeType",
        "text",
        "blob",
        "handler",
        "rolesPermitted",
        "alwaysVisible",
        "completions",
    }
)
UPDATABLE = FIELDS - {"uri", "uriTemplate"}
REACH_FIELDS = frozenset({"rolesPermitted", "alwaysVisible"})


def unwrap_resource(body: object) -> Mapping[str, Any]:
    """Every door takes the definition itself or ``{"resourceDefinition": {...}}``."""
    if isinstance(body, Mapping) and WRAPPER_KEY in body:
        if len(body) != 1:
            raise Invalid(f"Give either a resource definition or {{{WRAPPER_KEY!r}: definition}}, not both")
        body = body[WRAPPER_KEY]
    if not isinstance(body, Mapping):
        raise Invalid("A resource definition must be an object")
    return body


def resource_from_definition(
    definition: Mapping[str, Any], creator: str, templates: UriTemplates, max_bytes: int
) -> Resource:
    unknown = sorted(set(definition) - FIELDS)
    if unknown:
        raise Invalid(f"Unknown resource field(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(FIELDS))}")
    if ("uri" in definition) == ("uriTemplate" in definition):
        raise Invalid("A resource needs exactly one of uri or uriTemplate")
    template = "uriTemplate" in definition
    uri = validate_uri(definition.get("uriTemplate") if template else definition.get("uri"), template=template)
    variables = templates.variables(uri) if template else ()
    name = definition.get("name")
    if not isinstance(name, str) or not name.strip():
        raise Invalid("A resource needs a name")
    return Resource(
        uri=uri,
        name=str(optional_label(name, "name")),
        creator=creator,
        template=template,
        **_content_fields(definition, template=template, max_bytes=max_bytes),
        **_label_fields(definition),
        roles_permitted=parse_roles(definition.get("rolesPermitted")),
        always_visible=_always_visible(definition.get("alwaysVisible", False)),
        completions=_completions(definition.get("completions"), template, variables),
    )


def _always_visible(value: object) -> bool:
    if not isinstance(value, bool):
        raise Invalid("alwaysVisible must be a boolean")
    return value


def _completions(value: object, template: bool, variables: tuple[str, ...]) -> Any:
    if value is not None and not template:
        raise Invalid("completions apply to resource templates only")
    return validate_completions(value, variables)


def _label_fields(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": optional_label(definition.get("title"), "title"),
        "description": optional_label(definition.get("description"), "description"),
        "mime_type": optional_label(definition.get("mimeType"), "mimeType"),
    }


def _content_fields(definition: Mapping[str, Any], *, template: bool, max_bytes: int) -> dict[str, Any]:
    raw_handler = definition.get("handler")
    handler: HandlerRef | None = validate_handler(raw_handler) if raw_handler is not None else None
    text, blob = validate_content(
        definition.get("text"), definition.get("blob"), handler, template=template, max_bytes=max_bytes
    )
    return {"text": text, "blob": blob, "handler": handler}


def apply_updates(
    resource: Resource, updates: Mapping[str, Any], templates: UriTemplates, max_bytes: int
) -> dict[str, Any]:
    """Attribute changes for ``updates``: the resource's definition with them applied, re-checked whole."""
    rejected = sorted(set(updates) - UPDATABLE)
    if rejected:
        raise Invalid(f"Cannot update field(s): {', '.join(rejected)}. Allowed: {', '.join(sorted(UPDATABLE))}")
    merged = dict(resource_definition(resource, with_content=True))
    merged.pop("creator", None)
    merged.pop("size", None)
    if {"text", "blob", "handler"} & set(updates):
        for key in ("text", "blob", "handler"):
            merged.pop(key, None)
    merged.update({k: v for k, v in updates.items()})
    merged = {k: v for k, v in merged.items() if v is not None}
    changed = resource_from_definition(merged, resource.creator, templates, max_bytes)
    names = ("name", "title", "description", "mime_type", "text", "blob", "handler", "roles_permitted")
    changes = {n: getattr(changed, n) for n in names if getattr(changed, n) != getattr(resource, n)}
    for name in ("always_visible", "completions"):
        if getattr(changed, name) != getattr(resource, name):
            changes[name] = getattr(changed, name)
    return changes


def resource_definition(resource: Resource, *, with_content: bool) -> dict[str, Any]:
    """The camelCase definition; handler config and content only ``with_content`` (creator, admins)."""
    body: dict[str, Any] = {"uriTemplate" if resource.template else "uri": resource.uri, "name": resource.name}
    for key, value in (
        ("title", resource.title),
        ("description", resource.description),
        ("mimeType", resource.mime_type),
    ):
        if value is not None:
            body[key] = value
    if with_content:
        if resource.text is not None:
            body["text"] = resource.text
        if resource.blob is not None:
            body["blob"] = resource.blob
    if resource.handler is not None:
        handler: dict[str, Any] = {"type": resource.handler.type}
        if with_content:
            handler["config"] = dict(resource.handler.config)
        body["handler"] = handler
    if resource.size is not None:
        body["size"] = resource.size
    body["rolesPermitted"] = list(resource.roles_permitted) if resource.roles_permitted is not None else None
    body["alwaysVisible"] = resource.always_visible
    if resource.completions is not None:
        body["completions"] = {k: list(v) for k, v in resource.completions.items()}
    body["creator"] = resource.creator
    return body
