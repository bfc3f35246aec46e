"""Resources: MCP resources/list, templates/list, read and completion, for each caller (docs/resources.md).

Management (add, update, delete) is in ``resource_management.py``; both read through this service.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.packages import HandlerPackage, HandlerRegistry
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import DomainError, Invalid, NotFound
from dynamic_mcp.domain.resources import DEFAULT_MAX_RESOURCE_BYTES, Resource, contents_size
from dynamic_mcp.domain.templating import chain, render
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.handlers import ResourceContext
from dynamic_mcp.ports.repositories import ResourceRepository
from dynamic_mcp.ports.server import HandlerServer
from dynamic_mcp.ports.uri_templates import UriTemplates

log = logging.getLogger(__name__)

MAX_COMPLETIONS = 100


class ResourceNotFound(NotFound):
    """No resource the caller reaches answers this URI (JSON-RPC invalid params, with the uri)."""

    def __init__(self, uri: str) -> None:
        super().__init__(f"Resource not found: {uri}")
        self.uri = uri


@attrs.frozen
class ResourceContents:
    uri: str
    mime_type: str | None
    text: str | None = None
    blob: str | None = None


def _rank(user: User, resource: Resource, packages: frozenset[str]) -> tuple[int, float, str]:
    """The tools' resolution order (docs/access.md): own, another user's, package, admin-only; oldest first."""
    if resource.creator == user.email:
        rank = 0
    elif resource.is_package_resource(packages):
        rank = 2
    elif user.is_admin and not visibility.can_reach(attrs.evolve(user, roles=()), resource):
        rank = 3
    else:
        rank = 1
    return rank, resource.created_at.timestamp() if resource.created_at else 0.0, resource.creator


class ResourceService:
    def __init__(
        self,
        resources: ResourceRepository,
        catalog: Catalog,
        registry: HandlerRegistry,
        templates: UriTemplates,
        max_bytes: int = DEFAULT_MAX_RESOURCE_BYTES,
        server: HandlerServer | None = None,
    ) -> None:
        self._resources = resources
        self._catalog = catalog
        self._registry = registry
        self._templates = templates
        self.max_bytes = max_bytes
        self.server = server

    @property
    def templates(self) -> UriTemplates:
        return self._templates

    def package(self, name: str) -> HandlerPackage | None:
        return self._registry.get(name)

    async def reachable(self, user: User) -> list[Resource]:
        """Every resource and template ``user`` reaches, ordered by URI then creator."""
        found = [r for r in await self._resources.list_all() if visibility.reaches(user, r)]
        return sorted(found, key=lambda r: (r.uri, r.creator))

    async def list_resources(self, email: str) -> list[Resource]:
        user = await self._catalog.current_user(email)
        listed = [r for r in await self.reachable(user) if not r.template]
        return [
            r
            for r in _first_per_uri(user, listed, self._catalog.packages)
            if not visibility.is_resource_hidden(user, r)
        ]

    async def list_templates(self, email: str) -> list[Resource]:
        user = await self._catalog.current_user(email)
        listed = [r for r in await self.reachable(user) if r.template]
        return [
            r
            for r in _first_per_uri(user, listed, self._catalog.packages)
            if not visibility.is_resource_hidden(user, r)
        ]

    async def resolve(self, user: User, uri: str) -> tuple[Resource, dict[str, str]]:
        """The resource answering ``uri`` for ``user``: a plain one first, else a matching template."""
        reachable = await self.reachable(user)
        packages = self._catalog.packages
        plain = [r for r in reachable if not r.template and r.uri == uri]
        if plain:
            return min(plain, key=lambda r: _rank(user, r, packages)), {}
        matches: list[tuple[Resource, dict[str, str]]] = []
        for resource in reachable:
            if resource.template:
                variables = self._templates.match(resource.uri, uri)
                if variables is not None:
                    matches.append((resource, variables))
        if not matches:
            raise ResourceNotFound(uri)
        return min(matches, key=lambda m: _rank(user, m[0], packages))

    async def read(self, email: str, uri: str, *, session_id: str | None = None) -> list[ResourceContents]:
        if not isinstance(uri, str) or not uri:
            raise Invalid("A resource uri is required")
        user = await self._catalog.current_user(email)
        resource, variables = await self.resolve(user, uri)
        if resource.text is not None:
            text = resource.text
            if resource.template:
                text = str(render(text, chain(variables)))
            return [ResourceContents(uri, resource.mime_type, text=text)]
        if resource.blob is not None:
            return [ResourceContents(uri, resource.mime_type, blob=resource.blob)]
        return await self._produce(user, resource, uri, variables, session_id)

    async def _produce(
        self, user: User, resource: Resource, uri: str, variables: dict[str, str], session_id: str | None
    ) -> list[ResourceContents]:
        assert resource.handler is not None
        package = self._registry.get(resource.handler.type)
        if package is None or package.resource_handler is None:
            raise Invalid(f"Resource '{uri}' has no handler that can read it ({resource.handler.type})")
        context = ResourceContext(session_id=session_id, user=user, uri=uri, resource=resource, server=self.server)
        try:
            output = await package.resource_handler(uri, variables, context, resource.handler.config)
        except DomainError:
            raise
        except Exception as exc:
            log.exception("resource handler failed", extra={"resource": uri})
            raise Invalid(f"Resource '{uri}' failed with an internal error") from exc
        return self._contents(uri, resource, output)

    def _contents(self, uri: str, resource: Resource, output: Any) -> list[ResourceContents]:
        if not isinstance(output, Mapping):
            raise Invalid(f"Resource '{uri}' handler returned no contents")
        entries = output.get("contents", [output])
        if not isinstance(entries, list) or not entries:
            raise Invalid(f"Resource '{uri}' handler returned no contents")
        contents: list[ResourceContents] = []
        total = 0
        for entry in entries:
            if not isinstance(entry, Mapping):
                raise Invalid(f"Resource '{uri}' handler returned malformed contents")
            text, blob = entry.get("text"), entry.get("blob")
            if not (isinstance(text, str) ^ isinstance(blob, str)):
                raise Invalid(f"Resource '{uri}' handler must return text or blob (base64) for each entry")
            total += contents_size(entry)
            if total > self.max_bytes:
                raise Invalid(f"Resource '{uri}' is larger than {self.max_bytes} bytes (MAX_RESOURCE_BYTES)")
            mime = entry.get("mimeType", resource.mime_type)
            contents.append(
                ResourceContents(
                    str(entry.get("uri") or uri), mime if isinstance(mime, str) else None, text=text, blob=blob
                )
            )
        return contents

    async def complete(
        self, email: str, uri_template: str, argument: str, value: str, context: Mapping[str, str] | None = None
    ) -> list[str]:
        """Values for one variable of a template the caller reaches (``completion/complete``,
        ``ref/resource``): the template's ``completions[argument]`` values starting with ``value``."""
        user = await self._catalog.current_user(email)
        candidates = [r for r in await self.reachable(user) if r.template and r.uri == uri_template]
        if not candidates:
            raise ResourceNotFound(uri_template)
        template = min(candidates, key=lambda r: _rank(user, r, self._catalog.packages))
        options = (template.completions or {}).get(argument, ())
        return [o for o in options if o.startswith(value or "")][:MAX_COMPLETIONS]


def _first_per_uri(user: User, resources: Iterable[Resource], packages: frozenset[str]) -> list[Resource]:
    """One entry per URI: the one ``read`` would pick, so a listing never shows two of one URI."""
    best: dict[str, Resource] = {}
    for resource in resources:
        current = best.get(resource.uri)
        if current is None or _rank(user, resource, packages) < _rank(user, current, packages):
            best[resource.uri] = resource
    return sorted(best.values(), key=lambda r: r.uri)
