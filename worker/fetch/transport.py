"""The httpx transport that enforces the address policy at connect time.

httpcore asks its network backend to ``connect_tcp(host, port)``. :class:`GuardedBackend`
resolves ``host`` itself, vets *every* resolved address with the
:class:`~worker.fetch.guard.AddressPolicy` and then connects to a vetted IP literal,
so the address checked is the address used: a DNS answer that changes between a
check and the connect (DNS rebinding) cannot slip through, and every redirect hop
(each a new connection) is checked the same way. TLS still verifies the certificate
against the host name, because httpcore passes the origin's host as ``server_hostname``.

:class:`GuardedTransport` is a small ``httpx.AsyncBaseTransport`` of our own around an
``httpcore.AsyncConnectionPool`` built with that backend (``network_backend`` is public
httpcore API). It maps ``httpx.Request`` to ``httpcore.Request`` and back, and httpcore's
exceptions to httpx's, as ``httpx.AsyncHTTPTransport`` does, so nothing private of httpx is
touched and httpx upgrades cannot silently drop the guard. It never uses proxies: a proxy
would do the connecting.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator

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


# Most specific first: the first match wins, so a ConnectTimeout stays a ConnectTimeout rather than
# becoming the TimeoutException it also is.
_HTTPCORE_TO_HTTPX: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def httpx_errors() -> Iterator[None]:
    """Re-raise httpcore's exceptions as the httpx ones callers of an httpx client expect.

    Anything else (a :class:`~worker.fetch.errors.FetchError` raised by the guard, cancellation)
    passes through unchanged.
    """
    try:
        yield
    except Exception as exc:
        mapped = next((to for core, to in _HTTPCORE_TO_HTTPX if isinstance(exc, core)), None)
        if mapped is None:
            raise
        raise mapped(str(exc)) from exc


class _Body(httpx.AsyncByteStream):
    """A response body read from httpcore, its errors raised as httpx errors."""

    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_errors():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            with httpx_errors():
                await close()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport whose every connection goes through a :class:`GuardedBackend`."""

    def __init__(self, policy: AddressPolicy, *, limits: httpx.Limits | None = None,
                 resolve: Resolver = system_resolve, ssl_context: ssl.SSLContext | None = None) -> None:
        limits = limits or httpx.Limits()
        self.backend = GuardedBackend(policy, resolve=resolve)
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=self.backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # httpx hands transports an async stream; httpcore reads the same AsyncIterable[bytes].
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,  # carries httpx's per-request timeouts to httpcore
        )
        with httpx_errors():
            core_response = await self.pool.handle_async_request(core_request)
        assert isinstance(core_response.stream, AsyncIterable)
        return httpx.Response(status_code=core_response.status, headers=core_response.headers,
                              stream=_Body(core_response.stream), extensions=core_response.extensions)

    async def aclose(self) -> None:
        await self.pool.aclose()


__all__ = ["GuardedBackend", "GuardedTransport", "Resolver", "httpx_errors", "system_resolve"]
