"""Which outbound URLs Sigap may call: https only, and only addresses on the public internet, checked on the
addresses DNS gives at connection time (the caller connects to the address checked here, so a name that
resolves to a public address when saved and to 169.254.169.254 later is refused at every connection).

Only the local stack may allow loopback receivers (its demo and bench receivers on 127.0.0.1), and only by
an explicit setting; plain http is then allowed for loopback addresses and nothing else.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]
# Cloud metadata and other special addresses that `is_global` does not already rule out.
_BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("169.254.0.0/16", "fd00:ec2::/32", "100.64.0.0/10", "192.0.0.0/24", "0.0.0.0/8", "::ffff:0:0/96")
)


class UnsafeUrlError(ValueError):
    """The URL may not be called: why, in words a tenant can act on."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the checked IP address to connect to


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeUrlError(f"the host {host!r} does not resolve") from exc
    return sorted({str(info[4][0]) for info in infos})


# IPv6 forms that carry an IPv4 address (NAT64, 6to4, IPv4-compatible) are judged by the address they carry: a
# NAT64 gateway turns [64:ff9b::a9fe:a9fe] into 169.254.169.254. Python's `is_global` calls them all global.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Never public, whatever they carry: local-use NAT64 (its IPv4 may sit anywhere), IPv4-compatible (deprecated),
# site-local (deprecated, still routed inside some networks).
_NOT_PUBLIC_V6 = tuple(ipaddress.ip_network(network) for network in ("64:ff9b:1::/48", "::/96", "fec0::/10"))


def _carried(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_public(address: str) -> bool:
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _NOT_PUBLIC_V6):
            return False
        ip = _carried(ip) or ip
    return ip.is_global and not ip.is_multicast and not any(ip in network for network in _BLOCKED_NETWORKS)


def check_syntax(url: str, *, allow_loopback: bool = False) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL Sigap could call, or UnsafeUrlError; no DNS lookup."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrlError(f"not a URL: {exc}") from exc
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise UnsafeUrlError("must be an https:// URL with a host name")
    if parts.username or parts.password:
        raise UnsafeUrlError("must not carry a user name or password")
    if parts.scheme == "http" and not (allow_loopback and _is_loopback_name(host)):
        raise UnsafeUrlError("must use https")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_target(url: str, *, allow_loopback: bool = False, resolver: Resolver = system_resolver) -> Target:
    """The address to connect to for `url`, every address its name resolves to checked first."""
    scheme, host, port, path = check_syntax(url, allow_loopback=allow_loopback)
    addresses = resolver(host.strip("[]"), port)
    if not addresses:
        raise UnsafeUrlError(f"the host {host!r} does not resolve")
    for address in addresses:
        loopback_ok = allow_loopback and ipaddress.ip_address(address).is_loopback
        if not (loopback_ok or is_public(address)):
            raise UnsafeUrlError(
                f"{host!r} resolves to {address}, which is not a public internet address "
                "(private, loopback, link-local and cloud metadata addresses are refused)"
            )
    if scheme == "http" and not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise UnsafeUrlError("must use https")
    return Target(scheme=scheme, host=host.strip("[]"), port=port, path=path, address=addresses[0])
