"""dynamic-mcp as its own OAuth 2.1 authorization server (docs/oauth.md, ADR 0024).

Every secret (request id, code, token, sign-in link) is random, handed out once and stored as
its SHA-256 only. A token names a user by email and carries that user's API key digest from
when it was granted: the user it stands for is reloaded on every use, so roles, tools and
shares are exactly those of the user's API key, and a key reset or a deleted user ends it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import attrs

from dynamic_mcp.application.audit import AuditRecorder
from dynamic_mcp.application.limits import RateLimitService
from dynamic_mcp.application.oauth_clients import ClientDirectory
from dynamic_mcp.domain.errors import DomainError, Forbidden, NotFound
from dynamic_mcp.domain.events import ChangeEvent, UserSessionsRevoked
from dynamic_mcp.domain.oauth import (
    ACCESS,
    CODE,
    LINK,
    REFRESH,
    REQUEST,
    ClientGrantSummary,
    Grant,
    OAuthClient,
    granted_scopes,
)
from dynamic_mcp.domain.users import User
from dynamic_mcp.ports.auth import KeyHasher
from dynamic_mcp.ports.clock import Clock
from dynamic_mcp.ports.oauth import OAuthStore
from dynamic_mcp.ports.repositories import UserRepository

ACCESS_SECONDS = 3600
REFRESH_SECONDS = 30 * 86400
CODE_SECONDS = 300
REQUEST_SECONDS = 900
LINK_SECONDS = 900
PREFIXES = {REQUEST: "dmcp_rq_", CODE: "dmcp_ac_", ACCESS: "dmcp_at_", REFRESH: "dmcp_rt_", LINK: "dmcp_sl_"}
MAX_SECRET_LENGTH = 256
LINK_PATH = "/console/oauth/link"


class OAuthError(DomainError):
    """Refused with an OAuth error code (RFC 6749 section 5.2, RFC 8707 ``invalid_target``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def is_access_token(credential: str) -> bool:
    return credential.startswith(PREFIXES[ACCESS])


def _key_hash(user: User) -> str:
    return user.api_key.hash if user.api_key is not None else ""


@attrs.frozen
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    scopes: tuple[str, ...]


@attrs.frozen
class Pending:
    """An authorization request waiting for the user's sign-in and consent."""

    grant: Grant
    client: OAuthClient

    @property
    def redirect_uri(self) -> str:
        return str(self.grant.details["redirect_uri"])

    @property
    def state(self) -> str | None:
        state = self.grant.details.get("state")
        return state if isinstance(state, str) else None


@attrs.frozen
class ClientRedirect:
    """Where the browser goes next and the parameters it takes along (code or error)."""

    uri: str
    params: Mapping[str, str]


class OAuthService:
    def __init__(
        self,
        store: OAuthStore,
        users: UserRepository,
        hasher: KeyHasher,
        clock: Clock,
        clients: ClientDirectory,
        *,
        resource: str,
        issuer: str,
        audit: AuditRecorder | None = None,
        limits: RateLimitService | None = None,
        sign_in_per_minute: int = 20,
    ) -> None:
        self._store = store
        self._users = users
        self._hasher = hasher
        self._clock = clock
        self.clients = clients
        self.resource = resource
        self.issuer = issuer
        self._audit = audit
        self._limits = limits
        self._sign_in_per_minute = sign_in_per_minute

    # -- the authorization request ---------------------------------------------------------------
    def check_resource(self, resource: str | None) -> None:
        """RFC 8707: a token is only ever for this server's ``/mcp``."""
        if resource is not None and resource.rstrip("/") != self.resource.rstrip("/"):
            raise OAuthError("invalid_target", f"This server issues tokens for {self.resource} only")

    async def begin(
        self,
        client: OAuthClient,
        *,
        redirect_uri: str,
        redirect_explicit: bool,
        code_challenge: str,
        scopes: tuple[str, ...] | None,
        state: str | None,
        resource: str | None,
    ) -> str:
        """Remember a validated authorization request; the id the sign-in page is opened with."""
        self.check_resource(resource)
        request_id = self._secret(REQUEST)
        details = {
            "redirect_uri": redirect_uri,
            "redirect_explicit": redirect_explicit,
            "code_challenge": code_challenge,
            "state": state,
            "requested": list(scopes) if scopes is not None else None,
        }
        await self._store.put(self._grant(REQUEST, request_id, "", client.client_id, REQUEST_SECONDS, details=details))
        return request_id

    async def pending(self, request_id: str | None) -> Pending:
        grant = await self._live(request_id, REQUEST)
        client = await self.clients.get(grant.client_id) if grant is not None else None
        if grant is None or grant.spent or client is None:
            raise NotFound("This sign-in request has expired or was already used; start again from your client.")
        return Pending(grant, client)

    async def authenticate_key(self, api_key: str, address: str) -> User | None:
        """The holder of ``api_key`` for the sign-in page; attempts are rate limited per address."""
        if self._limits is not None:
            await self._limits.check_key("oauth_sign_in", address, self._sign_in_per_minute)
        if not api_key or len(api_key) > MAX_SECRET_LENGTH:
            return None
        user = await self._users.get_by_key_hash(self._hasher.digest(api_key.strip()).hash)
        if user is None:
            self._record("oauth.sign-in", "denied", None)
        return user

    async def approve(self, pending: Pending, user: User) -> ClientRedirect:
        """The user consents: a one-time code for the client, with at most the user's scopes."""
        taken = await self._store.take(pending.grant.hash, self._clock.now())
        if taken is None or taken.spent:
            raise NotFound("This sign-in request has expired or was already used; start again from your client.")
        requested = taken.details.get("requested")
        scopes = granted_scopes(requested, user)
        if not scopes:
            self._record("oauth.authorize", "denied", user.email)
            return self._error_redirect(pending, "invalid_scope", "None of the requested scopes is open to this user")
        code = self._secret(CODE)
        details = {k: taken.details[k] for k in ("redirect_uri", "redirect_explicit", "code_challenge")}
        grant = self._grant(
            CODE, code, user.email, taken.client_id, CODE_SECONDS, scopes=scopes, key=_key_hash(user), details=details
        )
        await self._store.put(grant)
        await self._store.delete(taken.hash)
        self._record("oauth.authorize", "ok", user.email)
        params = {"code": code, "iss": self.issuer}
        if pending.state is not None:
            params["state"] = pending.state
        return ClientRedirect(pending.redirect_uri, params)

    async def deny(self, pending: Pending) -> ClientRedirect:
        await self._store.delete(pending.grant.hash)
        return self._error_redirect(pending, "access_denied", "The user declined")

    def _error_redirect(self, pending: Pending, error: str, description: str) -> ClientRedirect:
        params = {"error": error, "error_description": description, "iss": self.issuer}
        if pending.state is not None:
            params["state"] = pending.state
        return ClientRedirect(pending.redirect_uri, params)

    # -- the token endpoint ----------------------------------------------------------------------
    async def load_code(self, client_id: str, code: str) -> Grant | None:
        grant = await self._live(code, CODE)
        if grant is None or grant.client_id != client_id:
            return None
        if grant.spent:
            await self._replayed(grant)
            return None
        return grant

    async def exchange_code(self, client_id: str, code: Grant) -> IssuedTokens:
        taken = await self._store.take(code.hash, self._clock.now())
        if taken is None or taken.spent or taken.client_id != client_id:
            if taken is not None:
                await self._replayed(taken)
            raise OAuthError("invalid_grant", "authorization code does not exist")
        return await self._issue(taken, taken.scopes)

    async def load_refresh(self, client_id: str, token: str) -> Grant | None:
        grant = await self._live(token, REFRESH)
        if grant is None or grant.client_id != client_id:
            return None
        if grant.spent:
            await self._replayed(grant)
            return None
        return grant

    async def exchange_refresh(self, client_id: str, refresh: Grant, scopes: tuple[str, ...]) -> IssuedTokens:
        """Rotation: the refresh token is spent, its access token revoked, a new pair issued."""
        taken = await self._store.take(refresh.hash, self._clock.now())
        if taken is None or taken.spent or taken.client_id != client_id:
            if taken is not None:
                await self._replayed(taken)
            raise OAuthError("invalid_grant", "refresh token does not exist")
        previous = taken.details.get("access")
        if isinstance(previous, str):
            await self._store.delete(previous)
        return await self._issue(taken, tuple(s for s in taken.scopes if s in scopes))

    async def _issue(self, grant: Grant, scopes: tuple[str, ...]) -> IssuedTokens:
        user = await self._user_of(grant)
        if user is None:
            await self._store.delete_family(grant.family)
            raise OAuthError("invalid_grant", "the user's API key was reset or the user was removed; sign in again")
        scopes = granted_scopes(scopes, user)  # roles may have shrunk since the grant
        if not scopes:
            raise OAuthError("invalid_scope", "None of the granted scopes is open to this user any more")
        access, refresh = self._secret(ACCESS), self._secret(REFRESH)
        email, client_id, key = user.email, grant.client_id, grant.key_hash
        access_grant = self._grant(
            ACCESS, access, email, client_id, ACCESS_SECONDS, family=grant.family, scopes=scopes, key=key
        )
        refresh_grant = self._grant(
            REFRESH,
            refresh,
            email,
            client_id,
            REFRESH_SECONDS,
            family=grant.family,
            scopes=scopes,
            key=key,
            details={"access": access_grant.hash},
        )
        await self._store.put(access_grant)
        await self._store.put(refresh_grant)
        self._record("oauth.token", "ok", user.email)
        return IssuedTokens(access, refresh, ACCESS_SECONDS, scopes)

    async def _replayed(self, grant: Grant) -> None:
        """A code or refresh token used twice: everything of that authorization ends (RFC 6749 10.5)."""
        await self._store.delete_family(grant.family)
        self._record("oauth.replay", "denied", grant.email or None)

    # -- using and ending tokens -----------------------------------------------------------------
    def recognises(self, credential: str) -> bool:
        return is_access_token(credential)

    async def user_for(self, token: str, scope: str) -> User | None:
        """The user an access token stands for, if it is live, for this resource and ``scope``."""
        grant = await self._live(token, ACCESS)
        if grant is None or grant.resource != self.resource or scope not in grant.scopes:
            return None
        return await self._user_of(grant)

    async def access_grant(self, token: str) -> Grant | None:
        return await self._live(token, ACCESS)

    async def refresh_grant(self, token: str) -> Grant | None:
        return await self._live(token, REFRESH)

    async def revoke(self, grant: Grant) -> None:
        """RFC 7009: revoking either token of an authorization revokes both."""
        await self._store.delete_family(grant.family)
        self._record("oauth.revoke", "ok", grant.email)

    async def clients_of(self, caller: User) -> list[ClientGrantSummary]:
        """The clients ``caller`` has authorized and not revoked, by their live refresh tokens."""
        summaries: dict[str, ClientGrantSummary] = {}
        for grant in await self._store.list_for(caller.email, self._clock.now()):
            if grant.kind != REFRESH or grant.spent:
                continue
            client = await self.clients.get(grant.client_id, fetch=False)
            summaries[grant.client_id] = ClientGrantSummary(
                client_id=grant.client_id,
                client_name=client.name if client is not None else grant.client_id,
                scopes=grant.scopes,
                authorized_at=grant.created_at,
                expires_at=grant.expires_at,
            )
        return list(summaries.values())

    async def revoke_client(self, caller: User, client_id: str | None) -> int:
        """End every token ``caller`` gave one client (or every client, when None)."""
        count = await self._store.delete_for(caller.email, client_id)
        self._record("oauth.revoke-client", "ok", caller.email)
        return count

    async def on_event(self, event: ChangeEvent) -> None:
        """A key reset or deleted user: forget the grants at once (they are refused anyway)."""
        if isinstance(event, UserSessionsRevoked):
            await self._store.delete_for(event.email)

    # -- one-time sign-in links ------------------------------------------------------------------
    async def issue_sign_in_link(self, caller: User, email: str) -> str:
        """A one-time link that signs ``email`` in on the sign-in page (admins only); 15 minutes."""
        if not caller.is_admin:
            raise Forbidden("Only admins can issue sign-in links")
        user = await self._users.get(email)
        if user is None:
            raise NotFound(f"User {email} not found")
        secret = self._secret(LINK)
        await self._store.put(self._grant(LINK, secret, user.email, "", LINK_SECONDS, key=_key_hash(user)))
        self._record("oauth.sign-in-link", "ok", caller.email)
        return f"{self.resource.removesuffix('/mcp')}{LINK_PATH}?token={secret}"

    async def link_holder(self, secret: str | None) -> User | None:
        """Whom an unused link would sign in (it stays unused)."""
        grant = await self._live(secret, LINK)
        return None if grant is None or grant.spent else await self._user_of(grant)

    async def redeem_sign_in_link(self, secret: str, address: str) -> User | None:
        if self._limits is not None:
            await self._limits.check_key("oauth_sign_in", address, self._sign_in_per_minute)
        grant = await self._live(secret, LINK)
        if grant is None:
            return None
        taken = await self._store.take(grant.hash, self._clock.now())
        if taken is None or taken.spent:
            return None
        await self._store.delete(taken.hash)
        return await self._user_of(taken)

    # -- helpers ---------------------------------------------------------------------------------
    async def _live(self, secret: str | None, kind: str) -> Grant | None:
        if not secret or len(secret) > MAX_SECRET_LENGTH or not secret.startswith(PREFIXES[kind]):
            return None
        grant = await self._store.get(secret_hash(secret), self._clock.now())
        return grant if grant is not None and grant.kind == kind else None

    async def _user_of(self, grant: Grant) -> User | None:
        user = await self._users.get(grant.email)
        if user is None or _key_hash(user) != grant.key_hash:
            return None
        return user

    def _secret(self, kind: str) -> str:
        return PREFIXES[kind] + secrets.token_urlsafe(32)

    def _grant(
        self,
        kind: str,
        secret: str,
        email: str,
        client_id: str,
        seconds: int,
        *,
        family: str | None = None,
        scopes: tuple[str, ...] = (),
        key: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> Grant:
        now = self._clock.now()
        return Grant(
            hash=secret_hash(secret),
            kind=kind,
            email=email,
            client_id=client_id,
            family=family or secrets.token_hex(16),
            created_at=now,
            expires_at=now + timedelta(seconds=seconds),
            scopes=scopes,
            resource=self.resource,
            key_hash=key,
            details=dict(details or {}),
        )

    def _record(self, action: str, outcome: str, email: str | None) -> None:
        if self._audit is not None:
            self._audit.record(action, outcome, 0.0, user=email, door="oauth")
