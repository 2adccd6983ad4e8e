"""Which IP addresses the fetcher may connect to: a pure policy, no network.

Feed URLs come from outside, so a feed (or a redirect, or a DNS answer) must not
make the worker talk to itself, the local network or a cloud metadata service.
Refused, unless inside one of the operator's ``allowed_networks``:

* IPv4: this-network 0/8, RFC 1918, CGNAT 100.64/10, loopback, link-local 169.254/16
  (cloud metadata), IETF/documentation/benchmark ranges, multicast, 240/4 and broadcast;
* IPv6: anything outside global unicast 2000::/3 (loopback, unspecified, ULA fc00::/7,
  link-local fe80::/10, multicast, ...), the IETF block 2001::/23 (Teredo, ...) and
  documentation prefixes;
* IPv6 forms that embed an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
  ``::a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``) are judged by the embedded
  IPv4 address.

The table is explicit rather than ``ipaddress.is_global`` because that attribute's
answers changed between Python patch releases.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from worker.fetch.errors import BlockedAddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

_BLOCKED_V4: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/32"), "unspecified address"),
    (_V4("0.0.0.0/8"), "'this network' address"),
    (_V4("10.0.0.0/8"), "private address"),
    (_V4("100.64.0.0/10"), "carrier-grade NAT address"),
    (_V4("127.0.0.0/8"), "loopback address"),
    (_V4("169.254.0.0/16"), "link-local address"),
    (_V4("172.16.0.0/12"), "private address"),
    (_V4("192.0.0.0/24"), "IETF protocol address"),
    (_V4("192.0.2.0/24"), "documentation address"),
    (_V4("192.88.99.0/24"), "6to4 relay address"),
    (_V4("192.168.0.0/16"), "private address"),
    (_V4("198.18.0.0/15"), "benchmarking address"),
    (_V4("198.51.100.0/24"), "documentation address"),
    (_V4("203.0.113.0/24"), "documentation address"),
    (_V4("224.0.0.0/4"), "multicast address"),
    (_V4("255.255.255.255/32"), "broadcast address"),
    (_V4("240.0.0.0/4"), "reserved address"),
)

_GLOBAL_UNICAST_V6 = _V6("2000::/3")
_BLOCKED_V6: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("::/128"), "unspecified address"),
    (_V6("::1/128"), "loopback address"),
    (_V6("fc00::/7"), "private (unique local) address"),
    (_V6("fe80::/10"), "link-local address"),
    (_V6("fec0::/10"), "site-local address"),
    (_V6("ff00::/8"), "multicast address"),
    (_V6("2001::/23"), "IETF protocol address"),
    (_V6("2001:db8::/32"), "documentation address"),
    (_V6("3fff::/20"), "documentation address"),
)

_MAPPED = _V6("::ffff:0:0/96")
_COMPAT = _V6("::/96")
_NAT64 = _V6("64:ff9b::/96")
_SIX_TO_FOUR = _V6("2002::/16")


def parse_ip(value: str | IPAddress) -> IPAddress:
    """An address object from a string such as ``"10.0.0.1"``, ``"::1"`` or ``"fe80::1%eth0"``."""
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return value
    return ipaddress.ip_address(value.strip().strip("[]"))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 address stands for, and the name of the form, or None."""
    if ip in _MAPPED:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "IPv4-mapped"
    if ip in _COMPAT and int(ip) > 1:  # :: and ::1 have meanings of their own
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "IPv4-compatible"
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    if ip in _SIX_TO_FOUR:
        return ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF), "6to4"
    return None


def _v4_reason(ip: ipaddress.IPv4Address) -> str | None:
    for net, label in _BLOCKED_V4:
        if ip in net:
            return label
    return None


class AddressPolicy:
    """Decides whether a connection to one IP address is acceptable."""

    def __init__(self, allowed_networks: Iterable[IPNetwork] = ()) -> None:
        self.allowed_networks: tuple[IPNetwork, ...] = tuple(allowed_networks)

    def _allowed(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.allowed_networks)

    def blocked_reason(self, value: str | IPAddress) -> str | None:
        """Why the address is refused, or None when it may be used."""
        ip = parse_ip(value)
        if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
            ip = ipaddress.IPv6Address(int(ip))
        if self._allowed(ip):
            return None
        if isinstance(ip, ipaddress.IPv4Address):
            return _v4_reason(ip)
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            v4, form = embedded
            if self._allowed(v4):
                return None
            label = _v4_reason(v4)
            return f"{label} {v4} in {form} form" if label else None
        for net, label in _BLOCKED_V6:
            if ip in net:
                return label
        if ip not in _GLOBAL_UNICAST_V6:
            return "reserved IPv6 address"
        return None

    def check(self, value: str | IPAddress, *, url: str = "", host: str | None = None) -> IPAddress:
        """Return the parsed address, or raise :class:`BlockedAddress` saying why it is refused."""
        ip = parse_ip(value)
        reason = self.blocked_reason(ip)
        if reason is not None:
            target = f"{host} ({ip})" if host and host != str(ip) else str(ip)
            raise BlockedAddress(url, f"refused to connect to {target}: {reason}")
        return ip


__all__ = ["AddressPolicy", "IPAddress", "IPNetwork", "embedded_ipv4", "parse_ip"]
