"""DNS-rebinding guard: which ``Origin`` and ``Host`` headers a request may carry.

Bound to a loopback address, the server accepts only loopback names (plus what is configured);
bound elsewhere, it accepts the host of ``MCP_SERVER_URL``, the hosts of ``ALLOWED_ORIGINS`` and
``ALLOWED_HOSTS``. A request without the header passes that check: browsers always send both.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

import attrs

from dynamic_mcp.config import Settings

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(authority: str) -> str:
    """``example.com:4001`` -> ``example.com``; ``[::1]:80`` -> ``::1``; lower case."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        return authority[1:].partition("]")[0]
    if authority.count(":") > 1:  # a bare IPv6 address
        return authority
    return authority.partition(":")[0]


def _origin_host(origin: str) -> str | None:
    try:
        parts = urlsplit(origin)
        return parts.hostname if parts.scheme in ("http", "https") else None
    except ValueError:
        return None


@attrs.frozen
class Refusal:
    header: str
    value: str
    setting: str

    def body(self) -> dict[str, str]:
        return {
            "error": f"{self.header} {self.value!r} is not allowed. "
            f"Set {self.setting} to accept requests with it (see docs/configuration.md)."
        }


@attrs.frozen
class OriginPolicy:
    loopback_only: bool
    hosts: frozenset[str]
    origins: tuple[str, ...]
    any_host: bool = False
    any_origin: bool = False

    @classmethod
    def from_settings(
        cls, bind_host: str, server_url: str, allowed_origins: tuple[str, ...], allowed_hosts: tuple[str, ...] = ()
    ) -> OriginPolicy:
        hosts = {host_name(h) for h in allowed_hosts if h != "*"}
        url_host = urlsplit(server_url).hostname if server_url else None
        if url_host:
            hosts.add(url_host.lower())
        hosts |= {h.lower() for o in allowed_origins if (h := _origin_host(o.replace(":*", ""))) is not None}
        origins = tuple(allowed_origins)
        if server_url:
            parts = urlsplit(server_url)
            origins += (f"{parts.scheme}://{parts.netloc}",)
        return cls(
            loopback_only=is_loopback(bind_host) or bind_host.lower() == "localhost",
            hosts=frozenset(hosts),
            origins=origins,
            any_host="*" in allowed_hosts,
            any_origin="*" in allowed_origins,
        )

    def host_allowed(self, host: str) -> bool:
        name = host_name(host)
        if self.any_host or name in self.hosts:
            return True
        return self.loopback_only and is_loopback(name)

    def origin_allowed(self, origin: str) -> bool:
        if self.any_origin or origin in self.origins:
            return True
        if any(a.endswith(":*") and origin.startswith(a[:-1]) for a in self.origins):
            return True
        name = _origin_host(origin)
        return name is not None and self.loopback_only and is_loopback(name)

    def check(self, headers: Mapping[bytes, bytes]) -> Refusal | None:
        """None when the request may go on, else what was refused and which setting would allow it."""
        host = headers.get(b"host", b"").decode("latin-1")
        if host and not self.host_allowed(host):
            return Refusal("Host", host[:200], "ALLOWED_HOSTS (or MCP_SERVER_URL)")
        origin = headers.get(b"origin", b"").decode("latin-1")
        if origin and not self.origin_allowed(origin):
            return Refusal("Origin", origin[:200], "ALLOWED_ORIGINS")
        return None


def origin_policy(settings: Settings) -> OriginPolicy:
    return OriginPolicy.from_settings(
        settings.host, settings.server_url, settings.allowed_origins, settings.allowed_hosts
    )
