"""The SDK's OAuth endpoint handlers, each with the one thing this server adds: the RFC 8707
resource check at the token endpoint, client secrets checked against their hash, a clear error
for a refused Client ID Metadata Document, and a rate limit on registration."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from mcp.server.auth.handlers.authorize import AuthorizationErrorResponse, AuthorizationHandler
from mcp.server.auth.handlers.register import RegistrationHandler
from mcp.server.auth.handlers.token import TokenErrorResponse, TokenHandler
from mcp.server.auth.json_response import PydanticJSONResponse
from mcp.server.auth.middleware.client_auth import AuthenticationError, ClientAuthenticator
from mcp.shared.auth import OAuthClientInformationFull
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dynamic_mcp.adapters.http.oauth.provider import ServiceProvider, client_info
from dynamic_mcp.application.oauth import OAuthService
from dynamic_mcp.application.oauth_clients import is_metadata_url
from dynamic_mcp.domain.errors import DomainError
from dynamic_mcp.domain.limits import RateLimited

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def address_of(request: Request) -> str:
    client = request.scope.get("client")
    return str(client[0]) if client else "unknown"


def _form_text(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


class HashedSecretAuthenticator(ClientAuthenticator):
    """The SDK's client authentication, with the stored secret kept as a SHA-256 digest."""

    def __init__(self, provider: ServiceProvider, service: OAuthService) -> None:
        super().__init__(provider)
        self._service = service

    async def authenticate_request(self, request: Request) -> OAuthClientInformationFull:
        form = await request.form()
        client_id = _form_text(form, "client_id")
        secret = _form_text(form, "client_secret")
        header = request.headers.get("authorization", "")
        if header[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
            except (ValueError, binascii.Error, UnicodeDecodeError):
                raise AuthenticationError("Invalid Basic authentication header") from None
            basic_id, sep, basic_secret = decoded.partition(":")
            if not sep or (client_id and unquote(basic_id) != client_id):
                raise AuthenticationError("Client ID mismatch in Basic auth")
            client_id, secret = unquote(basic_id), unquote(basic_secret)
        if not client_id:
            raise AuthenticationError("Missing client_id")
        try:
            client = await self._service.clients.get(client_id)
        except DomainError as exc:
            raise AuthenticationError(exc.message) from None
        if client is None:
            raise AuthenticationError("Invalid client_id")
        if not self._service.clients.secret_matches(client, secret):
            raise AuthenticationError("Invalid client_secret")
        return client_info(client)


class ResourceCheckingTokenHandler(TokenHandler):
    """RFC 8707: a token request naming another resource is refused with ``invalid_target``."""

    def __init__(self, provider: ServiceProvider, authenticator: ClientAuthenticator, service: OAuthService) -> None:
        super().__init__(provider, authenticator)
        self._service = service

    async def handle(self, request: Request) -> Response:
        form = await request.form()  # Starlette keeps the parsed form for the SDK's own reading
        resource = _form_text(form, "resource")
        if resource is not None:
            try:
                self._service.check_resource(resource)
            except DomainError as exc:
                answer: Response = self.response(
                    TokenErrorResponse(error="invalid_target", error_description=exc.message)
                )
                return answer
        response: Response = await super().handle(request)
        return response


class ExplainingAuthorizationHandler(AuthorizationHandler):
    """A ``client_id`` metadata document that cannot be fetched (a private address, not JSON, not
    naming itself) is answered on the page, never redirected: the redirect URIs are unknown."""

    def __init__(self, provider: ServiceProvider, service: OAuthService) -> None:
        super().__init__(provider)
        self._service = service

    async def handle(self, request: Request) -> Response:
        params = request.query_params if request.method == "GET" else await request.form()
        client_id = _form_text(params, "client_id")
        if client_id and is_metadata_url(client_id):
            try:
                await self._service.clients.get(client_id)
            except DomainError as exc:
                body = AuthorizationErrorResponse(
                    error="invalid_request",
                    error_description=f"The client metadata document was refused: {exc.message}",
                    state=_form_text(params, "state"),
                )
                return PydanticJSONResponse(content=body, status_code=400, headers=NO_STORE)
        return await super().handle(request)


class LimitedRegistrationHandler(RegistrationHandler):
    def __init__(self, provider: ServiceProvider, service: OAuthService, **kwargs: Any) -> None:
        super().__init__(provider, **kwargs)
        self._service = service

    async def handle(self, request: Request) -> Response:
        try:
            await self._service.clients.check_registration(address_of(request))
        except RateLimited as exc:
            return JSONResponse(
                {"error": "temporarily_unavailable", "error_description": exc.message},
                status_code=429,
                headers={"Retry-After": str(exc.retry_after), **NO_STORE},
            )
        return await super().handle(request)
