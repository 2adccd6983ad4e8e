"""When to poll a feed next: a pure function of its history and the latest response.

``plan_next_check(history, result, limits)`` returns a :class:`Schedule` with the time and a reason
people can read (stored in ``feeds.next_check_reason``):

- the interval is the feed's explicit one when set; else adaptive from the publishing rate (the
  median gap between its recent entries), clamped to [min_interval, max_interval]; a feed with too
  little history gets the default interval;
- server hints can only lengthen it, up to 7 days: RSS ``<ttl>``, ``Cache-Control: max-age``,
  ``Expires``, and ``Retry-After`` on 429 and 503 (seconds or an HTTP date; it also pauses the host);
- errors back off by class with ±10 % jitter, capped at 24 h, and never stop a feed for good —
  except ``410 Gone``, which disables it with the reason.
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

# error class -> (first wait in seconds, what to call it)
ERROR_CLASSES: dict[str, tuple[float, str]] = {
    "network": (5 * 60.0, "network error"),  # timeouts, DNS, refused connections, TLS
    "server": (10 * 60.0, "server error"),  # 5xx
    "forbidden": (60 * 60.0, "access refused"),  # 401, 403, 451, anti-bot challenge pages
    "not_found": (60 * 60.0, "not found"),  # 404
    "rate_limited": (30 * 60.0, "rate limited"),  # 429 / 503 without a usable Retry-After
    "content": (30 * 60.0, "unusable content"),  # not a feed, too large, bad encoding
    "other": (30 * 60.0, "error"),
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
    outcome: str  # ok | not_modified | failed
    now: datetime
    http_status: int | None = None
    error_kind: str | None = None  # FetchError.kind, or "parse"
    headers: Mapping[str, str] | None = None  # lower-case names
    ttl_seconds: float | None = None


@dataclass(frozen=True)
class Schedule:
    next_check_at: datetime
    reason: str
    disable: bool = False
    server_wait_until: datetime | None = None  # a Retry-After to honour (feed and host)


def error_class(kind: str | None, status: int | None) -> str:
    if status == 429 or (status == 503 and kind == "status"):
        return "rate_limited"
    if status is not None and 500 <= status < 600:
        return "server"
    if status in (401, 403, 451) or kind == "antibot":
        return "forbidden"
    if status == 404:
        return "not_found"
    if kind in ("timeout", "dns", "connect", "tls"):
        return "network"
    if kind in ("parse", "too_large", "encoding"):
        return "content"
    return "other"


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
        return _after_failure(history, result, limits, rng or random.Random())
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
    if result.http_status == 410:
        return Schedule(now + timedelta(seconds=limits.max_interval), "gone (HTTP 410): feed disabled",
                        disable=True)
    klass = error_class(result.error_kind, result.http_status)
    if result.http_status in (429, 503):
        wait = retry_after(result.headers, now)
        if wait is not None:
            wait = min(wait, HINT_CAP)
            until = now + timedelta(seconds=wait)
            return Schedule(until, f"server asked to wait {_human(wait)} (Retry-After, HTTP "
                                   f"{result.http_status})", server_wait_until=until)
    first, label = ERROR_CLASSES[klass]
    streak = history.error_count + 1
    wait = min(first * 2 ** min(streak - 1, 16), BACKOFF_CAP)
    wait *= rng.uniform(1 - JITTER, 1 + JITTER)
    wait = min(wait, BACKOFF_CAP)
    return Schedule(now + timedelta(seconds=wait),
                    f"{label}, failure {streak} in a row: back off {_human(wait)}")
