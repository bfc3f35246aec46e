"""User management use cases (docs/access.md, rights docs/access.md)."""

from __future__ import annotations

from typing import Any

from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.onboarding import Onboarding
from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.application.serialization import user_json
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import Conflict, Forbidden, Invalid, NotFound
from dynamic_mcp.domain.events import (
    PromptListChanged,
    ResourceListChanged,
    ToolListChanged,
    UserChanged,
    UserSessionsRevoked,
)
from dynamic_mcp.domain.limits import parse_rate_limits
from dynamic_mcp.domain.roles import ADMIN, BUILT_IN_ROLES, validate_roles
from dynamic_mcp.domain.sharing import AccessLevel, Share, with_share
from dynamic_mcp.domain.users import User, is_valid_email, normalize_email
from dynamic_mcp.ports.auth import KeyIssuer
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.events import EventPublisher
from dynamic_mcp.ports.repositories import (
    UNSET,
    PromptRepository,
    ResourceRepository,
    UserFields,
    UserRepository,
    VersionedToolRepository,
)

DEFAULT_PAGE = 20
MAX_PAGE = 1000
# Stores take skip as a 64-bit integer; no real listing is this long, so bound it well inside that.
MAX_SKIP = 1_000_000_000


def require_admin(caller: User, message: str) -> None:
    """checked inside the action, however the tool was reached."""
    if not caller.is_admin:
        raise Forbidden(message)


def parse_new_roles(roles: object, allowed: tuple[str, ...] = BUILT_IN_ROLES) -> tuple[str, ...]:
    """One rule for every door: the built-in roles plus those configured in EXTRA_ROLES."""
    if roles is None:
        return ()
    if not isinstance(roles, list | tuple) or not all(isinstance(r, str) and r for r in roles):
        raise Invalid("roles must be an array of role names")
    return validate_roles(roles, allowed)


class UserService:
    def __init__(
        self,
        users: UserRepository,
        catalog: Catalog,
        keys: KeyIssuer,
        events: EventPublisher,
        onboarding: Onboarding,
        clock: Clock,
        tools: VersionedToolRepository,
        prompts: PromptRepository,
        allowed_roles: tuple[str, ...] = BUILT_IN_ROLES,
        resources: ResourceRepository | None = None,
    ) -> None:
        self._users = users
        self._catalog = catalog
        self._keys = keys
        self._events = events
        self._onboarding = onboarding
        self._clock = clock
        self._tools = tools
        self._prompts = prompts
        self.allowed_roles = allowed_roles
        self._resources = resources

    async def list_users(
        self, caller: User, name_contains: str | None = None, skip: int = 0, limit: int = DEFAULT_PAGE
    ) -> ToolOutput:
        if skip < 0 or limit < 0:
            raise Invalid("skip and limit must not be negative")
        if skip > MAX_SKIP:
            raise Invalid(f"skip must be at most {MAX_SKIP}")
        page = await self._users.list_users(name_contains or None, skip, min(limit, MAX_PAGE))
        users = [{"email": u.email, "name": u.name} for u in page]
        matching = f' matching "{name_contains}"' if name_contains else ""
        return ToolOutput(
            {"users": users, "total": len(users)},
            message=f"Found {len(users)} users{matching}",
            next_steps=("To get more information about a specific user, use the 'user-info' tool with their email.",),
        )

    async def add_user(
        self, caller: User, email: str | None, name: str | None = None, roles: object = None
    ) -> ToolOutput:
        require_admin(caller, "Only admins can add users")
        email = normalize_email(email or "")
        if not email:
            raise Invalid("Email is required")
        if not is_valid_email(email):
            raise Invalid(f"'{email}' is not a valid email address")
        parsed_roles = parse_new_roles(roles, self.allowed_roles)
        if await self._users.get(email) is not None:
            raise Conflict(f"User '{email}' already exists")
        issued = self._keys.issue()
        now = self._clock.now()
        user = await self._users.add(
            User(email=email, name=name, roles=parsed_roles, api_key=issued.digest, created_at=now, updated_at=now)
        )
        await self._onboarding.send_key(email, issued.plain, "An account was created for you.")
        return ToolOutput(
            {"email": user.email, "name": user.name, "roles": list(user.roles), "apiKey": issued.plain},
            message=f"User '{email}' added successfully. The API key is shown only this once.",
        )

    async def provision(self, email: str, name: str | None = None) -> User:
        """A new user with role ``user`` for an email an external identity provider vouches for
        (OAUTH_AUTO_PROVISION, docs/oauth.md). The key is issued but never shown: the user signs in
        through the provider, and may reset the key to get one."""
        email = normalize_email(email)
        if not is_valid_email(email):
            raise Invalid(f"'{email}' is not a valid email address")
        issued = self._keys.issue()
        now = self._clock.now()
        try:
            return await self._users.add(
                User(email=email, name=name, roles=("user",), api_key=issued.digest, created_at=now, updated_at=now)
            )
        except Conflict:
            existing = await self._users.get(email)  # provisioned by a concurrent request
            if existing is None:
                raise
            return existing

    async def update_user(self, caller: User, email: str | None, changes: dict[str, Any]) -> ToolOutput:
        email = normalize_email(email or "")
        if not email:
            raise Invalid("Email is required")
        allowed = {"name", "roles", "sharedTools", "rateLimits"}
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise Invalid(
                f"Cannot update field(s): {', '.join(unknown)}. Allowed: name, roles, sharedTools, rateLimits"
            )
        if not caller.is_admin and (caller.email != email or set(changes) - {"name"}):
            raise Forbidden("Not authorized to update this user")
        target = await self._users.get(email)
        if target is None:
            raise NotFound(f"User '{email}' not found")
        name = changes.get("name", UNSET)
        if name is not UNSET and name is not None and not isinstance(name, str):
            raise Invalid("name must be a string")
        roles = parse_new_roles(changes["roles"], self.allowed_roles) if "roles" in changes else UNSET
        if roles is not UNSET and ADMIN not in roles:
            await self._require_another_admin(target, "remove the admin role from")
        shares = self._parse_shares(changes["sharedTools"], caller) if "sharedTools" in changes else UNSET
        limits = parse_rate_limits(changes["rateLimits"]) if "rateLimits" in changes else UNSET
        fields = UserFields(name=name, roles=roles, shared_tools=shares, rate_limits=limits)
        user = await self._users.update_fields(email, fields)
        await self._events.publish(UserChanged(email))
        if roles is not UNSET or shares is not UNSET:
            await self._events.publish(ToolListChanged(frozenset({email})))
        if roles is not UNSET:
            await self._events.publish(PromptListChanged(frozenset({email})))
            await self._events.publish(ResourceListChanged(frozenset({email})))
        return ToolOutput(user_json(user), message=f"User '{email}' updated successfully")

    def _parse_shares(self, value: object, caller: User) -> tuple[Share, ...]:
        if not isinstance(value, list):
            raise Invalid("sharedTools must be an array of share objects")
        shares: tuple[Share, ...] = ()
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("toolId"), str) or not item["toolId"]:
                raise Invalid("each sharedTools entry needs a toolId string")
            level = item.get("accessLevel", "read")
            if level not in ("read", "write"):
                raise Invalid("accessLevel must be 'read' or 'write'")
            sharer = item.get("sharedBy") or caller.email
            if not isinstance(sharer, str):
                raise Invalid("sharedBy must be a string")
            shares = with_share(shares, Share(item["toolId"], sharer, AccessLevel(level), self._clock.now()))
        return shares

    async def delete_user(self, caller: User, email: str | None) -> ToolOutput:
        """Deletes the user and what they created, so a user re-created with the same email
        starts empty: their tools and prompts go, and so do every share of and hidden entry for
        those tools (ADR 0016). Shares they granted of other users' tools stay with the recipients."""
        require_admin(caller, "Only admins can delete users")
        email = normalize_email(email or "")
        if not email:
            raise Invalid("Email is required")
        if email == caller.email:
            raise Forbidden("Admins cannot delete themselves")
        target = await self._users.get(email)
        if target is None:
            raise NotFound(f"User '{email}' not found")
        await self._require_another_admin(target, "delete")
        owned = await self._tools.of_creator(email)
        audience = await self._catalog.audience(owned)
        await self._tools.delete_by_creator(email)
        prompts_deleted = await self._prompts.delete_by_creator(email)
        owned_resources = [r for r in await self._resources.list_all() if r.creator == email] if self._resources else []
        if self._resources is not None and owned_resources:
            await self._resources.delete_by_creator(email)
            await self._catalog.announce_resource_change(*owned_resources, content_changed=False)
        changed = await self._users.forget_tools_everywhere(frozenset(t.namespaced_id for t in owned))
        if not await self._users.delete(email):
            raise NotFound(f"User '{email}' not found")
        await self._events.publish(UserChanged(email))
        await self._events.publish(UserSessionsRevoked(email))
        for other in changed:
            if other != email:
                await self._events.publish(UserChanged(other))
        if owned:
            await self._events.publish(ToolListChanged(audience - {email}))
        if prompts_deleted:
            await self._events.publish(PromptListChanged(None))
        message = f"User '{email}' deleted successfully"
        if owned or prompts_deleted:
            message += f"; the {len(owned)} tool(s) and {prompts_deleted} prompt(s) they created were deleted too"
        return ToolOutput({"success": True, "email": email}, message=message)

    async def _require_another_admin(self, target: User, verb: str) -> None:
        """The server must keep an admin: the last one cannot lose the role or be deleted."""
        if not target.is_admin:
            return
        if not any(u.is_admin and u.email != target.email for u in await self._users.list_users()):
            raise Conflict(
                f"Cannot {verb} '{target.email}': they are the last admin. Give another user the admin role first."
            )

    async def user_info(self, caller: User, email: str | None = None) -> ToolOutput:
        email = normalize_email(email or "") or caller.email
        if email == caller.email:
            return ToolOutput(user_json(caller, include_app_data=True), message=f"User info for '{email}'")
        user = await self._users.get(email)
        if user is None:
            return ToolOutput(None, message=f"User '{email}' not found")
        if caller.is_admin:
            return ToolOutput(user_json(user), message=f"User info for '{email}'")
        return ToolOutput(
            {"exists": True, "name": user.name, "email": user.email}, message=f"Limited user info for '{email}'"
        )

    async def reset_api_key(self, caller: User, email: str | None = None, user_confirmed: bool = False) -> ToolOutput:
        target = normalize_email(email or "") or caller.email
        if not visibility.can_act_on_user(caller, target):
            raise Forbidden("Not authorized to reset this user's API key")
        if not user_confirmed:
            return ToolOutput(
                None,
                message=(
                    f"Are you sure you want to reset the API key of {target}? This will invalidate the current "
                    "key and require updating all clients. Please confirm before proceeding. Always call this "
                    "tool first with userConfirmed: false (or omitted). Only set userConfirmed: true after the "
                    "user has explicitly confirmed."
                ),
                next_steps=(
                    "Ask the user to confirm they want to reset their API key.",
                    "If confirmed, call this tool again with userConfirmed: true.",
                ),
            )
        if await self._users.get(target) is None:
            raise NotFound(f"User '{target}' not found")
        issued = self._keys.issue()
        await self._users.set_api_key(target, issued.digest)
        emailed = await self._onboarding.send_key(
            target,
            issued.plain,
            "Your API key has been reset. Here is your new API key.\n\n"
            "All MCP clients using this server must now be reconfigured to use the new API key.",
        )
        await self._events.publish(UserChanged(target))
        await self._events.publish(UserSessionsRevoked(target))
        return ToolOutput(
            {"email": target, "apiKey": issued.plain},
            message=(
                f"API key for user '{target}' has been reset"
                + (
                    " and emailed to the user.\n"
                    if emailed
                    else ". No email was sent (no email service is configured, or sending failed): the new key "
                    "is in this result only; pass it on to the user.\n"
                )
                + "All MCP clients using this server must now be reconfigured to use the new API key."
            ),
        )
