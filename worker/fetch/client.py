"""The fetcher: the only code in the worker that talks to the network.

One :meth:`Fetcher.fetch` is one logical request: redirects are followed by hand so
every hop is vetted (scheme here, address in :mod:`worker.fetch.transport`), the body
is streamed raw and decoded under a size cap (:mod:`worker.fetch.decode`), and one
deadline of ``settings.fetch_timeout`` covers all hops and the body, because httpx's
own timeouts are per read and a server dripping bytes would never trip them. Each hop
waits its turn at its host (:mod:`worker.fetch.limits`); that waiting is not counted.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

import httpx

from worker.fetch.decode import ACCEPT_ENCODING, CappedDecoder, content_coding
from worker.fetch.errors import (
    BadScheme,
    BadStatus,
    ConnectFailed,
    FetchError,
    Stopped,
    Timeout,
    TooLarge,
    TooManyRedirects,
    redact,
)
from worker.fetch.guard import AddressPolicy
from worker.fetch.limits import HostLimiter
from worker.fetch.local import is_local_target, read_local
from worker.fetch.transport import GuardedTransport
from worker.settings import Settings

log = logging.getLogger("worker.fetch")

Kind = Literal["feed", "page"]
ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8",
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})


@dataclass(frozen=True)
class Response:
    url: str
    """Final URL after redirects (for local files: the file:// URI)."""
    status: int
    """200..299, or 304."""
    headers: dict[str, str]
    """Headers of the final response, names lower-cased, repeated headers joined with ", "."""
    body: bytes
    """Body with Content-Encoding removed; b"" for 304."""
    redirects: tuple[tuple[int, str], ...] = ()
    """(status, absolute Location) per redirect hop, in order."""
    elapsed: float = 0.0
    """Seconds spent on the requests, every hop and the body included; waits for a turn at a host
    (per_host_concurrency, per_host_delay) are left out, as they are from the deadline."""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def permanent_url(self) -> str | None:
        """The final URL when there were redirects and every hop was permanent (301/308), else None."""
        if self.redirects and all(status in PERMANENT_REDIRECTS for status, _ in self.redirects):
            return self.url
        return None


@dataclass(frozen=True)
class _Hop:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    location: str | None


def _http_url(url: str, *, what: str = "URL") -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise BadScheme(url, f"{what} is not a valid http(s) URL") from None
    if parsed.scheme not in ("http", "https"):
        scheme = parsed.scheme or "no scheme"
        raise BadScheme(url, f"{what} uses {scheme}; only http and https are fetched")
    if not parsed.host:
        raise BadScheme(url, f"{what} has no host name")
    return parsed


def _raw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body as sent, Content-Encoding still applied.

    httpx reads in-memory bodies (``httpx.Response(content=...)``, as MockTransport handlers
    build them) eagerly and decoded; their stream can still be replayed raw.
    """
    if response.is_stream_consumed and isinstance(response.stream, httpx.AsyncByteStream):
        return aiter(response.stream)
    return response.aiter_raw()


def _caused_by_tls(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _transport_error(exc: httpx.TransportError, url: str) -> FetchError:
    if isinstance(exc, httpx.TimeoutException):
        what = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for the server"
        return Timeout(url, f"timed out {what}")
    if _caused_by_tls(exc):
        return ConnectFailed(url, f"TLS handshake failed ({exc})", kind="tls")
    if isinstance(exc, httpx.ConnectError):
        return ConnectFailed(url, f"could not connect ({exc or type(exc).__name__})")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return BadScheme(url, str(exc))
    return ConnectFailed(url, f"connection failed ({type(exc).__name__}: {exc})")


class Fetcher:
    """Fetches feeds and pages politely and safely; use as ``async with Fetcher(settings) as f``.

    ``transport`` replaces the network: tests pass ``httpx.MockTransport``. The address
    guard lives in the default transport, so with a custom transport it does not run
    (unless that transport is a :class:`~worker.fetch.transport.GuardedTransport`).
    """

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.policy = AddressPolicy(settings.allowed_networks)
        self.limiter = HostLimiter(settings.concurrency, settings.per_host_concurrency,
                                   settings.per_host_delay)
        self._stopped = False
        limits = httpx.Limits(max_connections=settings.concurrency,
                              max_keepalive_connections=settings.concurrency)
        self._client = httpx.AsyncClient(
            transport=transport or GuardedTransport(self.policy, limits=limits),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(settings.fetch_timeout, connect=settings.connect_timeout),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, _exc_type: type[BaseException] | None, _exc: BaseException | None,
                        _tb: TracebackType | None) -> None:
        await self.aclose()

    def stop_new(self) -> None:
        """Send no request that has not been sent yet: a fetch whose turn comes from now on raises
        :class:`Stopped` (redirect hops of a request already under way still follow)."""
        self._stopped = True

    async def aclose(self) -> None:
        await self._client.aclose()

    def cap(self, kind: Kind) -> int:
        if kind == "feed":
            return self.settings.max_feed_bytes
        if kind == "page":
            return self.settings.max_page_bytes
        raise ValueError(f"kind must be 'feed' or 'page', not {kind!r}")

    async def fetch(self, url: str, *, kind: Kind, etag: str | None = None,
                    last_modified: str | None = None, local_root: Path | None = None) -> Response:
        """Fetch ``url``; a :class:`Response` with status 2xx or 304, or a FetchError."""
        cap = self.cap(kind)
        if is_local_target(url):
            if local_root is None:
                raise BadScheme(url, "local files are only read for feeds configured with a local root")
            final, headers, body, elapsed = await read_local(url, Path(local_root), cap)
            return Response(url=final, status=200, headers=headers, body=body, elapsed=elapsed)
        headers = {"User-Agent": self.settings.user_agent, "Accept": ACCEPT[kind],
                   "Accept-Encoding": ACCEPT_ENCODING}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = await self._follow(url, headers, cap)
        log.debug("fetched %s: %d, %d bytes in %.2fs", redact(response.url), response.status,
                  len(response.body), response.elapsed)
        return response

    async def _follow(self, url: str, headers: dict[str, str], cap: int) -> Response:
        current = _http_url(url)
        redirects: list[tuple[int, str]] = []
        timeout = self.settings.fetch_timeout
        spent = 0.0  # seconds spent on requests so far, all hops together
        loop = asyncio.get_running_loop()
        try:
            while True:
                # Politeness applies to every hop, a redirect to the same host included: each hop
                # waits for a per-host slot and for per_host_delay after its host's previous start.
                # Waiving the delay for same-host hops would let a site whose URLs all redirect
                # (http -> https, /feed -> /feed/, a loop) take up to max_redirects + 1 requests per
                # turn instead of one. The deadline does not count these waits: it bounds how long
                # servers keep a request busy (slow answers, dripped bodies), not our own queueing,
                # which would otherwise turn a redirect loop (per_host_delay 1 s, fetch_timeout 5 s)
                # into a timeout before max_redirects is reached. The wall time stays bounded: at
                # most max_redirects + 1 turns. Slots are held one hop at a time, so a host never
                # sees more than per_host_concurrency requests from this worker.
                async with self.limiter.slot(current.host):
                    if self._stopped and not redirects:
                        raise Stopped(url)  # shutting down: no new request once its turn comes
                    hop_started = loop.time()
                    left = timeout - spent
                    try:
                        async with asyncio.timeout(left):
                            hop = await self._exchange(current, headers, cap, hop_started + left)
                    finally:
                        spent += loop.time() - hop_started
                if hop.location is None:
                    break
                if len(redirects) >= self.settings.max_redirects:
                    raise TooManyRedirects(url, f"more than {self.settings.max_redirects} redirects "
                                                f"(last to {redact(hop.location)})")
                try:
                    target = current.join(hop.location)
                except httpx.InvalidURL:
                    raise BadScheme(url, f"redirect to an invalid URL {hop.location[:200]!r}") from None
                redirects.append((hop.status, str(target)))
                log.debug("redirect %d %s -> %s", hop.status, redact(str(current)), redact(str(target)))
                current = _http_url(str(target), what="redirect target")
        except TimeoutError:
            raise Timeout(str(current), f"no complete answer within {timeout:g} s") from None
        except FetchError as exc:
            exc.url = exc.url or str(current)
            raise
        except httpx.TransportError as exc:
            raise _transport_error(exc, str(current)) from exc
        if hop.status != 304 and not 200 <= hop.status <= 299:
            raise BadStatus(hop.url, hop.status, hop.headers)
        return Response(url=hop.url, status=hop.status, headers=hop.headers, body=hop.body,
                        redirects=tuple(redirects), elapsed=spent)

    async def _exchange(self, url: httpx.URL, headers: dict[str, str], cap: int, deadline: float) -> _Hop:
        """One request: a redirect, a 304, an error status (body unread), or a 2xx with its body."""
        request = self._client.build_request("GET", url, headers=headers)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.InvalidURL:
            # httpx pre-computes the next request of a redirect even when not following it.
            raise BadScheme(str(url), "redirect to a URL that is not valid http(s)") from None
        try:
            final = str(response.url)
            status = response.status_code
            got = {name.lower(): value for name, value in response.headers.items()}
            location = got.get("location")
            if status in REDIRECT_STATUSES and location:
                return _Hop(final, status, got, b"", location)
            if status == 304 or not 200 <= status <= 299:
                return _Hop(final, status, got, b"", None)
            decoder = CappedDecoder(content_coding(got.get("content-encoding"), final), cap, final)
            declared = got.get("content-length", "")
            if declared.strip().isdigit() and int(declared) > cap:
                raise TooLarge(final, f"declared length {int(declared)} exceeds the {cap}-byte limit")
            loop = asyncio.get_running_loop()
            async for chunk in _raw_chunks(response):
                if loop.time() > deadline:
                    raise Timeout(final, f"body not complete within {self.settings.fetch_timeout:g} s")
                decoder.feed(chunk)
            return _Hop(final, status, got, decoder.finish(), None)
        finally:
            await response.aclose()


__all__ = ["ACCEPT", "Fetcher", "Response"]
