"""The polling decider with plain values: intervals, server hints, error classes, caps and jitter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from worker.pipeline.schedule import (
    BACKOFF_CAP,
    HINT_CAP,
    FeedHistory,
    Limits,
    PollResult,
    cache_lifetime,
    error_class,
    plan_next_check,
    retry_after,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIMITS = Limits(default_interval=1800, min_interval=300, max_interval=86400)


def seconds(schedule_at: datetime) -> float:
    return (schedule_at - NOW).total_seconds()


def ok(**kw: object) -> PollResult:
    return PollResult(outcome="ok", now=NOW, **kw)  # type: ignore[arg-type]


def every(gap: timedelta, n: int = 10) -> list[datetime]:
    return [NOW - gap * i for i in range(n)]


def test_explicit_interval_wins_over_the_publishing_rate() -> None:
    s = plan_next_check(FeedHistory(interval_seconds=900, entry_times=every(timedelta(days=1))), ok(), LIMITS)
    assert seconds(s.next_check_at) == 900 and s.reason == "feed interval 15m"


def test_new_feed_gets_the_default_interval() -> None:
    s = plan_next_check(FeedHistory(entry_times=every(timedelta(hours=1), 2)), ok(), LIMITS)
    assert seconds(s.next_check_at) == 1800 and s.reason.startswith("default interval 30m")


@pytest.mark.parametrize(("gap", "expected"), [
    (timedelta(hours=2), 7200),  # an entry every two hours: poll every two hours
    (timedelta(minutes=1), 300),  # clamped to min_interval
    (timedelta(days=3), 86400),  # clamped to max_interval
])
def test_adaptive_interval_follows_the_publishing_rate_within_limits(gap: timedelta, expected: float) -> None:
    s = plan_next_check(FeedHistory(entry_times=every(gap)), ok(), LIMITS)
    assert seconds(s.next_check_at) == expected
    assert s.reason.startswith("adaptive")


def test_old_entries_do_not_count_towards_the_rate() -> None:
    stale = [NOW - timedelta(days=40 + i) for i in range(10)]
    assert plan_next_check(FeedHistory(entry_times=stale), ok(), LIMITS).reason.startswith("default")


@pytest.mark.parametrize(("result", "expected", "words"), [
    (ok(ttl_seconds=7200), 7200, "RSS ttl 2h"),
    (ok(headers={"cache-control": "public, max-age=3600"}), 3600, "Cache-Control max-age 1h"),
    (ok(headers={"expires": "Sun, 01 Mar 2026 15:00:00 GMT"}), 3 * 3600, "Expires 3h"),
    (ok(ttl_seconds=30 * 86400), HINT_CAP, "RSS ttl 7d"),  # capped at 7 days
    (ok(ttl_seconds=60), 1800, "default interval"),  # a hint never shortens the interval
    (ok(headers={"cache-control": "no-cache, max-age=99999"}), 1800, "default interval"),
])
def test_server_hints_raise_the_interval_up_to_seven_days(result: PollResult, expected: float,
                                                          words: str) -> None:
    s = plan_next_check(FeedHistory(), result, LIMITS)
    assert seconds(s.next_check_at) == expected
    assert words in s.reason


def test_not_modified_is_scheduled_like_ok() -> None:
    s = plan_next_check(FeedHistory(interval_seconds=600), PollResult("not_modified", NOW), LIMITS)
    assert seconds(s.next_check_at) == 600


@pytest.mark.parametrize(("value", "expected"), [
    ("120", 120.0), ("Sun, 01 Mar 2026 13:00:00 GMT", 3600.0), ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),
    ("soon", None), ("", None),
])
def test_retry_after_seconds_or_http_date(value: str, expected: float | None) -> None:
    assert retry_after({"retry-after": value}, NOW) == expected


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured_and_capped(status: int) -> None:
    result = PollResult("failed", NOW, http_status=status, error_kind="status", headers={"retry-after": "7200"})
    s = plan_next_check(FeedHistory(), result, LIMITS)
    assert seconds(s.next_check_at) == 7200 and s.server_wait_until == s.next_check_at
    assert "Retry-After" in s.reason and str(status) in s.reason
    huge = PollResult("failed", NOW, http_status=status, error_kind="status",
                      headers={"retry-after": str(365 * 86400)})
    assert seconds(plan_next_check(FeedHistory(), huge, LIMITS).next_check_at) == HINT_CAP


@pytest.mark.parametrize(("kind", "status", "klass", "first"), [
    ("timeout", None, "network", 300), ("dns", None, "network", 300), ("connect", None, "network", 300),
    ("status", 500, "server", 600), ("status", 502, "server", 600),
    ("status", 403, "forbidden", 3600), ("status", 401, "forbidden", 3600), ("antibot", 200, "forbidden", 3600),
    ("status", 404, "not_found", 3600), ("status", 429, "rate_limited", 1800),
    ("parse", None, "content", 1800), ("too_large", None, "content", 1800), ("blocked", None, "other", 1800),
])
def test_errors_back_off_by_class_with_jitter(kind: str, status: int | None, klass: str, first: float) -> None:
    assert error_class(kind, status) == klass
    rng = random.Random(1)
    for streak in range(0, 25):
        result = PollResult("failed", NOW, http_status=status, error_kind=kind)
        s = plan_next_check(FeedHistory(error_count=streak), result, LIMITS, rng)
        expected = min(first * 2 ** streak, BACKOFF_CAP)
        assert expected * 0.9 <= seconds(s.next_check_at) <= min(expected * 1.1, BACKOFF_CAP)
        assert f"failure {streak + 1} in a row" in s.reason and not s.disable


def test_backoff_never_passes_a_day_and_never_stops() -> None:
    s = plan_next_check(FeedHistory(error_count=500), PollResult("failed", NOW, error_kind="timeout"), LIMITS)
    assert seconds(s.next_check_at) <= BACKOFF_CAP and not s.disable


def test_jitter_spreads_retries() -> None:
    rng = random.Random(7)
    waits = {seconds(plan_next_check(FeedHistory(error_count=2), PollResult("failed", NOW, error_kind="timeout"),
                                     LIMITS, rng).next_check_at) for _ in range(50)}
    assert len(waits) > 40 and min(waits) >= 1200 * 0.9 and max(waits) <= 1200 * 1.1


def test_gone_disables_the_feed_with_the_reason() -> None:
    s = plan_next_check(FeedHistory(), PollResult("failed", NOW, http_status=410, error_kind="status"), LIMITS)
    assert s.disable and "410" in s.reason


def test_cache_lifetime_prefers_max_age_and_ignores_garbage() -> None:
    assert cache_lifetime({"cache-control": "s-maxage=60", "expires": "Sun, 01 Mar 2026 15:00:00 GMT"},
                          NOW) == (60.0, "Cache-Control max-age")
    assert cache_lifetime({"expires": "0"}, NOW) is None
    assert cache_lifetime(None, NOW) is None
