"""Upstream use cases (docs/upstreams.md): import, refresh, per-user credentials, and the target of a forwarded call.

Every door (MCP tools, REST, CLI) calls these; rights are checked here and nowhere else.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from typing import Any

import attrs

from dynamic_mcp.application.results import ToolOutput
from dynamic_mcp.application.tools import ToolService, ToolSync
from dynamic_mcp.domain import visibility
from dynamic_mcp.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from dynamic_mcp.domain.events import ChangeEvent, UserChanged
from dynamic_mcp.domain.tools import Tool
from dynamic_mcp.domain.upstreams import (
    MCP_PACKAGE,
    Upstream,
    UpstreamCredential,
    describe,
    upstream_from_definition,
    validate_token,
    validate_upstream_name,
)
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.handlers import ToolContext
from dynamic_mcp.ports.repositories import ToolRepository, UserRepository
from dynamic_mcp.ports.upstreams import SecretBox, UpstreamGateway, UpstreamRepository, UpstreamTarget

log = logging.getLogger(__name__)

RECORD_TTL_SECONDS = 5.0
"""How long a call reuses an upstream record or credential read from the store (other instances'
changes show within this)."""


class UpstreamStartupError(RuntimeError):
    """The stored upstreams cannot be served with this configuration (docs/configuration.md)."""


def credential_hint(name: str) -> str:
    return (
        f"Upstream '{name}' needs your own credential. Set it with the set-upstream-credential tool "
        f'({{"upstream": "{name}", "token": "<your token>"}}) or PUT /api/v1/me/upstream-credentials/{name} '
        '({"token": "<your token>"}), then call again.'
    )


class CredentialMissing(Invalid):
    """A per-user upstream called by a user who has not set their credential."""

    def __init__(self, upstream: str) -> None:
        super().__init__(credential_hint(upstream))
        self.upstream = upstream


def _header_context(upstream: str, header: str) -> str:
    return f"upstream:{upstream}:header:{header}"


def _credential_context(upstream: str, email: str) -> str:
    return f"credential:{upstream}:{email}"


class UpstreamService:
    def __init__(
        self,
        upstreams: UpstreamRepository,
        tools: ToolRepository,
        tool_service: ToolService,
        users: UserRepository,
        gateway: UpstreamGateway,
        box: SecretBox,
        server_url: str = "",
    ) -> None:
        self._upstreams = upstreams
        self._server_url = server_url.rstrip("/")
        self._tools = tools
        self._tool_service = tool_service
        self._users = users
        self._gateway = gateway
        self._box = box
        self._records: dict[str, tuple[float, Upstream | None]] = {}
        self._credentials: dict[tuple[str, str], tuple[float, str | None]] = {}

    # -- start-up ------------------------------------------------------------------------------
    async def check_startup(self) -> None:
        """Refuse to serve per-user upstreams, or sealed headers, without SECRET_KEY."""
        if self._box.available:
            return
        for upstream in await self._upstreams.list_all():
            if upstream.per_user or upstream.sealed_headers:
                raise UpstreamStartupError(
                    f"Upstream '{upstream.name}' keeps encrypted credentials but SECRET_KEY is not set; "
                    "set the SECRET_KEY it was stored with (docs/configuration.md)"
                )

    async def start_watching(self) -> None:
        """Follow every stored upstream's tools/list_changed (with its creator's credential)."""
        for upstream in await self._upstreams.list_all():
            await self._watch(upstream)

    async def on_event(self, event: ChangeEvent) -> None:
        """A deleted user's credentials, and the upstreams they imported, go with them."""
        if not isinstance(event, UserChanged) or await self._users.get(event.email) is not None:
            return
        await self._upstreams.delete_credentials_of(event.email)
        for key in [k for k in self._credentials if k[1] == event.email]:
            del self._credentials[key]
        for upstream in await self._upstreams.list_all():
            if upstream.creator == event.email:
                self._gateway.unwatch(upstream.name)
                await self._upstreams.delete(upstream.name)
                self._forget(upstream.name)

    # -- import and refresh ----------------------------------------------------------------------
    async def import_upstream(self, caller: User, definition: object) -> ToolOutput:
        if not isinstance(definition, Mapping):
            raise Invalid("An upstream definition is an object: {name, url, headers, credentialMode, ...}")
        if not visibility.is_manager(caller):
            raise Forbidden("Only admins and power users can import upstream servers")
        upstream, headers = upstream_from_definition(definition, caller.email)
        token = definition.get("token")
        if (headers or upstream.per_user or token is not None) and not self._box.available:
            raise Invalid("Set SECRET_KEY to store upstream headers or credentials (they are kept encrypted)")
        if token is not None and not upstream.per_user:
            raise Invalid("token is for per-user upstreams; give a shared upstream's credential in headers")
        sealed = {n: self._box.seal(v, _header_context(upstream.name, n)) for n, v in headers.items()}
        upstream = attrs.evolve(upstream, sealed_headers=sealed)
        existing = await self._upstreams.get(upstream.name)
        if existing is not None and existing.creator != caller.email:
            raise Conflict(f"An upstream named '{upstream.name}' already exists; choose another name")
        # Check the upstream answers before anything is stored.
        target = self._target(upstream, caller.email, validate_token(token) if token is not None else None)
        listed = await self._gateway.list_tools(target)
        stored = await (self._upstreams.replace(upstream) if existing else self._upstreams.add(upstream))
        self._forget(stored.name)
        if token is not None:
            await self._put_credential(stored.name, caller.email, validate_token(token))
        sync = await self._sync(stored, caller, listed)
        await self._watch(stored)
        verb = "updated" if existing else "imported"
        return ToolOutput(
            {"upstream": describe(stored), **_sync_body(sync)},
            message=f"Upstream '{stored.name}' {verb}: {len(sync.added)} tools added, {len(sync.updated)} updated, "
            f"{len(sync.removed)} removed",
        )

    async def refresh(self, caller: User, name: object) -> ToolOutput:
        upstream = await self._owned(caller, name)
        creator = caller if caller.email == upstream.creator else await self._creator(upstream)
        sync = await self._sync(upstream, creator, await self._gateway.list_tools(await self._creator_target(upstream)))
        return ToolOutput(
            {"upstream": upstream.name, **_sync_body(sync)},
            message=f"Upstream '{upstream.name}' refreshed: {len(sync.added)} added, {len(sync.updated)} updated, "
            f"{len(sync.removed)} removed",
        )

    async def refresh_on_change(self, name: str) -> ToolSync | None:
        """What an upstream's tools/list_changed runs: re-list as the upstream's creator."""
        upstream = await self._upstreams.get(name)
        if upstream is None:
            return None
        creator = await self._creator(upstream)
        return await self._sync(upstream, creator, await self._gateway.list_tools(await self._creator_target(upstream)))

    async def list_upstreams(self, caller: User) -> ToolOutput:
        """Everyone may see which upstreams exist (names, URLs, modes), never a header value."""
        rows = [describe(u) for u in await self._upstreams.list_all()]
        return ToolOutput({"upstreams": rows}, message=f"{len(rows)} upstreams")

    async def delete_upstream(self, caller: User, name: object) -> ToolOutput:
        upstream = await self._owned(caller, name)
        mine = [t.name for t in await self._imported(upstream)]
        creator = await self._users.get(upstream.creator)
        sync = await self._tool_service.sync_tools(creator, (), mine) if creator is not None else None
        self._gateway.unwatch(upstream.name)
        await self._upstreams.delete(upstream.name)
        self._forget(upstream.name)
        removed = len(sync.removed) if sync else 0
        return ToolOutput(
            {"upstream": upstream.name, "removed": removed}, message=f"Upstream '{upstream.name}' deleted"
        )

    # -- credentials -------------------------------------------------------------------------
    async def set_credential(self, caller: User, name: object, token: object) -> ToolOutput:
        upstream = await self._existing(name)
        if not upstream.per_user:
            raise Invalid(f"Upstream '{upstream.name}' uses shared credentials; there is nothing to set per user")
        if not self._box.available:
            raise Invalid("SECRET_KEY is not set: credentials cannot be stored")
        await self._put_credential(upstream.name, caller.email, validate_token(token))
        return ToolOutput(
            {"upstream": upstream.name, "stored": True},
            message=f"Your credential for upstream '{upstream.name}' is stored (encrypted); it is never shown again",
        )

    async def delete_credential(self, caller: User, name: object) -> ToolOutput:
        upstream = await self._existing(name)
        deleted = await self._upstreams.delete_credential(upstream.name, caller.email)
        self._credentials.pop((upstream.name, caller.email), None)
        return ToolOutput({"upstream": upstream.name, "deleted": deleted})

    # -- calls -------------------------------------------------------------------------------
    async def target_for_call(self, context: ToolContext, config: Mapping[str, Any]) -> UpstreamTarget:
        """Where a forwarded call goes, with which credential; a tool error saying why not otherwise.

        A per-user upstream the caller has no credential for: a client that takes URL-mode
        elicitation is first sent to where the credential is set (when the server knows its public
        URL); once the user has set it, the call goes on. Otherwise the tool error says how."""
        try:
            return await self._target_for(context.user, context.tool, config)
        except CredentialMissing as missing:
            if not self._server_url:
                raise
            url = f"{self._server_url}/api/v1/me/upstream-credentials/{missing.upstream}"
            try:
                await context.elicit_url(missing.message, url)
            except Invalid:
                raise missing from None  # no client, or one without URL-mode elicitation
            self._credentials.pop((missing.upstream, context.user.email), None)  # set meanwhile, maybe elsewhere
            return await self._target_for(context.user, context.tool, config)

    async def _target_for(self, user: User, tool: Tool, config: Mapping[str, Any]) -> UpstreamTarget:
        name = config.get("upstream")
        if not isinstance(name, str) or not isinstance(config.get("tool"), str):
            raise Invalid("An mcp tool's handler config needs {upstream, tool}")
        upstream = await self._record(name)
        if upstream is None:
            raise NotFound(f"Upstream '{name}' does not exist (any more)")
        if tool.creator != upstream.creator:
            # The upstream's headers are its importer's: only the importer's tools may use them.
            raise Forbidden(f"Tool {tool.namespaced_id} may not use upstream '{name}': it was imported by another user")
        token = None
        if upstream.per_user:
            token = await self._token(upstream.name, user.email)
            if token is None:
                raise CredentialMissing(upstream.name)
        return self._target(upstream, user.email, token)

    # -- internals ---------------------------------------------------------------------------
    async def _sync(self, upstream: Upstream, creator: User, listed: list[Mapping[str, Any]]) -> ToolSync:
        current = {t.name: t for t in await self._imported(upstream)}
        definitions = []
        for item in listed:
            remote = item.get("name")
            if not isinstance(remote, str) or not upstream.selects(remote):
                continue
            local = upstream.local_name(remote)
            kept = current.get(local)
            definition: dict[str, Any] = {
                "name": local,
                "description": item.get("description"),
                "inputSchema": item.get("inputSchema") or {"type": "object"},
                "handler": {"type": MCP_PACKAGE, "config": {"upstream": upstream.name, "tool": remote}},
            }
            # what the upstream says of its tool's result and looks travels with it (docs/upstreams.md)
            for key in ("annotations", "outputSchema", "title", "icons"):
                if item.get(key):
                    definition[key] = item[key]
            if kept is not None:  # what the importer changed since stays (who may reach it)
                definition["rolesPermitted"] = list(kept.roles_permitted) if kept.roles_permitted is not None else None
                definition["alwaysVisible"] = kept.always_visible
            definitions.append(definition)
        wanted = {d["name"] for d in definitions}
        sync = await self._tool_service.sync_tools(creator, definitions, [n for n in current if n not in wanted])
        log.info(
            "upstream synced",
            extra={"upstream": upstream.name, "added": len(sync.added), "removed": len(sync.removed)},
        )
        return sync

    async def _imported(self, upstream: Upstream) -> list[Tool]:
        return [
            t
            for t in await self._tools.list_all()
            if t.creator == upstream.creator
            and t.handler.type == MCP_PACKAGE
            and t.handler.config.get("upstream") == upstream.name
        ]

    async def _watch(self, upstream: Upstream) -> None:
        try:
            target = await self._creator_target(upstream)
        except DomainError as exc:
            log.warning("not following upstream %s: %s", upstream.name, exc.message)
            return
        name = upstream.name

        async def changed() -> None:
            await self.refresh_on_change(name)

        self._gateway.watch(target, changed)

    async def _creator_target(self, upstream: Upstream) -> UpstreamTarget:
        token = await self._token(upstream.name, upstream.creator) if upstream.per_user else None
        if upstream.per_user and token is None:
            raise Invalid(credential_hint(upstream.name))
        return self._target(upstream, upstream.creator, token)

    async def _creator(self, upstream: Upstream) -> User:
        creator = await self._users.get(upstream.creator)
        if creator is None:
            raise NotFound(f"The importer of upstream '{upstream.name}' no longer exists")
        return creator

    async def _existing(self, name: object) -> Upstream:
        upstream = await self._upstreams.get(validate_upstream_name(name))
        if upstream is None:
            raise NotFound(f"Upstream '{name}' not found")
        return upstream

    async def _owned(self, caller: User, name: object) -> Upstream:
        upstream = await self._existing(name)
        if upstream.creator != caller.email and not caller.is_admin:
            raise Forbidden(f"Only the importer of upstream '{upstream.name}' and admins may change it")
        return upstream

    async def _put_credential(self, upstream: str, email: str, token: str) -> None:
        sealed = self._box.seal(token, _credential_context(upstream, email))
        await self._upstreams.put_credential(UpstreamCredential(upstream, email, sealed))
        self._credentials[(upstream, email)] = (time.monotonic(), token)

    async def _record(self, name: str) -> Upstream | None:
        cached = self._records.get(name)
        if cached is not None and time.monotonic() - cached[0] < RECORD_TTL_SECONDS:
            return cached[1]
        upstream = await self._upstreams.get(name)
        self._records[name] = (time.monotonic(), upstream)
        return upstream

    async def _token(self, upstream: str, email: str) -> str | None:
        cached = self._credentials.get((upstream, email))
        if cached is not None and time.monotonic() - cached[0] < RECORD_TTL_SECONDS:
            return cached[1]
        credential = await self._upstreams.get_credential(upstream, email)
        token = self._box.open(credential.sealed_token, _credential_context(upstream, email)) if credential else None
        self._credentials[(upstream, email)] = (time.monotonic(), token)
        return token

    def _forget(self, name: str) -> None:
        self._records.pop(name, None)

    def _target(self, upstream: Upstream, email: str, token: str | None) -> UpstreamTarget:
        headers = {n: self._box.open(v, _header_context(upstream.name, n)) for n, v in upstream.sealed_headers.items()}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        digest = hashlib.sha256()
        for part in (upstream.name, upstream.url, upstream.protocol, *sorted(headers.items())):
            digest.update(repr(part).encode("utf-8") + b"\x00")
        return UpstreamTarget(
            name=upstream.name,
            url=upstream.url,
            headers=headers,
            protocol=upstream.protocol,
            connect_timeout_seconds=upstream.connect_timeout_seconds,
            call_timeout_seconds=upstream.call_timeout_seconds,
            pool_key=digest.hexdigest(),
        )


def _sync_body(sync: ToolSync) -> dict[str, Any]:
    return {
        "added": list(sync.added),
        "updated": list(sync.updated),
        "removed": list(sync.removed),
        "skipped": dict(sync.skipped),
    }
