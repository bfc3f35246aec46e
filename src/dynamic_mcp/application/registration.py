"""Registering handler packages: store their definitions, prune the undeclared (docs/tools.md)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import attrs

from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.definitions import parse_roles, tool_from_definition
from dynamic_mcp.application.packages import HandlerPackage, HandlerRegistry
from dynamic_mcp.application.resource_registration import ResourceRegistration
from dynamic_mcp.domain.documents import check_storable
from dynamic_mcp.domain.errors import Invalid
from dynamic_mcp.domain.events import PromptListChanged
from dynamic_mcp.domain.prompts import Prompt, PromptArgument
from dynamic_mcp.domain.tools import SYSTEM_CREATOR, Tool, validate_handler
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.events import EventPublisher
from dynamic_mcp.ports.repositories import PromptRepository, VersionedToolRepository
from dynamic_mcp.ports.validation import SchemaValidator

log = logging.getLogger(__name__)


def parse_prompt_arguments(arguments: object) -> tuple[PromptArgument, ...]:
    check_storable(arguments, "prompt arguments")
    if not isinstance(arguments, list) or not all(
        isinstance(a, Mapping) and isinstance(a.get("name"), str) and a["name"] for a in arguments
    ):
        raise Invalid("prompt arguments must be an array of objects with a name")
    return tuple(
        PromptArgument(str(a["name"]), a.get("description"), bool(a.get("required", False))) for a in arguments
    )


def prompt_from_definition(definition: Mapping[str, Any], created_by: str) -> Prompt:
    name = definition.get("name")
    if not isinstance(name, str) or not name:
        raise Invalid("A prompt definition requires a name")
    return Prompt(
        name=name,
        handler=validate_handler(definition.get("handler")),
        created_by=created_by,
        description=definition.get("description"),
        arguments=parse_prompt_arguments(definition.get("arguments") or []),
        roles_permitted=parse_roles(definition.get("rolesPermitted")),
        always_visible=bool(definition.get("alwaysVisible", False)),
    )


class PackageRegistrar:
    def __init__(
        self,
        registry: HandlerRegistry,
        tools: VersionedToolRepository,
        prompts: PromptRepository,
        catalog: Catalog,
        validator: SchemaValidator,
        events: EventPublisher,
        clock: Clock,
        omitted: frozenset[str] = frozenset(),
        resources: ResourceRegistration | None = None,
    ) -> None:
        self._registry = registry
        self._tools = tools
        self._prompts = prompts
        self._catalog = catalog
        self._validator = validator
        self._events = events
        self._clock = clock
        self._omitted = omitted
        self._resources = resources

    def is_omitted(self, name: str) -> bool:
        return name in self._omitted

    async def reset_system_catalogue(self) -> None:
        """legacy ``system`` tools and prompts go; packages re-register theirs."""
        await self._tools.delete_by_creator(SYSTEM_CREATOR)
        await self._prompts.delete_by_creator(SYSTEM_CREATOR)

    async def register(self, package: HandlerPackage, *, announce: bool = False) -> None:
        """Validate everything first, then store; nothing is written for an invalid package."""
        if self.is_omitted(package.name):
            await self._tools.delete_by_creator(package.name)
            await self._prompts.delete_by_creator(package.name)
            if self._resources is not None:
                await self._resources.omit(package.name)
            log.info("handler package omitted", extra={"package": package.name})
            return
        tools = [tool_from_definition(d, package.name, self._validator) for d in package.tools]
        prompts = [prompt_from_definition(d, package.name) for d in package.prompts]
        resources = self._resources.parse(package) if self._resources is not None else []
        before = await self._tools.of_creator(package.name)
        now = self._clock.now()
        stored: list[Tool] = []
        for tool in tools:
            # the store keeps an existing tool's createdAt (ToolRepository.upsert contract)
            stored.append(await self._tools.upsert(attrs.evolve(tool, updated_at=now)))
        await self._tools.delete_by_creator(package.name, frozenset(t.name for t in tools))
        for prompt in prompts:
            await self._prompts.upsert(attrs.evolve(prompt, created_at=now, updated_at=now))
        await self._prompts.delete_by_creator(package.name, frozenset(p.name for p in prompts))
        self._registry.add(package)
        if self._resources is not None:
            await self._resources.store(package, resources, announce=announce)
        if package.init is not None:
            await package.init()
        if announce:
            await self._catalog.announce_tool_change(*before, *stored)
            if prompts:
                await self._events.publish(PromptListChanged(None))
