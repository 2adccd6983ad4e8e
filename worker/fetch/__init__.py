"""Fetching feeds and pages: the only package of the worker that touches the network.

``Fetcher(settings).fetch(url, kind="feed" | "page", ...)`` returns a :class:`Response`
or raises a :class:`FetchError` (the whole tree is documented in :mod:`worker.fetch.errors`).
Modules: ``client`` (Fetcher, Response), ``guard`` (address policy), ``transport``
(connect-time guard for httpx), ``limits`` (politeness), ``decode`` (Content-Encoding
under a size cap), ``local`` (operator-supplied local files).
"""

from worker.fetch.client import Fetcher, Response
from worker.fetch.errors import (
    BadEncoding,
    BadScheme,
    BadStatus,
    BlockedAddress,
    ConnectFailed,
    FetchError,
    LocalFileError,
    Stopped,
    Timeout,
    TooLarge,
    TooManyRedirects,
)
from worker.fetch.guard import AddressPolicy
from worker.fetch.limits import HostLimiter

__all__ = [
    "AddressPolicy",
    "BadEncoding",
    "BadScheme",
    "BadStatus",
    "BlockedAddress",
    "ConnectFailed",
    "FetchError",
    "Fetcher",
    "HostLimiter",
    "LocalFileError",
    "Response",
    "Stopped",
    "Timeout",
    "TooLarge",
    "TooManyRedirects",
]
