"""The httpx transport that enforces the address policy at connect time.

httpcore asks its network backend to ``connect_tcp(host, port)``. :class:`GuardedBackend`
resolves ``host`` itself, vets *every* resolved address with the
:class:`~worker.fetch.guard.AddressPolicy` and then connects to a vetted IP literal,
so the address checked is the address used: a DNS answer that changes between a
check and the connect (DNS rebinding) cannot slip through, and every redirect hop
(each a new connection) is checked the same way. TLS still verifies the certificate
against the host name, because httpcore passes the origin's host as ``server_hostname``.

:class:`GuardedTransport` is ``httpx.AsyncHTTPTransport`` with its connection pool
rebuilt around that backend. It never uses proxies: a proxy would do the connecting.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from worker.fetch.errors import ConnectFailed
from worker.fetch.guard import AddressPolicy, IPAddress

Resolver = Callable[[str, int], Awaitable[list[str]]]
SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


async def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver (getaddrinfo in a worker thread), in order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


class GuardedBackend(AsyncNetworkBackend):
    """A network backend that only connects to addresses the policy accepts."""

    def __init__(self, policy: AddressPolicy, *, resolve: Resolver = system_resolve,
                 inner: AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self._resolve = resolve
        self._inner = inner or httpcore.AnyIOBackend()

    async def resolve_vetted(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        """Every address of ``host``, all vetted; raises BlockedAddress if any one is refused."""
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            return [self.policy.check(literal)]
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except (OSError, UnicodeError) as exc:
            raise ConnectFailed("", f"host name {host} does not resolve ({exc})", kind="dns") from None
        if not addresses:
            raise ConnectFailed("", f"host name {host} has no addresses", kind="dns")
        # One refused address refuses the host: a mixed answer is a rebinding attempt or a mistake.
        return [self.policy.check(address, host=host) for address in addresses]

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[SocketOption] | None = None) -> AsyncNetworkStream:
        started = time.monotonic()
        addresses = await self.resolve_vetted(host, port, timeout)
        last_error: Exception | None = None
        for ip in addresses:
            remaining = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
            try:
                return await self._inner.connect_tcp(str(ip), port, timeout=remaining,
                                                     local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[SocketOption] | None = None) -> AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose every connection goes through a :class:`GuardedBackend`."""

    def __init__(self, policy: AddressPolicy, *, limits: httpx.Limits | None = None,
                 resolve: Resolver = system_resolve, ssl_context: ssl.SSLContext | None = None) -> None:
        limits = limits or httpx.Limits()
        context = ssl_context or httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=context, limits=limits, trust_env=False)
        self.backend = GuardedBackend(policy, resolve=resolve)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=self.backend,
        )


__all__ = ["GuardedBackend", "GuardedTransport", "Resolver", "system_resolve"]
