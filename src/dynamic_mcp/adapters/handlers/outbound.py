"""Which outbound addresses an http tool may reach (docs/tools.md): an SSRF guard.

With ``HTTP_TOOL_ALLOWED_HOSTS`` set, only the listed ``host`` or ``host:port`` entries are allowed
(whatever they resolve to). Without it, any host is allowed whose every resolved address is public:
private, loopback, link-local, multicast, reserved and unspecified addresses are refused, and so is
every IPv6 form of a refused IPv4 address (mapped, compatible, NAT64, 6to4, Teredo). The
check runs on the resolved address before connecting, and the request then goes to that address,
so a second DNS answer cannot swap it (no rebinding window).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import attrs

from dynamic_mcp.domain.errors import Forbidden, Invalid


@attrs.frozen
class OutboundPolicy:
    allowed: frozenset[str] = frozenset()

    @classmethod
    def from_entries(cls, entries: tuple[str, ...]) -> OutboundPolicy:
        return cls(frozenset(e.strip().lower() for e in entries if e.strip()))

    def host_listed(self, host: str, port: int) -> bool:
        host = host.lower()
        return host in self.allowed or f"{host}:{port}" in self.allowed

    async def resolve(self, host: str, port: int) -> str:
        """An address to connect to, or Forbidden/Invalid explaining why not."""
        listed = self.host_listed(host, port)
        if self.allowed and not listed:
            raise Forbidden(f"Outbound host '{host}:{port}' is not in HTTP_TOOL_ALLOWED_HOSTS")
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise Invalid(f"Cannot resolve host '{host}'") from exc
        addresses = [str(info[4][0]) for info in infos]
        if not addresses:
            raise Invalid(f"Cannot resolve host '{host}'")
        if not listed:
            for address in addresses:
                if not is_public(address):
                    raise Forbidden(
                        f"Outbound host '{host}' resolves to a non-public address; "
                        "allow it explicitly with HTTP_TOOL_ALLOWED_HOSTS"
                    )
        return addresses[0]


# Refused whatever they embed: 6to4 (relays are deprecated, and the prefix reaches any IPv4 host),
# site-local (deprecated, private in practice) and local-use NAT64.
_REFUSED_V6 = tuple(ipaddress.ip_network(n) for n in ("2002::/16", "fec0::/10", "64:ff9b:1::/48"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for (mapped, compatible, translated, NAT64, Teredo)."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    embedded = []
    if ip.ipv4_mapped is not None:
        embedded.append(ip.ipv4_mapped)
    if ip in _NAT64 or ip in _IPV4_TRANSLATED or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        embedded.append(low32)
    if ip.teredo is not None:
        embedded.extend(ip.teredo)
    return embedded


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local or any(ip in network for network in _REFUSED_V6):
            return False
        embedded = _embedded_ipv4(ip)
        if embedded:
            # The IPv6 form is only as public as the IPv4 host it reaches.
            return not any(_refused(v4) for v4 in embedded)
    return not _refused(ip)
