"""Everything that can go wrong while fetching, as one exception tree.

Every failure of :meth:`worker.fetch.Fetcher.fetch` is a :class:`FetchError`;
nothing else escapes except programming errors (``ValueError`` for an unknown
``kind``) and cancellation::

    FetchError                 url, reason, kind
    ├── BadScheme              "scheme"     not http(s), a file URL without a local root, an unusable URL
    ├── BlockedAddress         "blocked"    destination is loopback, private, link-local, ... (see guard.py)
    ├── TooLarge               "too_large"  declared or decoded body exceeds the size cap
    ├── Timeout                "timeout"    connect timeout or the total deadline ran out
    ├── ConnectFailed          "dns"        the host name did not resolve
    │                          "connect"    refused, reset, or the connection broke
    │                          "tls"        TLS handshake or certificate failure
    ├── TooManyRedirects       "redirects"  more hops than settings.max_redirects
    ├── BadStatus              "status"     final answer not 2xx/304; has .status, .headers
    ├── BadEncoding            "encoding"   unknown, stacked or corrupt Content-Encoding
    └── LocalFileError         "local"      local file missing, unreadable or outside its root

An error says what went wrong, not whether to try again: that is decided by ``kind`` (and
``BadStatus.status``) in the one retry table, ``FAILURES`` in worker/pipeline/schedule.py.

Apart from the tree, :class:`Stopped` says a request was never sent because the fetcher was told
to take no new request (:meth:`worker.fetch.Fetcher.stop_new`, on shutdown): nothing was asked of
the server, so it is no failure of the feed or page and must not be recorded as one.

``reason`` is a short sentence without the URL, fit for a ``last_error`` column;
``kind`` is a stable code to branch on; ``str(err)`` is ``"<url>: <reason>"`` with
any user-info (credentials) in the URL replaced by ``***``.
"""

from __future__ import annotations

from worker.logs import redact as _redact


def redact(url: str) -> str:
    """``url`` with its whole user-info (``user:password@``) replaced by ``***@``: safe to log or store.

    Feed and page URLs come from outside, so even the user name may be a token (see
    :func:`worker.logs.redact`, the one redactor).
    """
    return _redact(url, keep_user=False)


class FetchError(Exception):
    """A fetch failed; ``kind`` says how, ``reason`` says it in words."""

    kind: str = "fetch"

    def __init__(self, url: str, reason: str, *, kind: str | None = None) -> None:
        super().__init__(url, reason)
        self.url = url
        self.reason = reason
        if kind is not None:
            self.kind = kind

    def __str__(self) -> str:
        return f"{redact(self.url)}: {self.reason}" if self.url else self.reason


class BadScheme(FetchError):
    kind = "scheme"


class BlockedAddress(FetchError):
    kind = "blocked"


class TooLarge(FetchError):
    kind = "too_large"


class Timeout(FetchError):
    kind = "timeout"


class ConnectFailed(FetchError):
    """``kind`` is "dns", "connect" or "tls"."""

    kind = "connect"


class TooManyRedirects(FetchError):
    kind = "redirects"


class BadStatus(FetchError):
    kind = "status"

    def __init__(self, url: str, status: int, headers: dict[str, str], reason: str | None = None) -> None:
        super().__init__(url, reason or f"server answered HTTP {status}")
        self.status = status
        self.headers = headers


class BadEncoding(FetchError):
    kind = "encoding"


class LocalFileError(FetchError):
    kind = "local"


class Stopped(Exception):
    """The request was not sent: the fetcher takes no new request (shutting down)."""


__all__ = [
    "BadEncoding",
    "BadScheme",
    "BadStatus",
    "BlockedAddress",
    "ConnectFailed",
    "FetchError",
    "LocalFileError",
    "Stopped",
    "Timeout",
    "TooLarge",
    "TooManyRedirects",
    "redact",
]
