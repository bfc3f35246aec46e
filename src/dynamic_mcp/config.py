"""Settings from the environment (docs/configuration.md). Reading happens only when asked, never at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
from dotenv import dotenv_values

from dynamic_mcp.domain.roles import BUILT_IN_ROLES
from dynamic_mcp.domain.users import is_valid_email
from dynamic_mcp.metadata import package_version

MEMORY_ADMIN_EMAIL = "admin@localhost"
LOG_LEVELS = ("error", "warn", "warning", "info", "http", "debug")
LOG_FORMATS = ("auto", "json", "text")
MIN_ADMIN_KEY_LENGTH = 24


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message says which and why."""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise SettingsError(f"{name} must be {bound}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {env.get(name)!r}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


MIN_REQUEST_STATE_KEY_LENGTH = 32


def _request_state_keys(env: Mapping[str, str]) -> tuple[str, ...]:
    keys = _list(env, "REQUEST_STATE_KEYS")
    if any(len(k) < MIN_REQUEST_STATE_KEY_LENGTH for k in keys):
        raise SettingsError(
            f"every REQUEST_STATE_KEYS entry must be at least {MIN_REQUEST_STATE_KEY_LENGTH} characters"
        )
    return keys


def _roles(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Role names beyond the built-in ones; no whitespace inside, no repeats of a built-in."""
    roles = _list(env, name)
    for role in roles:
        if any(c.isspace() for c in role):
            raise SettingsError(f"{name}: role names cannot contain whitespace, not {role!r}")
    return tuple(r for r in dict.fromkeys(roles) if r not in BUILT_IN_ROLES)


def _traces_endpoint(env: Mapping[str, str]) -> str:
    """OpenTelemetry's own variables: the traces endpoint as given, or the base endpoint's ``/v1/traces``."""
    for name, suffix in (("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""), ("OTEL_EXPORTER_OTLP_ENDPOINT", "/v1/traces")):
        value = (env.get(name) or "").strip()
        if value:
            if not value.startswith(("http://", "https://")):
                raise SettingsError(f"{name} must be an http:// or https:// URL, not {value!r}")
            return value.rstrip("/") + suffix if suffix else value
    return ""


MIN_SECRET_KEY_LENGTH = 16


def _secret_key(env: Mapping[str, str]) -> str | None:
    """The key that encrypts stored upstream credentials (docs/configuration.md); never logged."""
    value = env.get("SECRET_KEY") or None
    if value is not None and len(value) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long")
    return value


@attrs.frozen
class Settings:
    mongodb_uri: str | None = None
    mongodb_db: str = "dynamic-mcp-server"
    admin_email: str = MEMORY_ADMIN_EMAIL
    admin_api_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 4001
    server_name: str = "dynamic-mcp-server"
    server_version: str = attrs.field(factory=package_version)  # SERVER_VERSION, else the package's
    server_url: str = ""
    omit_handlers: tuple[str, ...] = ()
    log_level: str = "info"
    log_format: str = "auto"
    postmark_api_token: str = ""
    smtp_from: str = ""
    postmark_api_url: str = "https://api.postmarkapp.com"
    single_session_per_user: bool = False
    session_idle_timeout_seconds: int = 3600
    request_state_keys: tuple[str, ...] = ()
    """Seal 2026-era ``requestState`` (docs/tools.md); empty: a key made at start, this process only."""
    template_env_allowlist: tuple[str, ...] = ()
    max_body_bytes: int = 1_048_576
    max_resource_bytes: int = 1_048_576
    """Largest resource content stored or produced (docs/resources.md)."""
    validate_tool_input: bool = True
    allow_query_api_key: bool = True
    http_tool_allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    console_session_ttl_seconds: int = 28_800
    console_sign_in_rate_limit: int = 10
    instance_heartbeat_seconds: int = 10
    allowed_hosts: tuple[str, ...] = ()
    max_sessions_per_user: int = 50
    tools_page_size: int = 0
    """tools/list page size (docs/protocol.md); 0: one page, as clients that ignore nextCursor need."""
    require_key_on_every_request: bool = True
    extra_roles: tuple[str, ...] = ()

    @property
    def allowed_roles(self) -> tuple[str, ...]:
        """Every role a user may be given, on every door: the built-in ones, then EXTRA_ROLES."""
        return (*BUILT_IN_ROLES, *self.extra_roles)

    metrics_enabled: bool = True
    metrics_token: str = ""
    metrics_tool_labels: int = 200
    audit_enabled: bool = True
    audit_arguments: str = "none"
    audit_retention_days: int = 30
    audit_buffer: int = 10_000
    audit_memory_entries: int = 10_000
    rate_limit_tool_calls: int = 600
    rate_limit_api: int = 600
    rate_limit_sessions: int = 60
    otlp_traces_endpoint: str = ""
    """Where spans go over OTLP/HTTP; empty: no tracing (ADR 0018)."""
    otel_service_name: str = "dynamic-mcp"
    secret_key: str | None = attrs.field(default=None, repr=False)
    upstream_max_connections: int = 100
    upstream_idle_seconds: int = 300
    oauth_enabled: bool = False
    oauth_issuer: str = ""
    oauth_audience: str = ""
    oauth_jwks_url: str = ""
    oauth_email_claim: str = "email"
    oauth_auto_provision: bool = False
    rate_limit_oauth: int = 20

    @property
    def own_issuer(self) -> str:
        """This server's issuer identifier as its metadata spells it: a bare origin ends in ``/``."""
        return self.server_url + "/" if urlsplit(self.server_url).path == "" else self.server_url

    @property
    def oauth_external(self) -> bool:
        """Tokens come from an external identity provider (OAUTH_ISSUER), not from this server."""
        return self.oauth_enabled and bool(self.oauth_issuer)

    @property
    def storage(self) -> str:
        return "mongo" if self.mongodb_uri else "memory"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv_path: Path | None = None) -> Settings:
        """Environment wins over a ``.env`` file in the working directory (docs/configuration.md)."""
        file_values = {k: v for k, v in dotenv_values(dotenv_path or Path.cwd() / ".env").items() if v is not None}
        env: dict[str, str] = {**file_values, **(os.environ if environ is None else environ)}
        uri = env.get("MONGODB_URI") or env.get("MONGO_URI") or None
        admin = env.get("MCP_ADMIN_EMAIL", "").strip()
        if uri and not admin:
            raise SettingsError("MCP_ADMIN_EMAIL is required when MONGODB_URI is set")
        if admin and not is_valid_email(admin):
            raise SettingsError(f"MCP_ADMIN_EMAIL must be an email address, not {admin!r}")
        admin_key = env.get("MCP_ADMIN_API_KEY") or None
        if admin_key is not None and len(admin_key) < MIN_ADMIN_KEY_LENGTH:
            raise SettingsError(
                f"MCP_ADMIN_API_KEY must be at least {MIN_ADMIN_KEY_LENGTH} characters long "
                f"(it has {len(admin_key)}); leave it unset to have a random key issued"
            )
        server_name = env.get("MCP_SERVER_NAME") or env.get("SERVER_NAME") or "dynamic-mcp-server"
        server_url = (env.get("MCP_SERVER_URL") or "").strip().rstrip("/")
        oauth = _oauth(env, server_url)
        return cls(
            mongodb_uri=uri,
            mongodb_db=env.get("MONGODB_DB") or "dynamic-mcp-server",
            admin_email=admin or MEMORY_ADMIN_EMAIL,
            admin_api_key=admin_key,
            host=env.get("HOST") or "127.0.0.1",
            port=_int(env, "PORT", 4001, minimum=0, maximum=65535),
            server_name=server_name,
            server_version=env.get("SERVER_VERSION") or package_version(),
            server_url=server_url,
            omit_handlers=_list(env, "OMIT_HANDLERS"),
            log_level=_choice(env, "LOG_LEVEL", "info", LOG_LEVELS),
            log_format=_choice(env, "LOG_FORMAT", "auto", LOG_FORMATS),
            postmark_api_token=env.get("POSTMARK_API_TOKEN", ""),
            smtp_from=env.get("SMTP_FROM", ""),
            postmark_api_url=env.get("POSTMARK_API_URL") or "https://api.postmarkapp.com",
            single_session_per_user=_bool(env, "SINGLE_SESSION_PER_USER", False),
            session_idle_timeout_seconds=_int(env, "SESSION_IDLE_TIMEOUT_SECONDS", 3600),
            request_state_keys=_request_state_keys(env),
            template_env_allowlist=_list(env, "TEMPLATE_ENV_ALLOWLIST"),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", 1_048_576, minimum=1),
            max_resource_bytes=_int(env, "MAX_RESOURCE_BYTES", 1_048_576, minimum=1),
            validate_tool_input=_bool(env, "VALIDATE_TOOL_INPUT", True),
            allow_query_api_key=_bool(env, "ALLOW_QUERY_API_KEY", True),
            http_tool_allowed_hosts=_list(env, "HTTP_TOOL_ALLOWED_HOSTS"),
            allowed_origins=_list(env, "ALLOWED_ORIGINS"),
            console_session_ttl_seconds=_int(env, "CONSOLE_SESSION_TTL_SECONDS", 28_800, minimum=60),
            console_sign_in_rate_limit=_int(env, "CONSOLE_SIGN_IN_RATE_LIMIT", 10, maximum=10_000_000),
            instance_heartbeat_seconds=_int(env, "INSTANCE_HEARTBEAT_SECONDS", 10, minimum=1, maximum=3600),
            allowed_hosts=_list(env, "ALLOWED_HOSTS"),
            max_sessions_per_user=_int(env, "MAX_SESSIONS_PER_USER", 50, minimum=1),
            tools_page_size=_int(env, "TOOLS_PAGE_SIZE", 0, maximum=1_000_000),
            require_key_on_every_request=_bool(env, "REQUIRE_KEY_ON_EVERY_REQUEST", True),
            extra_roles=_roles(env, "EXTRA_ROLES"),
            metrics_enabled=_bool(env, "METRICS_ENABLED", True),
            metrics_token=env.get("METRICS_TOKEN", "").strip(),
            metrics_tool_labels=_int(env, "METRICS_TOOL_LABELS", 200, maximum=100_000),
            audit_enabled=_bool(env, "AUDIT_ENABLED", True),
            audit_arguments=_choice(env, "AUDIT_ARGUMENTS", "none", ("none", "keys", "full")),
            audit_retention_days=_int(env, "AUDIT_RETENTION_DAYS", 30, minimum=1, maximum=36_500),
            audit_buffer=_int(env, "AUDIT_BUFFER", 10_000, minimum=1, maximum=10_000_000),
            audit_memory_entries=_int(env, "AUDIT_MEMORY_ENTRIES", 10_000, minimum=1, maximum=10_000_000),
            rate_limit_tool_calls=_int(env, "RATE_LIMIT_TOOL_CALLS", 600, maximum=10_000_000),
            rate_limit_api=_int(env, "RATE_LIMIT_API", 600, maximum=10_000_000),
            rate_limit_sessions=_int(env, "RATE_LIMIT_SESSIONS", 60, maximum=10_000_000),
            otlp_traces_endpoint=_traces_endpoint(env),
            otel_service_name=(env.get("OTEL_SERVICE_NAME") or "").strip() or "dynamic-mcp",
            secret_key=_secret_key(env),
            upstream_max_connections=_int(env, "UPSTREAM_MAX_CONNECTIONS", 100, minimum=1, maximum=100_000),
            upstream_idle_seconds=_int(env, "UPSTREAM_IDLE_SECONDS", 300, minimum=1, maximum=86_400),
            rate_limit_oauth=_int(env, "RATE_LIMIT_OAUTH", 20, maximum=10_000_000),
            **oauth,
        )


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def _https_or_loopback(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(f"{name} must be an absolute http(s) URL without query or fragment, not {url!r}")
    if parts.scheme != "https" and parts.netloc.rsplit(":", 1)[0] not in LOOPBACK_HOSTS:
        raise SettingsError(f"{name} must use https (plain http only on localhost), not {url!r}")


def _oauth(env: Mapping[str, str], server_url: str) -> dict[str, Any]:
    """The OAuth settings (docs/oauth.md); MCP_SERVER_URL names the resource when OAuth is on."""
    issuer = (env.get("OAUTH_ISSUER") or "").strip()
    enabled = _bool(env, "OAUTH_ENABLED", bool(issuer))
    audience = (env.get("OAUTH_AUDIENCE") or "").strip()
    jwks = (env.get("OAUTH_JWKS_URL") or "").strip()
    if enabled:
        if not server_url:
            raise SettingsError("MCP_SERVER_URL is required when OAUTH_ENABLED is true (the resource is <url>/mcp)")
        _https_or_loopback("MCP_SERVER_URL", server_url)
        if issuer:
            _https_or_loopback("OAUTH_ISSUER", issuer)
            if not audience:
                raise SettingsError("OAUTH_AUDIENCE is required with OAUTH_ISSUER")
        if jwks:
            _https_or_loopback("OAUTH_JWKS_URL", jwks)
    return {
        "oauth_enabled": enabled,
        "oauth_issuer": issuer,
        "oauth_audience": audience,
        "oauth_jwks_url": jwks,
        "oauth_email_claim": (env.get("OAUTH_EMAIL_CLAIM") or "email").strip(),
        "oauth_auto_provision": _bool(env, "OAUTH_AUTO_PROVISION", False),
    }
