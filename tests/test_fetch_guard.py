"""The address policy (pure) and the connect-time guard in the transport (fake resolver, no internet)."""

from __future__ import annotations

import asyncio
import http.server
import ipaddress
import socket

import httpx
import pytest
from server import LocalServer

from worker.fetch import AddressPolicy, BlockedAddress, ConnectFailed, Fetcher
from worker.fetch.guard import embedded_ipv4
from worker.fetch.transport import GuardedTransport
from worker.pipeline.schedule import retryable
from worker.settings import settings_with

BLOCKED = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "this network"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("255.255.255.255", "broadcast"),
    ("240.0.0.1", "reserved"),
    ("192.0.2.10", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "IETF"),  # Teredo
    ("100::1", "reserved IPv6"),
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:169.254.169.254", "link-local"),
    ("::ffff:10.0.0.1", "private"),
    ("::127.0.0.1", "loopback"),  # IPv4-compatible
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 of 169.254.169.254
]

ALLOWED = ["93.184.216.34", "8.8.8.8", "100.128.0.1", "172.32.0.1", "2606:2800:220:1:248:1893:25c8:1946",
           "::ffff:93.184.216.34", "2002:5db8:d822::1", "64:ff9b::808:808"]


@pytest.mark.parametrize(("address", "label"), BLOCKED)
def test_policy_refuses_special_addresses(address: str, label: str) -> None:
    policy = AddressPolicy()
    reason = policy.blocked_reason(address)
    assert reason is not None and label in reason
    with pytest.raises(BlockedAddress) as info:
        policy.check(address, url="http://x.test/feed")
    assert info.value.kind == "blocked" and not retryable(info.value.kind, None)
    assert "http://x.test/feed" in str(info.value)


@pytest.mark.parametrize("address", ALLOWED)
def test_policy_accepts_public_addresses(address: str) -> None:
    assert AddressPolicy().blocked_reason(address) is None
    assert AddressPolicy().check(address) == ipaddress.ip_address(address)


def test_allowed_networks_open_exactly_their_range() -> None:
    policy = AddressPolicy([ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("fd00::/8")])
    assert policy.blocked_reason("127.0.0.1") is None
    assert policy.blocked_reason("::ffff:127.0.0.1") is None  # same destination, mapped form
    assert policy.blocked_reason("fd00::5") is None
    assert policy.blocked_reason("10.0.0.1") is not None
    assert policy.blocked_reason("::1") is not None
    assert policy.blocked_reason("169.254.169.254") is not None


def test_embedded_forms() -> None:
    v6 = ipaddress.IPv6Address
    assert embedded_ipv4(v6("::ffff:1.2.3.4")) == (ipaddress.IPv4Address("1.2.3.4"), "IPv4-mapped")
    assert embedded_ipv4(v6("2002:7f00:1::")) == (ipaddress.IPv4Address("127.0.0.1"), "6to4")
    assert embedded_ipv4(v6("64:ff9b::7f00:1")) == (ipaddress.IPv4Address("127.0.0.1"), "NAT64")
    assert embedded_ipv4(v6("::1")) is None
    assert embedded_ipv4(v6("2606:2800::1")) is None


# --- the guard at connect time ------------------------------------------------------------


def _fetch_with_resolver(addresses: list[str] | Exception, url: str, allowed: tuple[str, ...] = ()) -> object:
    async def resolve(host: str, port: int) -> list[str]:
        if isinstance(addresses, Exception):
            raise addresses
        return addresses

    settings = settings_with(allowed_networks=tuple(ipaddress.ip_network(n) for n in allowed),
                             per_host_delay=0.0, fetch_timeout=5.0)
    transport = GuardedTransport(AddressPolicy(settings.allowed_networks), resolve=resolve)

    async def go() -> object:
        async with Fetcher(settings, transport=transport) as fetcher:
            return await fetcher.fetch(url, kind="feed")

    return asyncio.run(go())


def test_hostname_is_connected_at_the_vetted_address(http_server: LocalServer) -> None:
    http_server.add("/feed", "<rss/>")
    response = _fetch_with_resolver(["127.0.0.1"], f"http://feeds.example:{http_server.port}/feed",
                                    allowed=("127.0.0.0/8",))
    assert getattr(response, "body", None) == b"<rss/>"
    assert http_server.requests[0].headers["host"] == f"feeds.example:{http_server.port}"


def test_dns_answer_with_a_private_address_is_refused_before_connecting(http_server: LocalServer) -> None:
    http_server.add("/feed", "<rss/>")
    with pytest.raises(BlockedAddress) as info:
        _fetch_with_resolver(["93.184.216.34", "127.0.0.1"], f"http://rebind.example:{http_server.port}/feed")
    assert "rebind.example (127.0.0.1)" in info.value.reason
    assert info.value.url == f"http://rebind.example:{http_server.port}/feed"
    assert http_server.requests == []


def test_dns_failure_is_a_retryable_dns_error() -> None:
    with pytest.raises(ConnectFailed) as info:
        _fetch_with_resolver(socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
                             "http://no-such-host.invalid/feed")
    assert info.value.kind == "dns" and retryable(info.value.kind, None)
    assert "no-such-host.invalid" in str(info.value)


def test_literal_metadata_address_is_refused_without_resolving() -> None:
    with pytest.raises(BlockedAddress):
        _fetch_with_resolver(AssertionError("must not resolve"), "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(BlockedAddress):
        _fetch_with_resolver(AssertionError("must not resolve"), "http://[::ffff:169.254.169.254]/")


def test_system_resolver_names_are_vetted_and_connected(http_server: LocalServer) -> None:
    """localhost may resolve to ::1 first: the guard tries each vetted address in turn."""
    http_server.add("/feed", "<rss/>")
    url = f"http://localhost:{http_server.port}/feed"

    def run(allowed: tuple[str, ...]) -> object:
        settings = settings_with(allowed_networks=tuple(ipaddress.ip_network(n) for n in allowed),
                                 per_host_delay=0.0, fetch_timeout=5.0)

        async def go() -> object:
            async with Fetcher(settings) as fetcher:
                return await fetcher.fetch(url, kind="feed")

        return asyncio.run(go())

    assert getattr(run(("127.0.0.0/8", "::1/128")), "body", None) == b"<rss/>"
    with pytest.raises(BlockedAddress) as info:
        run(())
    assert "localhost (" in info.value.reason


# --- the guard is in force through httpx's public transport API --------------------------


def test_default_fetcher_refuses_the_metadata_address_at_connect_time() -> None:
    """No transport given: the Fetcher's own transport vets the address (without the guard this
    would try to connect and fail as a timeout or connect error, not as BlockedAddress)."""
    settings = settings_with(per_host_delay=0.0, fetch_timeout=5.0, connect_timeout=1.0)

    async def go() -> object:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch("http://169.254.169.254/latest/meta-data/", kind="page")

    with pytest.raises(BlockedAddress) as info:
        asyncio.run(go())
    assert "169.254.169.254" in info.value.reason and "link-local" in info.value.reason


def test_guarded_transport_in_a_plain_httpx_client_vets_the_resolved_address(http_server: LocalServer) -> None:
    """The transport is a public ``httpx.AsyncBaseTransport``: any httpx client that uses it connects
    only after the backend resolved and vetted the name, and a loopback answer never reaches the server."""
    http_server.add("/feed", "<rss/>")
    asked: list[tuple[str, int]] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["127.0.0.1"]

    async def get(policy: AddressPolicy) -> httpx.Response:
        transport = GuardedTransport(policy, resolve=resolve)
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.get(f"http://feeds.example:{http_server.port}/feed")

    with pytest.raises(BlockedAddress):
        asyncio.run(get(AddressPolicy()))
    assert asked == [("feeds.example", http_server.port)] and http_server.requests == []
    response = asyncio.run(get(AddressPolicy([ipaddress.ip_network("127.0.0.0/8")])))
    assert (response.status_code, response.content) == (200, b"<rss/>")
    assert len(asked) == 2 and len(http_server.requests) == 1


def test_guarded_transport_raises_httpx_errors_for_network_failures(http_server: LocalServer) -> None:
    """httpcore's exceptions come out as httpx's, so the Fetcher's error mapping keeps working."""
    def cut_short(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "100")
        h.end_headers()
        h.wfile.write(b"only ten b")

    http_server.add_handler("/short", cut_short)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    policy = AddressPolicy([ipaddress.ip_network("127.0.0.0/8")])

    async def get(url: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=GuardedTransport(policy)) as client:
            return await client.get(url)

    with pytest.raises(httpx.ConnectError):
        asyncio.run(get(f"http://127.0.0.1:{closed_port}/"))
    with pytest.raises(httpx.RemoteProtocolError):
        asyncio.run(get(http_server.url("/short")))
