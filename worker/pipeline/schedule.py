"""When to try again: feed polls and page fetches. Pure functions of plain values.

``plan_next_check(history, result, limits)`` returns a :class:`Schedule` with the time and a reason
people can read (stored in ``feeds.next_check_reason``):

- the interval is the feed's explicit one when set; else adaptive from the publishing rate (the
  median gap between its recent entries), clamped to [min_interval, max_interval]; a feed with too
  little history gets the default interval;
- server hints can only lengthen it, up to 7 days: RSS ``<ttl>``, ``Cache-Control: max-age``,
  ``Expires``, and ``Retry-After`` on 429 and 503 (seconds or an HTTP date; it also pauses the host);
- errors back off by class (the table below) and never stop a feed for good — except ``410 Gone``,
  which disables it with the reason.

One table, :data:`FAILURES`, says for every failure of a feed poll or a page fetch whether it is
worth trying again and after how long; :func:`after_failure` reads it for both (the fetch errors of
worker/fetch/errors.py only describe a failure: its ``kind`` and HTTP ``status``):

============  ===========================================  ========  ==========
class         failures (``kind`` / HTTP status)            1st wait  page retry
============  ===========================================  ========  ==========
rate_limited  429; 503 (a status answer)                   30 min    yes
server        5xx                                          10 min    yes
try_later     408 Request Timeout, 425 Too Early (RFC      30 min    yes
              8470: replay later)
network       timeout, dns, connect                        5 min     yes
internal      a bug of ours (an exception in the worker)   30 min    yes
tls           TLS handshake or certificate failure         5 min     no
gone          410                                          —         no
forbidden     401, 403, 451; an anti-bot challenge page    60 min    no
not_found     404                                          60 min    no
content       parse, too_large, encoding                   30 min    no
other         anything else (blocked, scheme, redirects,   30 min    no
              local, other 3xx/4xx)
============  ===========================================  ========  ==========

The delay rule is the same for both: the class's first wait, doubled per failure in a row (a
feed's ``error_count``, a page's attempts), capped at 24 h, with ±10 % jitter; a ``Retry-After``
on 429 or 503 replaces it (up to 7 days) and pauses the origin. A feed is always polled again
(``gone`` disables it instead); a page is tried again while its class says so and it has had
fewer than ``page_retry_limit`` attempts, else its feed's text is kept for good.
"""

from __future__ import annotations

import random
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from itertools import pairwise

HINT_CAP = 7 * 24 * 3600.0
BACKOFF_CAP = 24 * 3600.0
JITTER = 0.10
_JITTER = random.Random()  # the jitter's source when a caller (a test) brings none: one, not one a call


@dataclass(frozen=True)
class FailureRule:
    """One row of the table: what a failure is called, how long to wait after the first one, and
    whether a page is tried again (a feed always is)."""

    label: str
    first_wait: float  # seconds; doubles with each failure in a row
    retry: bool


# error class -> its rule (see the module docstring; error_class() picks the row)
FAILURES: dict[str, FailureRule] = {
    "rate_limited": FailureRule("rate limited", 30 * 60.0, True),  # 429 / 503 without a usable Retry-After
    "server": FailureRule("server error", 10 * 60.0, True),  # 5xx
    "try_later": FailureRule("error", 30 * 60.0, True),  # 408, 425: the same request may be answered later
    "network": FailureRule("network error", 5 * 60.0, True),  # timeouts, DNS, refused connections
    "internal": FailureRule("error", 30 * 60.0, True),  # a bug of ours may not strike again
    # A certificate is not fixed by waiting minutes: a feed backs off as from any network error,
    # a page keeps its feed's text.
    "tls": FailureRule("network error", 5 * 60.0, False),
    "gone": FailureRule("gone", 0.0, False),  # 410: a feed is disabled, not backed off
    "forbidden": FailureRule("access refused", 60 * 60.0, False),  # 401, 403, 451, anti-bot pages
    "not_found": FailureRule("not found", 60 * 60.0, False),  # 404
    "content": FailureRule("unusable content", 30 * 60.0, False),  # not a feed, too large, bad encoding
    "other": FailureRule("error", 30 * 60.0, False),
}


@dataclass(frozen=True)
class Limits:
    default_interval: float
    min_interval: float
    max_interval: float


@dataclass(frozen=True)
class FeedHistory:
    interval_seconds: float | None = None  # set by the operator (`feeds add --interval`)
    error_count: int = 0  # failures in a row before this poll
    entry_times: Sequence[datetime] = ()  # when its recent entries were published


@dataclass(frozen=True)
class PollResult:
    """The decider's view of one poll's response (no feed id, nothing to store): what
    plan_next_check needs. The poll itself goes to storage as db.records.FeedPoll."""

    outcome: str  # ok | not_modified | failed
    now: datetime
    http_status: int | None = None
    error_kind: str | None = None  # FetchError.kind, or "parse", "antibot", "internal"
    headers: Mapping[str, str] | None = None  # lower-case names
    ttl_seconds: float | None = None


@dataclass(frozen=True)
class Schedule:
    next_check_at: datetime
    reason: str
    disable: bool = False
    server_wait_until: datetime | None = None  # a Retry-After to honour (feed and host)


@dataclass(frozen=True)
class Retry:
    """What to do after a failure: wait ``wait`` seconds (``reason`` says why); ``retry`` is the
    table's verdict for a page; ``server_asked``: the wait is the server's Retry-After (the origin
    pauses too)."""

    wait: float
    reason: str
    retry: bool
    server_asked: bool = False


_STATUS_CLASSES = {429: "rate_limited", 408: "try_later", 425: "try_later", 410: "gone", 401: "forbidden",
                   403: "forbidden", 451: "forbidden", 404: "not_found"}
_KIND_CLASSES = {"antibot": "forbidden", "timeout": "network", "dns": "network", "connect": "network",
                 "tls": "tls", "internal": "internal", "parse": "content", "too_large": "content",
                 "encoding": "content"}


def error_class(kind: str | None, status: int | None) -> str:
    """The row of FAILURES for a failure of this ``kind`` (FetchError.kind, "parse", "antibot",
    "internal") and HTTP ``status`` (None when no answer came)."""
    if status == 503 and kind == "status":
        return "rate_limited"
    if status is not None and 500 <= status < 600:
        return "server"
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    return _KIND_CLASSES.get(kind or "", "other")


def retryable(kind: str | None, status: int | None) -> bool:
    """The table's verdict on a page that failed so: is it worth trying again?"""
    return FAILURES[error_class(kind, status)].retry


def after_failure(kind: str | None, status: int | None, headers: Mapping[str, str] | None, streak: int,
                  now: datetime, rng: random.Random | None = None) -> Retry:
    """The table's answer to the ``streak``-th failure in a row (1: the first) of a feed poll or a
    page fetch: how long to wait and whether a page is worth trying again."""
    rule, retry = FAILURES[error_class(kind, status)], retryable(kind, status)
    if status in (429, 503):
        wait = retry_after(headers, now)
        if wait is not None:
            wait = min(wait, HINT_CAP)
            reason = f"server asked to wait {_human(wait)} (Retry-After, HTTP {status})"
            return Retry(wait, reason, retry, server_asked=True)
    wait = min(rule.first_wait * 2 ** min(streak - 1, 16), BACKOFF_CAP)
    wait *= (rng or _JITTER).uniform(1 - JITTER, 1 + JITTER)
    wait = min(wait, BACKOFF_CAP)
    return Retry(wait, f"{rule.label}, failure {streak} in a row: back off {_human(wait)}", retry)


def retry_after(headers: Mapping[str, str] | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (delta seconds or an HTTP date), None when absent or bad."""
    value = (headers or {}).get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    return _until(value, now)


def _until(http_date: str, now: datetime) -> float | None:
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def cache_lifetime(headers: Mapping[str, str] | None, now: datetime) -> tuple[float, str] | None:
    """(seconds, which header) from Cache-Control max-age / s-maxage, else Expires."""
    headers = headers or {}
    cc = headers.get("cache-control", "")
    if re.search(r"\bno-(?:cache|store)\b", cc):
        return None
    m = re.search(r"\b(?:s-maxage|max-age)\s*=\s*\"?(\d+)", cc)
    if m:
        return float(m.group(1)), "Cache-Control max-age"
    expires = headers.get("expires")
    if expires:
        left = _until(expires, now)
        if left is not None:
            return left, "Expires"
    return None


def publishing_gap(entry_times: Sequence[datetime], now: datetime) -> float | None:
    """Median seconds between recent entries (the last 20 within 30 days), None with fewer than 3."""
    window = {t for t in entry_times if timedelta(0) <= now - t <= timedelta(days=30)}
    recent = sorted(window, reverse=True)[:20]
    if len(recent) < 3:
        return None
    gaps = [(a - b).total_seconds() for a, b in pairwise(recent)]
    return statistics.median(gaps)


def _human(seconds: float) -> str:
    if (seconds >= 86400 and seconds % 3600 == 0) or seconds >= 3 * 86400:
        return f"{seconds / 86400:.3g}d"
    if seconds >= 3600:
        return f"{seconds / 3600:.3g}h"
    if seconds >= 60:
        return f"{seconds / 60:.3g}m"
    return f"{seconds:.0f}s"


def base_interval(history: FeedHistory, limits: Limits, now: datetime) -> tuple[float, str]:
    if history.interval_seconds:
        return float(history.interval_seconds), f"feed interval {_human(history.interval_seconds)}"
    gap = publishing_gap(history.entry_times, now)
    if gap is None:
        return limits.default_interval, f"default interval {_human(limits.default_interval)}"
    interval = min(max(gap, limits.min_interval), limits.max_interval)
    return interval, f"adaptive {_human(interval)} (an entry every {_human(gap)})"


def plan_next_check(history: FeedHistory, result: PollResult, limits: Limits,
                    rng: random.Random | None = None) -> Schedule:
    now = result.now
    if result.outcome == "failed":
        return _after_failure(history, result, limits, rng or _JITTER)
    interval, reason = base_interval(history, limits, now)
    hints = []
    if result.ttl_seconds:
        hints.append((float(result.ttl_seconds), "RSS ttl"))
    lifetime = cache_lifetime(result.headers, now)
    if lifetime is not None:
        hints.append(lifetime)
    for seconds, name in hints:
        seconds = min(seconds, HINT_CAP)
        if seconds > interval:
            interval, reason = seconds, f"{name} {_human(seconds)} (longer than {reason})"
    return Schedule(now + timedelta(seconds=interval), reason)


def _after_failure(history: FeedHistory, result: PollResult, limits: Limits, rng: random.Random) -> Schedule:
    now = result.now
    if error_class(result.error_kind, result.http_status) == "gone":
        return Schedule(now + timedelta(seconds=limits.max_interval), "gone (HTTP 410): feed disabled",
                        disable=True)
    retry = after_failure(result.error_kind, result.http_status, result.headers, history.error_count + 1,
                          now, rng)
    until = now + timedelta(seconds=retry.wait)
    return Schedule(until, retry.reason, server_wait_until=until if retry.server_asked else None)
