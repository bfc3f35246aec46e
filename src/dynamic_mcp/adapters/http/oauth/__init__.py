"""OAuth 2.1 beside API keys (docs/oauth.md): discovery documents and the authorization server's
endpoints, the SDK's handlers mounted in Litestar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.handlers import ASGIRouteHandler, asgi
from litestar.types import Receive, Scope, Send
from mcp.server.auth.handlers.metadata import MetadataHandler, ProtectedResourceMetadataHandler
from mcp.server.auth.handlers.revoke import RevocationHandler
from mcp.server.auth.routes import build_metadata, cors_middleware
from mcp.server.auth.settings import ClientRegistrationOptions, RevocationOptions
from mcp.shared.auth import OAuthMetadata, ProtectedResourceMetadata
from pydantic import AnyHttpUrl
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import request_response
from starlette.types import ASGIApp

from dynamic_mcp.adapters.http.oauth.endpoints import (
    ExplainingAuthorizationHandler,
    HashedSecretAuthenticator,
    LimitedRegistrationHandler,
    ResourceCheckingTokenHandler,
)
from dynamic_mcp.adapters.http.oauth.provider import ServiceProvider
from dynamic_mcp.application.oauth import OAuthService
from dynamic_mcp.config import Settings
from dynamic_mcp.domain.oauth import SCOPES

PROTECTED_RESOURCE = "/.well-known/oauth-protected-resource"
AUTHORIZATION_SERVER = "/.well-known/oauth-authorization-server"
MCP_PROTOCOL_VERSION = "mcp-protocol-version"
READ = ("GET", "HEAD", "OPTIONS")


def resource_metadata_url(settings: Settings) -> str:
    return f"{settings.server_url}{PROTECTED_RESOURCE}/mcp"


def protected_resource_metadata(settings: Settings) -> ProtectedResourceMetadata:
    issuer = settings.oauth_issuer or settings.own_issuer
    return ProtectedResourceMetadata(
        resource=AnyHttpUrl(f"{settings.server_url}/mcp"),
        authorization_servers=[AnyHttpUrl(issuer)],
        scopes_supported=list(SCOPES),
        bearer_methods_supported=["header"],
        resource_name=settings.server_name,
    )


def authorization_server_metadata(settings: Settings) -> OAuthMetadata:
    metadata = build_metadata(
        AnyHttpUrl(settings.own_issuer),
        None,
        ClientRegistrationOptions(enabled=True, valid_scopes=list(SCOPES), default_scopes=list(SCOPES)),
        RevocationOptions(enabled=True),
    )
    metadata.token_endpoint_auth_methods_supported = ["client_secret_post", "client_secret_basic", "none"]
    metadata.client_id_metadata_document_supported = True
    metadata.authorization_response_iss_parameter_supported = True
    return metadata


def _cors(app: ASGIApp, methods: list[str]) -> ASGIApp:
    return CORSMiddleware(app=app, allow_origins="*", allow_methods=methods, allow_headers=[MCP_PROTOCOL_VERSION])


def _mount(path: str, app: ASGIApp, name: str, methods: tuple[str, ...]) -> ASGIRouteHandler:
    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") not in methods:
            start: Any = {
                "type": "http.response.start",
                "status": 405,
                "headers": [(b"allow", ", ".join(methods).encode())],
            }
            await send(start)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await app(scope, receive, send)  # type: ignore[arg-type]

    endpoint.__name__ = name
    return asgi(path=path, copy_scope=True, name=name, include_in_schema=False)(endpoint)


def discovery_handlers(settings: Settings) -> list[ASGIRouteHandler]:
    """RFC 9728 metadata: at the root and at the path of /mcp (RFC 9728 section 3.1)."""
    handler = ProtectedResourceMetadataHandler(protected_resource_metadata(settings))
    resource = cors_middleware(handler.handle, ["GET", "OPTIONS"])
    return [
        _mount(PROTECTED_RESOURCE, resource, "oauth-protected-resource", READ),
        _mount(f"{PROTECTED_RESOURCE}/mcp", resource, "oauth-protected-resource-mcp", READ),
    ]


def authorization_server_handlers(settings: Settings, service: OAuthService) -> list[ASGIRouteHandler]:
    provider = ServiceProvider(service, settings.server_url)
    authenticator = HashedSecretAuthenticator(provider, service)
    options = ClientRegistrationOptions(enabled=True, valid_scopes=list(SCOPES), default_scopes=list(SCOPES))
    metadata = cors_middleware(MetadataHandler(authorization_server_metadata(settings)).handle, ["GET", "OPTIONS"])
    # The authorization endpoint is navigated to, never fetched: no CORS there.
    endpoints: list[tuple[str, Callable[..., Any], bool]] = [
        ("/authorize", ExplainingAuthorizationHandler(provider, service).handle, False),
        ("/token", ResourceCheckingTokenHandler(provider, authenticator, service).handle, True),
        ("/register", LimitedRegistrationHandler(provider, service, options=options).handle, True),
        ("/revoke", RevocationHandler(provider, authenticator).handle, True),
    ]
    handlers = [_mount(AUTHORIZATION_SERVER, metadata, "oauth-authorization-server", READ)]
    for path, handle, cors in endpoints:
        app = request_response(handle)
        name = f"oauth{path.replace('/', '-')}"
        if cors:
            handlers.append(_mount(path, _cors(app, ["POST", "OPTIONS"]), name, ("POST", "OPTIONS")))
        else:
            handlers.append(_mount(path, app, name, ("GET", "POST")))
    return handlers
