"""The SDK's authorization-server provider protocol over the OAuth use cases: it only converts
between the SDK's models and ours (docs/oauth.md)."""

from __future__ import annotations

from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    OAuthAuthorizationServerProvider,
    RefreshToken,
    TokenError,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

from dynamic_mcp.application.oauth import IssuedTokens, OAuthError, OAuthService
from dynamic_mcp.domain.errors import DomainError
from dynamic_mcp.domain.oauth import SCOPES, Grant, OAuthClient

CONSENT_PATH = "/console/oauth/consent"


def client_info(client: OAuthClient) -> OAuthClientInformationFull:
    """The SDK's view of a client; the secret stays out (it is checked against its hash)."""
    document = {k: v for k, v in client.document.items() if k not in ("client_secret", "client_id")}
    document.setdefault("scope", " ".join(SCOPES))
    return OAuthClientInformationFull.model_validate({**document, "client_id": client.client_id})


def _epoch(grant: Grant) -> int:
    return int(grant.expires_at.timestamp())


def _token(issued: IssuedTokens) -> OAuthToken:
    return OAuthToken(
        access_token=issued.access_token,
        token_type="Bearer",  # noqa: S106 (a token type, not a secret)
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        scope=" ".join(issued.scopes),
    )


class ServiceProvider(OAuthAuthorizationServerProvider[AuthorizationCode, RefreshToken, AccessToken]):
    def __init__(self, service: OAuthService, base_url: str) -> None:
        self._service = service
        self._base = base_url.rstrip("/")

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        try:
            client = await self._service.clients.get(client_id)
        except DomainError:
            return None  # the authorize endpoint explains a refused metadata document before this
        return None if client is None else client_info(client)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        document = client_info.model_dump(mode="json", exclude_none=True, exclude={"client_secret"})
        await self._service.clients.register(client_info.client_id, document, client_info.client_secret)

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        known = await self._service.clients.get(client.client_id)
        if known is None:
            raise AuthorizeError("unauthorized_client", "Unknown client")
        try:
            request_id = await self._service.begin(
                known,
                redirect_uri=str(params.redirect_uri),
                redirect_explicit=params.redirect_uri_provided_explicitly,
                code_challenge=params.code_challenge,
                scopes=tuple(params.scopes) if params.scopes else None,
                state=params.state,
                resource=params.resource,
            )
        except OAuthError as exc:
            raise AuthorizeError(exc.code, exc.message) from None  # type: ignore[arg-type]
        return f"{self._base}{CONSENT_PATH}?request={request_id}"

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> AuthorizationCode | None:
        grant = await self._service.load_code(client.client_id, authorization_code)
        if grant is None:
            return None
        return AuthorizationCode(
            code=authorization_code,
            scopes=list(grant.scopes),
            expires_at=grant.expires_at.timestamp(),
            client_id=grant.client_id,
            code_challenge=str(grant.details["code_challenge"]),
            redirect_uri=grant.details["redirect_uri"],
            redirect_uri_provided_explicitly=bool(grant.details.get("redirect_explicit", True)),
            resource=grant.resource,
            subject=grant.email,
        )

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: AuthorizationCode
    ) -> OAuthToken:
        grant = await self._service.load_code(client.client_id, authorization_code.code)
        if grant is None:
            raise TokenError("invalid_grant", "authorization code does not exist")
        try:
            return _token(await self._service.exchange_code(client.client_id, grant))
        except OAuthError as exc:
            raise TokenError(exc.code, exc.message) from None  # type: ignore[arg-type]

    async def load_refresh_token(self, client: OAuthClientInformationFull, refresh_token: str) -> RefreshToken | None:
        grant = await self._service.load_refresh(client.client_id, refresh_token)
        if grant is None:
            return None
        return RefreshToken(
            token=refresh_token,
            client_id=grant.client_id,
            scopes=list(grant.scopes),
            expires_at=_epoch(grant),
            resource=grant.resource,
            subject=grant.email,
        )

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: RefreshToken, scopes: list[str]
    ) -> OAuthToken:
        grant = await self._service.refresh_grant(refresh_token.token)
        if grant is None:
            raise TokenError("invalid_grant", "refresh token does not exist")
        try:
            return _token(await self._service.exchange_refresh(client.client_id, grant, tuple(scopes)))
        except OAuthError as exc:
            raise TokenError(exc.code, exc.message) from None  # type: ignore[arg-type]

    async def load_access_token(self, token: str) -> AccessToken | None:
        grant = await self._service.access_grant(token)
        if grant is None:
            return None
        return AccessToken(
            token=token,
            client_id=grant.client_id,
            scopes=list(grant.scopes),
            expires_at=_epoch(grant),
            resource=grant.resource,
            subject=grant.email,
        )

    async def revoke_token(self, token: AccessToken | RefreshToken) -> None:
        grant = await self._service.access_grant(token.token) or await self._service.refresh_grant(token.token)
        if grant is not None:
            await self._service.revoke(grant)
