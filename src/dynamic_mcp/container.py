"""The composition root: the only module that names concrete adapters (ADR 0004)."""

from __future__ import annotations

import os
import platform
import secrets
import socket
from importlib import metadata

from dependency_injector import containers, providers

from dynamic_mcp.adapters.handlers import http_tool, mcp_tool
from dynamic_mcp.adapters.handlers.client_documents import HttpClientDocumentFetcher
from dynamic_mcp.adapters.handlers.outbound import OutboundPolicy
from dynamic_mcp.adapters.handlers.upstream_pool import PooledUpstreamGateway
from dynamic_mcp.adapters.mcp.listeners import ListenerRegistry
from dynamic_mcp.adapters.mcp.resources import ResourceSubscriptions
from dynamic_mcp.adapters.mcp.sessions import SessionRegistry
from dynamic_mcp.adapters.memory.audit import InMemoryAuditStore
from dynamic_mcp.adapters.memory.console_sessions import InMemoryConsoleSessionStore
from dynamic_mcp.adapters.memory.events import InMemoryEventBus
from dynamic_mcp.adapters.memory.instances import InMemoryInstanceDirectory
from dynamic_mcp.adapters.memory.limits import InMemoryRateLimiter
from dynamic_mcp.adapters.memory.mcp_sessions import InMemorySessionRepository
from dynamic_mcp.adapters.memory.oauth import InMemoryOAuthStore
from dynamic_mcp.adapters.memory.probe import MemoryStorageProbe
from dynamic_mcp.adapters.memory.repositories import (
    InMemoryPromptRepository,
    InMemoryToolRepository,
    InMemoryUserRepository,
)
from dynamic_mcp.adapters.memory.resources import InMemoryResourceRepository
from dynamic_mcp.adapters.memory.upstreams import InMemoryUpstreamRepository
from dynamic_mcp.adapters.mongo.audit import MongoAuditStore
from dynamic_mcp.adapters.mongo.changes import FOLLOWED, MongoChangeFeed
from dynamic_mcp.adapters.mongo.client import check_reachable, connect_and_prepare, create_client, database, ping
from dynamic_mcp.adapters.mongo.console_sessions import MongoConsoleSessionStore
from dynamic_mcp.adapters.mongo.instances import MongoInstanceDirectory
from dynamic_mcp.adapters.mongo.ledger import WriteLedger
from dynamic_mcp.adapters.mongo.limits import MongoRateLimiter
from dynamic_mcp.adapters.mongo.mcp_sessions import MongoSessionRepository
from dynamic_mcp.adapters.mongo.migration import migrate_plain_keys
from dynamic_mcp.adapters.mongo.oauth import MongoOAuthStore
from dynamic_mcp.adapters.mongo.probe import MongoStorageProbe
from dynamic_mcp.adapters.mongo.repositories import MongoPromptRepository, MongoToolRepository, MongoUserRepository
from dynamic_mcp.adapters.mongo.resources import MongoResourceRepository
from dynamic_mcp.adapters.mongo.upstreams import MongoUpstreamRepository
from dynamic_mcp.adapters.security.jwt_tokens import JwksVerifier
from dynamic_mcp.adapters.security.keys import Sha256KeyHasher, UuidKeyIssuer
from dynamic_mcp.adapters.security.secret_box import AesGcmSecretBox
from dynamic_mcp.adapters.system.clock import SystemClock
from dynamic_mcp.adapters.system.email import UnconfiguredEmailSender
from dynamic_mcp.adapters.system.environment import OsEnvironment
from dynamic_mcp.adapters.system.jsonschema_validator import JsonSchemaValidator
from dynamic_mcp.adapters.system.postmark import PostmarkEmailSender
from dynamic_mcp.adapters.system.prometheus import PrometheusMetrics
from dynamic_mcp.adapters.system.tracing import configured_tracing
from dynamic_mcp.adapters.system.uri_templates import SdkUriTemplates
from dynamic_mcp.application.audience import LiveAudience
from dynamic_mcp.application.audit import AuditQueries, AuditRecorder
from dynamic_mcp.application.auth import Authenticator
from dynamic_mcp.application.bootstrap import AdminBootstrap
from dynamic_mcp.application.builtins import (
    echo,
    prompt_management,
    resource_management,
    template,
    tool_management,
    upstream_management,
    user_management,
)
from dynamic_mcp.application.caching import CachedToolRepository, CachedUserRepository
from dynamic_mcp.application.calls import CallService
from dynamic_mcp.application.catalog import Catalog
from dynamic_mcp.application.changes import ChangeFollower
from dynamic_mcp.application.completion import CompletionService
from dynamic_mcp.application.console_auth import ConsoleAuth
from dynamic_mcp.application.console_views import ConsoleViews
from dynamic_mcp.application.facade import ServerFacade
from dynamic_mcp.application.instances import InstancePresence
from dynamic_mcp.application.lifecycle import NATIVE, ServerLifecycle
from dynamic_mcp.application.limits import RateLimitService
from dynamic_mcp.application.oauth import OAuthService
from dynamic_mcp.application.oauth_clients import ClientDirectory
from dynamic_mcp.application.oauth_external import ExternalTokens
from dynamic_mcp.application.onboarding import Onboarding, ServerIdentity
from dynamic_mcp.application.operations import OperationsService
from dynamic_mcp.application.packages import HandlerRegistry
from dynamic_mcp.application.prompts import PromptService
from dynamic_mcp.application.queries import CatalogQueries
from dynamic_mcp.application.registration import PackageRegistrar
from dynamic_mcp.application.resource_management import ResourceManagement
from dynamic_mcp.application.resource_registration import ResourceRegistration
from dynamic_mcp.application.resource_sharing import ResourceSharing
from dynamic_mcp.application.resources import ResourceService
from dynamic_mcp.application.sharing import SharingService
from dynamic_mcp.application.timing import TimedStore
from dynamic_mcp.application.tools import ToolService
from dynamic_mcp.application.upstreams import UpstreamService
from dynamic_mcp.application.users import UserService
from dynamic_mcp.config import Settings
from dynamic_mcp.domain.events import ChangeEvent
from dynamic_mcp.domain.limits import RateLimits
from dynamic_mcp.ports.metrics import NoMetrics
from dynamic_mcp.ports.tracing import Tracing

BUILTIN_PACKAGES = (
    user_management.PACKAGE,
    tool_management.PACKAGE,
    prompt_management.PACKAGE,
    resource_management.PACKAGE,
    template.PACKAGE,
    echo.PACKAGE,
    http_tool.PACKAGE,
    upstream_management.PACKAGE,
    mcp_tool.PACKAGE,
)


def omitted_packages(settings: Settings) -> frozenset[str]:
    names = set(settings.omit_handlers)
    if NATIVE in names:
        names |= set(BUILTIN_PACKAGES)
    return frozenset(names)


def instance_name() -> str:
    """This process, as the admin pages name it: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def new_instance_id() -> str:
    """This server instance: host and pid, and a random tag so that a restarted container with
    the same host name and pid (or two apps in one test process) is never taken for another."""
    return f"{instance_name()}:{secrets.token_hex(2)}"


def server_facts(settings: Settings) -> dict[str, str]:
    """What the Health page shows besides storage: this instance and the versions it runs."""

    def version(distribution: str) -> str:
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            return "unknown"

    return {
        "serverName": settings.server_name,
        "serverVersion": settings.server_version,
        "python": platform.python_version(),
        "mcpSdk": version("mcp"),
        "litestar": version("litestar"),
        "pymongo": version("pymongo"),
    }


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    config = providers.Configuration()

    clock = providers.Singleton(SystemClock)
    instance_id = providers.Singleton(new_instance_id)
    metrics = providers.Selector(
        config.metrics,
        on=providers.Singleton(PrometheusMetrics, tool_labels=settings.provided.metrics_tool_labels),
        off=providers.Singleton(NoMetrics),
    )
    # Spans when OTEL_EXPORTER_OTLP_ENDPOINT is set and the otel extra installed (ADR 0018).
    tracing = providers.Singleton(
        configured_tracing,
        traces_url=settings.provided.otlp_traces_endpoint,
        service_name=settings.provided.otel_service_name,
    )
    hasher = providers.Singleton(Sha256KeyHasher)
    key_issuer = providers.Singleton(UuidKeyIssuer, hasher=hasher)
    validator = providers.Singleton(JsonSchemaValidator)
    event_bus = providers.Singleton(InMemoryEventBus)
    email_sender = providers.Selector(
        config.email,
        none=providers.Singleton(UnconfiguredEmailSender),
        postmark=providers.Singleton(
            PostmarkEmailSender,
            token=settings.provided.postmark_api_token,
            sender=settings.provided.smtp_from,
            base_url=settings.provided.postmark_api_url,
        ),
    )
    environment = providers.Singleton(OsEnvironment)

    write_ledger = providers.Singleton(
        WriteLedger, database=settings.provided.mongodb_db, collections=frozenset(FOLLOWED)
    )
    mongo_client = providers.Singleton(
        create_client, uri=settings.provided.mongodb_uri, listeners=providers.List(write_ledger)
    )
    mongo_db = providers.Singleton(database, client=mongo_client, name=settings.provided.mongodb_db)

    # The stores as configured; everything else reads them through the caches below (docs/deployment.md).
    raw_user_store = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryUserRepository, clock=clock),
        mongo=providers.Singleton(MongoUserRepository, db=mongo_db, clock=clock),
    )
    raw_tool_store = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryToolRepository, clock=clock),
        mongo=providers.Singleton(MongoToolRepository, db=mongo_db, clock=clock),
    )
    raw_prompts = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryPromptRepository, clock=clock),
        mongo=providers.Singleton(MongoPromptRepository, db=mongo_db, clock=clock),
    )
    raw_resources = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryResourceRepository, clock=clock),
        mongo=providers.Singleton(MongoResourceRepository, db=mongo_db, clock=clock),
    )
    # Store latency by operation, measured below the caches (only calls that reach the store).
    user_store = providers.Singleton(TimedStore, inner=raw_user_store, name="users", metrics=metrics, tracing=tracing)
    tool_store = providers.Singleton(TimedStore, inner=raw_tool_store, name="tools", metrics=metrics, tracing=tracing)
    prompts = providers.Singleton(TimedStore, inner=raw_prompts, name="prompts", metrics=metrics, tracing=tracing)
    resources = providers.Singleton(TimedStore, inner=raw_resources, name="resources", metrics=metrics, tracing=tracing)
    users = providers.Singleton(CachedUserRepository, inner=user_store, metrics=metrics)
    tools = providers.Singleton(CachedToolRepository, inner=tool_store, metrics=metrics)

    audit_store = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryAuditStore, capacity=settings.provided.audit_memory_entries),
        mongo=providers.Singleton(MongoAuditStore, db=mongo_db, retention_days=settings.provided.audit_retention_days),
    )
    audit = providers.Singleton(
        AuditRecorder,
        store=audit_store,
        clock=clock,
        instance=instance_id,
        arguments=settings.provided.audit_arguments,
        capacity=settings.provided.audit_buffer,
        metrics=metrics,
        enabled=settings.provided.audit_enabled,
    )
    audit_queries = providers.Singleton(AuditQueries, store=audit_store, recorder=audit)

    rate_limiter = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryRateLimiter),
        mongo=providers.Singleton(MongoRateLimiter, db=mongo_db),
    )
    rate_limits = providers.Singleton(
        RateLimitService,
        limiter=rate_limiter,
        defaults=providers.Callable(
            lambda s: RateLimits(s.rate_limit_tool_calls, s.rate_limit_api, s.rate_limit_sessions), settings
        ),
        metrics=metrics,
    )

    # Upstream MCP servers (docs/upstreams.md): records, sealed secrets, the pooled client sessions.
    outbound_policy = providers.Singleton(OutboundPolicy.from_entries, settings.provided.http_tool_allowed_hosts)
    secret_box = providers.Singleton(AesGcmSecretBox, secret_key=settings.provided.secret_key)
    upstream_store = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryUpstreamRepository, clock=clock),
        mongo=providers.Singleton(MongoUpstreamRepository, db=mongo_db, clock=clock),
    )
    upstream_gateway = providers.Singleton(
        PooledUpstreamGateway,
        policy=outbound_policy,
        max_connections=settings.provided.upstream_max_connections,
        idle_seconds=settings.provided.upstream_idle_seconds,
    )

    registry = providers.Singleton(HandlerRegistry)
    identity = providers.Singleton(
        ServerIdentity, name=config.server_name, url=config.server_url, admin_email=config.admin_email
    )
    onboarding = providers.Singleton(Onboarding, sender=email_sender, identity=identity)
    # The users with a live session or listen stream here: the only ones a change is announced to.
    live_audience = providers.Singleton(LiveAudience, users=users)
    catalog = providers.Singleton(
        Catalog, users=users, tools=tools, registry=registry, events=event_bus, audience=live_audience
    )
    facade = providers.Singleton(ServerFacade, users=users, tools=tools, prompts=prompts, events=event_bus)
    # OAuth beside API keys (docs/oauth.md): this server as the authorization server, or an external one.
    oauth_store = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryOAuthStore),
        mongo=providers.Singleton(MongoOAuthStore, db=mongo_db),
    )
    oauth_clients = providers.Singleton(
        ClientDirectory,
        store=oauth_store,
        clock=clock,
        fetcher=providers.Singleton(
            HttpClientDocumentFetcher,
            policy=providers.Callable(lambda s: OutboundPolicy.from_entries(s.http_tool_allowed_hosts), settings),
        ),
        limits=rate_limits,
        registrations_per_minute=settings.provided.rate_limit_oauth,
        audit=audit,
    )
    oauth_service = providers.Singleton(
        OAuthService,
        store=oauth_store,
        users=users,
        hasher=hasher,
        clock=clock,
        clients=oauth_clients,
        resource=providers.Callable(lambda s: f"{s.server_url}/mcp", settings),
        issuer=settings.provided.own_issuer,
        audit=audit,
        limits=rate_limits,
        sign_in_per_minute=settings.provided.rate_limit_oauth,
    )
    user_service = providers.Singleton(
        UserService,
        users=users,
        catalog=catalog,
        keys=key_issuer,
        events=event_bus,
        onboarding=onboarding,
        clock=clock,
        tools=tools,
        prompts=prompts,
        allowed_roles=settings.provided.allowed_roles,
        resources=resources,
    )
    # API keys, and OAuth tokens beside them: this server's own, or an external provider's JWTs.
    authenticator = providers.Singleton(
        Authenticator,
        users=users,
        hasher=hasher,
        tokens=providers.Selector(
            config.oauth,
            off=providers.Object(None),
            own=oauth_service,
            external=providers.Singleton(
                ExternalTokens,
                verifier=providers.Singleton(
                    JwksVerifier,
                    issuer=settings.provided.oauth_issuer,
                    audience=settings.provided.oauth_audience,
                    jwks_url=settings.provided.oauth_jwks_url,
                ),
                users=users,
                provisioning=user_service,
                email_claim=settings.provided.oauth_email_claim,
                auto_provision=settings.provided.oauth_auto_provision,
            ),
        ),
    )
    catalog_queries = providers.Singleton(CatalogQueries, catalog=catalog, users=users)
    sharing_service = providers.Singleton(SharingService, users=users, catalog=catalog, events=event_bus, clock=clock)
    tool_service = providers.Singleton(
        ToolService, tools=tools, users=users, catalog=catalog, validator=validator, events=event_bus, clock=clock
    )
    call_service = providers.Singleton(
        CallService,
        catalog=catalog,
        registry=registry,
        validator=validator,
        validate_input=config.validate_tool_input,
        environment=environment,
        env_allowlist=providers.Callable(lambda s: frozenset(s.template_env_allowlist), settings),
        server=facade,
        metrics=metrics,
        audit=audit,
        limits=rate_limits,
        tracing=tracing,
    )
    upstream_service = providers.Singleton(
        UpstreamService,
        upstreams=upstream_store,
        tools=tools,
        tool_service=tool_service,
        users=users,
        gateway=upstream_gateway,
        box=secret_box,
        server_url=settings.provided.server_url,
    )
    prompt_service = providers.Singleton(
        PromptService,
        prompts=prompts,
        catalog=catalog,
        registry=registry,
        events=event_bus,
        clock=clock,
        server=facade,
    )
    uri_templates = providers.Singleton(SdkUriTemplates)
    resource_service = providers.Singleton(
        ResourceService,
        resources=resources,
        catalog=catalog,
        registry=registry,
        templates=uri_templates,
        max_bytes=settings.provided.max_resource_bytes,
        server=facade,
    )
    resource_admin = providers.Singleton(
        ResourceManagement, resources=resources, service=resource_service, catalog=catalog, clock=clock
    )
    resource_sharing = providers.Singleton(
        ResourceSharing, users=users, resources=resource_admin, events=event_bus, clock=clock
    )
    completion_service = providers.Singleton(
        CompletionService,
        prompts=prompt_service,
        registry=registry,
        resource_completer=resource_service.provided.complete,
    )
    resource_registration = providers.Singleton(
        ResourceRegistration, resources=resources, service=resource_service, catalog=catalog, clock=clock
    )
    registrar = providers.Singleton(
        PackageRegistrar,
        registry=registry,
        tools=tools,
        prompts=prompts,
        catalog=catalog,
        validator=validator,
        events=event_bus,
        clock=clock,
        omitted=providers.Callable(omitted_packages, settings),
        resources=resource_registration,
    )
    bootstrap = providers.Singleton(AdminBootstrap, users=users, keys=key_issuer, onboarding=onboarding, clock=clock)
    builtin_packages = providers.List(
        providers.Singleton(
            user_management.build_package,
            users=user_service,
            sharing=sharing_service,
            extra_roles=settings.provided.extra_roles,
        ),
        providers.Singleton(tool_management.build_package, tools=tool_service),
        providers.Singleton(prompt_management.build_package, prompts=prompt_service),
        providers.Singleton(resource_management.build_package, resources=resource_admin, sharing=resource_sharing),
        providers.Singleton(echo.build_package),
        providers.Singleton(template.build_package),
        providers.Singleton(http_tool.build_package, policy=outbound_policy),
        providers.Singleton(upstream_management.build_package, upstreams=upstream_service),
        providers.Singleton(mcp_tool.build_package, upstreams=upstream_service, gateway=upstream_gateway),
    )
    lifecycle = providers.Singleton(
        ServerLifecycle,
        bootstrap=bootstrap,
        registrar=registrar,
        builtins=builtin_packages,
        admin_email=config.admin_email,
        admin_api_key=config.admin_api_key,
    )
    # Changes by other writers (instances, the CLI): followed only on MongoDB (ADR 0010).
    change_follower = providers.Selector(
        config.storage,
        memory=providers.Object(None),
        mongo=providers.Singleton(
            ChangeFollower,
            feed=providers.Singleton(
                MongoChangeFeed, client=mongo_client, db_name=settings.provided.mongodb_db, ledger=write_ledger
            ),
            users=users,
            tools=tools,
            catalog=catalog,
            events=event_bus,
            clock=clock,
            metrics=metrics,
        ),
    )
    mcp_sessions = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemorySessionRepository),
        mongo=providers.Singleton(MongoSessionRepository, db=mongo_db),
    )
    session_registry = providers.Singleton(
        SessionRegistry,
        store=mcp_sessions,
        clock=clock,
        single_session_per_user=config.single_session_per_user,
        idle_timeout_seconds=settings.provided.session_idle_timeout_seconds,
        metrics=metrics,
        instance=instance_id,
        presence=live_audience,
    )
    # Every instance's heartbeat and listen streams, where every instance can read them (ADR 0020).
    instance_directory = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryInstanceDirectory),
        mongo=providers.Singleton(MongoInstanceDirectory, db=mongo_db),
    )
    presence = providers.Singleton(
        InstancePresence,
        directory=instance_directory,
        clock=clock,
        instance=instance_id,
        version=settings.provided.server_version,
        interval_seconds=settings.provided.instance_heartbeat_seconds,
    )
    listener_registry = providers.Singleton(
        ListenerRegistry,
        directory=instance_directory,
        instance=instance_id,
        clock=clock,
        heartbeat_seconds=settings.provided.instance_heartbeat_seconds,
        presence=live_audience,
    )
    resource_subscriptions = providers.Singleton(ResourceSubscriptions, sessions=session_registry, metrics=metrics)

    # The browser console (docs/console.md): sign-ins kept where every instance can read them.
    console_sessions = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryConsoleSessionStore),
        mongo=providers.Singleton(MongoConsoleSessionStore, db=mongo_db),
    )
    console_auth = providers.Singleton(
        ConsoleAuth,
        store=console_sessions,
        authenticator=authenticator,
        users=users,
        clock=clock,
        ttl_seconds=settings.provided.console_session_ttl_seconds,
        limiter=rate_limiter,
        sign_ins_per_minute=settings.provided.console_sign_in_rate_limit,
        audit=audit,
    )
    console_views = providers.Singleton(ConsoleViews, users=users, catalog=catalog)
    storage_probe = providers.Selector(
        config.storage,
        memory=providers.Singleton(MemoryStorageProbe),
        mongo=providers.Singleton(MongoStorageProbe, client=mongo_client),
    )
    operations = providers.Singleton(
        OperationsService,
        sessions=mcp_sessions,
        directory=instance_directory,
        storage=storage_probe,
        storage_mode=config.storage,
        clock=clock,
        instance=instance_id,
        facts=providers.Callable(server_facts, settings),
    )


def build_container(settings: Settings, *, tracing: Tracing | None = None) -> Container:
    """``tracing`` replaces the configured one (embedders with a tracer provider of their own, tests)."""
    container = Container(settings=settings)
    if tracing is not None:
        container.tracing.override(providers.Object(tracing))
    container.config.from_dict(
        {
            "storage": settings.storage,
            "email": "postmark" if settings.postmark_api_token and settings.smtp_from else "none",
            "server_name": settings.server_name,
            "server_url": settings.server_url,
            "admin_email": settings.admin_email,
            "admin_api_key": settings.admin_api_key,
            "validate_tool_input": settings.validate_tool_input,
            "single_session_per_user": settings.single_session_per_user,
            "metrics": "on" if settings.metrics_enabled else "off",
            "oauth": ("external" if settings.oauth_external else "own") if settings.oauth_enabled else "off",
        }
    )
    bus = container.event_bus()
    bus.subscribe(container.users().on_event)  # before sessions: notified clients re-read fresh state
    bus.subscribe(container.upstream_service().on_event)  # a deleted user's upstream credentials go too
    bus.subscribe(container.live_audience().on_event)  # after the user cache: re-reads the changed record
    bus.subscribe(container.session_registry().on_event)
    bus.subscribe(container.listener_registry().on_event)  # 2026-era subscriptions/listen streams
    bus.subscribe(container.resource_subscriptions().on_event)  # handshake-era resources/subscribe
    if settings.oauth_enabled and not settings.oauth_external:

        async def end_oauth_grants(event: ChangeEvent) -> None:  # built on first use, like the other services
            await container.oauth_service().on_event(event)

        bus.subscribe(end_oauth_grants)  # a key reset or deleted user ends their tokens
    return container


async def prepare_storage(container: Container) -> None:
    """Start-up storage steps (docs/configuration.md): in mongo mode ping, create indexes, migrate plain keys.

    Raises StorageUnavailable when MongoDB cannot be reached; a no-op in memory mode.
    """
    settings: Settings = container.settings()
    if settings.storage != "mongo":
        return
    db = await connect_and_prepare(container.mongo_client(), settings.mongodb_db)
    await migrate_plain_keys(db, container.hasher())


async def start_following(container: Container) -> None:
    """Start following other writers' changes (MongoDB mode); before anything is cached."""
    follower: ChangeFollower | None = container.change_follower()
    if follower is not None:
        await follower.start()


async def stop_following(container: Container) -> None:
    follower: ChangeFollower | None = container.change_follower()
    if follower is not None:
        await follower.stop()


async def check_storage(settings: Settings) -> None:
    """Fail fast before serving (docs/configuration.md): StorageUnavailable unless MongoDB answers a ping.

    Uses a short-lived client of its own, so it can run in an event loop of its own before the
    server starts; a no-op in memory mode.
    """
    if settings.storage == "mongo" and settings.mongodb_uri:
        await check_reachable(settings.mongodb_uri)


async def storage_health(container: Container, within_seconds: float = 2.0) -> None:
    """The deep health check (docs/configuration.md): StorageUnavailable unless MongoDB answers a ping in time."""
    settings: Settings = container.settings()
    if settings.storage == "mongo":
        await ping(container.mongo_client(), within_seconds)


async def close_storage(container: Container) -> None:
    """Close the MongoDB client at shutdown; a no-op in memory mode."""
    settings: Settings = container.settings()
    if settings.storage == "mongo":
        await container.mongo_client().close()
