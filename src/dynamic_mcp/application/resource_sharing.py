"""Sharing and hiding resources (docs/resources.md): the tools' rules (docs/access.md) over resource ids.

A resource is named by its key, ``creator:uri`` (ADR 0028). Shares and hides live on the user
record beside the tool ones (``sharedResources``, ``hiddenResources``), through the same
repository operations with ``ShareKind.RESOURCE``.
"""

from __future__ import annotations

from dynamic_mcp.application.resource_management import ResourceManagement
from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.application.serialization import share_json
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import Forbidden, Invalid, NotFound
from dynamic_mcp.domain.events import ResourceListChanged, UserChanged
from dynamic_mcp.domain.sharing import AccessLevel, Share, ShareKind
from dynamic_mcp.domain.users import User, normalize_email
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.events import EventPublisher
from dynamic_mcp.ports.repositories import UserRepository

RESOURCE = ShareKind.RESOURCE


class ResourceSharing:
    def __init__(
        self, users: UserRepository, resources: ResourceManagement, events: EventPublisher, clock: Clock
    ) -> None:
        self._users = users
        self._resources = resources
        self._events = events
        self._clock = clock

    async def _changed(self, email: str) -> None:
        await self._events.publish(UserChanged(email))
        await self._events.publish(ResourceListChanged(frozenset({email})))

    async def share_resource(self, caller: User, email: str | None, uri: object, creator: object = None) -> ToolOutput:
        """Read access to one resource the caller may share (admins any, power users their own)."""
        email = normalize_email(email or "")
        if not email or not uri:
            raise Invalid("email and uri are required")
        if not visibility.is_manager(caller):
            raise Forbidden("Only admins and power users can share resources")
        if await self._users.get(email) is None:
            raise NotFound(f"User '{email}' not found")
        resource = await self._resources.find(caller, uri, creator)
        if not visibility.can_share_tool(caller, resource):
            raise Forbidden(
                f"Not permitted to share resource '{resource.resource_id}': power users may share only their own"
            )
        share = Share(resource.resource_id, caller.email, AccessLevel.READ, self._clock.now())
        recipient = await self._users.put_share(email, share, RESOURCE)
        await self._changed(email)
        return ToolOutput(
            [share_json(s) for s in recipient.shared_resources],
            message=f"Resource '{resource.resource_id}' shared with '{email}' by '{caller.email}'",
        )

    async def unshare_resource(
        self, caller: User, email: str | None, uri: object, creator: object = None
    ) -> ToolOutput:
        """Drop the caller's shares of the resource with ``email`` (admins: anyone's)."""
        email = normalize_email(email or "")
        if not email or not uri or not isinstance(uri, str):
            raise Invalid("email and uri are required")
        if creator is not None and not isinstance(creator, str):
            raise Invalid("creator must be a string")
        if not visibility.is_manager(caller):
            raise Forbidden("Only admins and power users can unshare resources")
        recipient = await self._users.get(email)
        if recipient is None:
            raise NotFound(f"User '{email}' not found")
        # the resource may be gone, or no longer reachable by the caller: unshare by key then
        ids = {f"{creator}:{uri}"} if creator else set()
        try:
            ids.add((await self._resources.find(caller, uri, creator)).resource_id)
        except NotFound:
            if not ids:
                ids.add(f"{caller.email}:{uri}")
        before = len(recipient.shared_resources)
        sharer = None if caller.is_admin else caller.email
        recipient = await self._users.remove_shares(email, frozenset(ids), sharer, RESOURCE)
        removed = before - len(recipient.shared_resources)
        if removed:
            await self._changed(email)
        return ToolOutput(
            [share_json(s) for s in recipient.shared_resources],
            message=f"Resource '{uri}' unshared from '{email}' by '{caller.email}' ({removed} share(s) removed)",
        )

    async def hide_resource(self, caller: User, uri: object, creator: object = None) -> ToolOutput:
        """Leave a reachable resource out of the caller's own resources/list (still readable)."""
        resource = await self._resources.find(caller, uri, creator)
        if resource.always_visible:
            raise Invalid(f"Always-visible resources cannot be hidden: {resource.resource_id}")
        user = await self._users.add_hidden(caller.email, [resource.resource_id], RESOURCE)
        await self._changed(caller.email)
        return self._hidden_output(user, resource.resource_id, "hidden")

    async def unhide_resource(self, caller: User, uri: object, creator: object = None) -> ToolOutput:
        if not isinstance(uri, str) or not uri:
            raise Invalid("uri is required")
        if creator is not None and not isinstance(creator, str):
            raise Invalid("creator must be a string")
        try:
            resource_id = (await self._resources.find(caller, uri, creator)).resource_id
        except NotFound:
            resource_id = f"{creator or caller.email}:{uri}"
        user = await self._users.remove_hidden(caller.email, [resource_id], RESOURCE)
        await self._changed(caller.email)
        return self._hidden_output(user, resource_id, "unhidden")

    async def hidden_resources(self, caller: User) -> ToolOutput:
        user = await self._users.get(caller.email)
        return self._hidden_output(user or caller, None, "listed")

    @staticmethod
    def _hidden_output(user: User, resource_id: str | None, verb: str) -> ToolOutput:
        message = (
            f"Resource '{resource_id}' has been {verb} for your account" if resource_id else "Your hidden resources"
        )
        return ToolOutput({"success": True, "hiddenResources": list(user.hidden_resources)}, message=message)
