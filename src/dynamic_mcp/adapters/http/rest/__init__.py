"""The admin REST API under /api/v1 (docs/access.md): the MCP tools' use cases behind a second door."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.types import ExceptionHandlersMap

from dynamic_mcp.adapters.http.api_docs import offline_swagger_plugin
from dynamic_mcp.adapters.http.rest.audit import AuditController, MyAuditController
from dynamic_mcp.adapters.http.rest.auth import api_key_guard, origin_guard, provide_caller
from dynamic_mcp.adapters.http.rest.oauth_clients import MyOAuthClientsController, SignInLinksController
from dynamic_mcp.adapters.http.rest.operations import AdminOperations
from dynamic_mcp.adapters.http.rest.options import allowed_methods
from dynamic_mcp.adapters.http.rest.params import provide_page
from dynamic_mcp.adapters.http.rest.problems import EXCEPTION_HANDLERS, fallback_exception_handlers
from dynamic_mcp.adapters.http.rest.prompts import PromptsController
from dynamic_mcp.adapters.http.rest.resource_sharing import HiddenResourcesController, ResourceSharesController
from dynamic_mcp.adapters.http.rest.resources import ResourcesController
from dynamic_mcp.adapters.http.rest.sharing import HiddenToolsController, MySharesController, SharesController
from dynamic_mcp.adapters.http.rest.tools import ToolsController
from dynamic_mcp.adapters.http.rest.upstreams import MyUpstreamCredentialsController, UpstreamsController
from dynamic_mcp.adapters.http.rest.users import MeController, UsersController
from dynamic_mcp.adapters.mcp.origins import origin_policy
from dynamic_mcp.application.audit import AuditQueries
from dynamic_mcp.application.oauth import OAuthService
from dynamic_mcp.application.resource_management import ResourceManagement
from dynamic_mcp.application.resource_sharing import ResourceSharing
from dynamic_mcp.application.upstreams import UpstreamService
from dynamic_mcp.config import Settings
from dynamic_mcp.container import Container

API_PREFIX = "/api/v1"
SCHEMA_PATH = "/schema"
API_KEY_SCHEME = "apiKeyHeader"
BEARER_SCHEME = "bearerKey"


def admin_operations(container: Container) -> AdminOperations:
    return AdminOperations(
        users=container.user_service(),
        sharing=container.sharing_service(),
        tools=container.tool_service(),
        prompts=container.prompt_service(),
        queries=container.catalog_queries(),
        upstreams=container.upstream_service(),
    )


def rest_router(container: Container) -> Router:
    settings: Settings = container.settings()
    ops = admin_operations(container)

    def provide_ops() -> AdminOperations:
        return ops

    audit_queries = container.audit_queries()
    upstream_service = container.upstream_service()

    def provide_upstreams() -> UpstreamService:
        return upstream_service

    own_oauth = settings.oauth_enabled and not settings.oauth_external
    oauth = container.oauth_service() if own_oauth else None

    def provide_oauth() -> OAuthService | None:
        return oauth

    metadata = f"{settings.server_url}/.well-known/oauth-protected-resource/mcp" if settings.oauth_enabled else None

    resource_admin = container.resource_admin()

    def provide_resources() -> ResourceManagement:
        return resource_admin

    resource_sharing = container.resource_sharing()

    def provide_resource_sharing() -> ResourceSharing:
        return resource_sharing

    def provide_audit() -> AuditQueries:
        return audit_queries

    return Router(
        path=API_PREFIX,
        route_handlers=[
            allowed_methods,  # first, so Litestar adds no OPTIONS handler of its own on these paths
            UsersController,
            MeController,
            ToolsController,
            SharesController,
            MySharesController,
            HiddenToolsController,
            PromptsController,
            ResourcesController,
            ResourceSharesController,
            HiddenResourcesController,
            AuditController,
            MyAuditController,
            UpstreamsController,
            MyUpstreamCredentialsController,
            MyOAuthClientsController,
            SignInLinksController,
        ],
        guards=[
            origin_guard(origin_policy(settings)),
            api_key_guard(
                container.authenticator(),
                allow_query=settings.allow_query_api_key,
                limits=container.rate_limits(),
                resource_metadata=metadata,
            ),
        ],
        dependencies={
            "ops": Provide(provide_ops, sync_to_thread=False),
            "caller": Provide(provide_caller, sync_to_thread=False),
            "page": Provide(provide_page, sync_to_thread=False),
            "audit": Provide(provide_audit, sync_to_thread=False),
            "upstreams": Provide(provide_upstreams, sync_to_thread=False),
            "resources": Provide(provide_resources, sync_to_thread=False),
            "oauth": Provide(provide_oauth, sync_to_thread=False),
            "resource_sharing": Provide(provide_resource_sharing, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        security=[{API_KEY_SCHEME: []}, {BEARER_SCHEME: []}],
    )


def rest_exception_handlers() -> ExceptionHandlersMap:
    """App-level handlers: problem details for /api/v1 errors raised before routing."""
    return fallback_exception_handlers(API_PREFIX)


def rest_openapi_config(container: Container) -> OpenAPIConfig:
    """OpenAPI document and interactive docs under /schema (Swagger UI from package files, ADR 0013)."""
    settings: Settings = container.settings()
    return OpenAPIConfig(
        title=f"{settings.server_name} admin API",
        version="1",
        description=(
            "Manage users, API keys, tools, shares, hidden tools, prompts and resources with the same rules as the "
            "MCP management tools. Authenticate with the `x-apikey` header (or `apikey`, "
            "`Authorization: Bearer <key>`, or the `apiKey` query parameter). Errors are RFC 9457 "
            "problem details (`application/problem+json`)."
        ),
        path=SCHEMA_PATH,
        render_plugins=[
            offline_swagger_plugin(path=["/", "/swagger"]),
            JsonRenderPlugin(path="/openapi.json"),
            YamlRenderPlugin(path="/openapi.yaml"),
        ],
        components=Components(
            security_schemes={
                API_KEY_SCHEME: SecurityScheme(type="apiKey", name="x-apikey", security_scheme_in="header"),
                BEARER_SCHEME: SecurityScheme(
                    type="http", scheme="bearer", description="The API key as a Bearer token"
                ),
            }
        ),
        tags=[
            Tag(name="users", description="Users and API keys"),
            Tag(name="tools", description="Tools as data"),
            Tag(name="shares", description="Sharing tools between users"),
            Tag(name="hidden tools", description="Decluttering your MCP tool list"),
            Tag(name="prompts", description="MCP prompts"),
            Tag(name="resources", description="MCP resources and resource templates"),
            Tag(name="audit", description="Who did what, when, through which door"),
            Tag(name="upstreams", description="Upstream MCP servers whose tools are imported"),
        ],
        use_handler_docstrings=True,
    )


__all__ = [
    "API_PREFIX",
    "SCHEMA_PATH",
    "AdminOperations",
    "admin_operations",
    "rest_exception_handlers",
    "rest_openapi_config",
    "rest_router",
]
