"""Managing resources (docs/resources.md): the rights are the tools' ones (docs/access.md), checked here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.resource_definitions import (
    REACH_FIELDS,
    apply_updates,
    resource_definition,
    resource_from_definition,
    unwrap_resource,
)
from dynamic_mcp.application.resources import ResourceService
from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import Forbidden, Invalid, NotFound
from dynamic_mcp.domain.resources import Resource
from dynamic_mcp.domain.roles import POWER_USER
from dynamic_mcp.domain.tools import MANAGEMENT_PACKAGES
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.repositories import ResourceRepository


class ResourceManagement:
    def __init__(self, resources: ResourceRepository, service: ResourceService, catalog: Catalog, clock: Clock) -> None:
        self._resources = resources
        self._service = service
        self._catalog = catalog
        self._clock = clock

    async def list_resources(self, caller: User, uri_contains: str | None = None) -> ToolOutput:
        needle = (uri_contains or "").lower()
        found = [
            r for r in await self._service.reachable(caller) if needle in r.uri.lower() or needle in r.name.lower()
        ]
        listed = [resource_definition(r, with_content=self._may_edit(caller, r)) for r in found]
        return ToolOutput(
            {"resources": listed, "total": len(listed), "filtered": bool(needle)},
            message=f"Found {len(listed)} resource(s)",
            next_steps=("Use resources/read to read one", "Use add-resource to create one")
            if listed
            else ("Use add-resource to create one",),
        )

    async def add_resource(self, caller: User, body: object) -> ToolOutput:
        if not visibility.is_manager(caller):
            raise Forbidden("Only admins and power users can create resources")
        definition = unwrap_resource(body)
        resource = resource_from_definition(definition, caller.email, self._service.templates, self._service.max_bytes)
        self._check_handler(resource)
        now = self._clock.now()
        previous = await self._resources.get(caller.email, resource.uri)
        stored = await self._resources.upsert(Resource(**{**_fields(resource), "created_at": now, "updated_at": now}))
        await self._catalog.announce_resource_change(previous, stored)
        verb = "updated" if previous is not None else "created"
        return ToolOutput(
            {"success": True, "resource": resource_definition(stored, with_content=True)},
            message=f'Resource "{stored.uri}" {verb}',
        )

    async def update_resource(self, caller: User, uri: object, updates: object, creator: object = None) -> ToolOutput:
        if not isinstance(updates, Mapping) or not updates:
            raise Invalid("Updates object is required")
        resource = await self._editable(caller, uri, creator, "update")
        if REACH_FIELDS & set(updates) and not (caller.is_admin or resource.creator == caller.email):
            raise Forbidden("Only the creator or an admin may change rolesPermitted or alwaysVisible")
        changes = apply_updates(resource, updates, self._service.templates, self._service.max_bytes)
        if "handler" in changes:
            self._check_handler(Resource(**{**_fields(resource), "handler": changes["handler"]}))
        updated = await self._resources.update(resource.creator, resource.uri, changes) if changes else resource
        content = bool({"text", "blob", "handler", "mime_type"} & set(changes))
        await self._catalog.announce_resource_change(resource, updated, content_changed=content)
        return ToolOutput(
            {"success": True, "resource": resource_definition(updated, with_content=True)},
            message=f'Resource "{updated.uri}" updated',
        )

    async def delete_resource(self, caller: User, uri: object, creator: object = None) -> ToolOutput:
        resource = await self._editable(caller, uri, creator, "delete")
        await self._resources.delete(resource.creator, resource.uri)
        await self._catalog.announce_resource_change(resource, content_changed=False)
        message = f'Resource "{resource.uri}" has been deleted'
        return ToolOutput({"success": True, "deleted": {"uri": resource.uri, "creator": resource.creator}}, message)

    async def get_resource(self, caller: User, uri: object, creator: object = None) -> dict[str, Any]:
        """One definition as its reader sees it (REST ``GET``)."""
        resource = await self.find(caller, uri, creator)
        return resource_definition(resource, with_content=self._may_edit(caller, resource))

    def _may_edit(self, caller: User, resource: Resource) -> bool:
        if resource.is_package_resource(self._catalog.packages):
            return caller.is_admin
        return caller.is_admin or (POWER_USER in caller.roles and resource.creator == caller.email)

    async def find(self, caller: User, uri: object, creator: object) -> Resource:
        """The resource with ``uri`` the caller reaches: theirs, else the only one, else name the ``creator``."""
        if not isinstance(uri, str) or not uri:
            raise Invalid("uri is required")
        if creator is not None and not isinstance(creator, str):
            raise Invalid("creator must be a string")
        user = await self._catalog.current_user(caller.email)
        candidates = [r for r in await self._service.reachable(user) if r.uri == uri]
        if creator is not None:
            candidates = [r for r in candidates if r.creator == creator]
        own = [r for r in candidates if r.creator == caller.email]
        if own:
            return own[0]
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            creators = ", ".join(sorted(r.creator for r in candidates))
            raise Invalid(f"Several resources have uri '{uri}' ({creators}); name the creator")
        raise NotFound(f"Resource '{uri}' not found")

    async def _editable(self, caller: User, uri: object, creator: object, verb: str) -> Resource:
        resource = await self.find(caller, uri, creator)
        packages = self._catalog.packages
        if resource.is_package_resource(packages):
            raise Forbidden(f"Package resources cannot be changed; '{resource.uri}' belongs to {resource.creator}")
        if not (caller.is_admin or (POWER_USER in caller.roles and resource.creator == caller.email)):
            raise NotFound(f"Resource '{resource.uri}' not found or you don't have permission to {verb} it")
        return resource

    def _check_handler(self, resource: Resource) -> None:
        if resource.handler is None:
            return
        if resource.handler.type in MANAGEMENT_PACKAGES:
            raise Forbidden("A resource cannot use a management handler")
        package = self._service.package(resource.handler.type)
        if package is None:
            raise Invalid(f"Unknown handler type: {resource.handler.type}")
        if package.resource_handler is None:
            raise Invalid(f"Handler package '{resource.handler.type}' cannot back resources")


def _fields(resource: Resource) -> dict[str, Any]:
    return attrs.asdict(resource, recurse=False)
