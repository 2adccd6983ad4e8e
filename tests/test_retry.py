"""The one retry table (worker/pipeline/schedule.py FAILURES) with plain values: every row, and
feed polls and page fetches reading it alike."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from worker.fetch import BadStatus, ConnectFailed, FetchError, Timeout
from worker.parse.feed import ParsedEntry
from worker.pipeline.article import PageResult, fetch_article
from worker.pipeline.schedule import (
    FAILURES,
    FeedHistory,
    Limits,
    PollResult,
    after_failure,
    error_class,
    plan_next_check,
    retryable,
)
from worker.pool import CpuPool
from worker.settings import settings_with

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIMITS = Limits(default_interval=1800, min_interval=300, max_interval=86400)

# (kind, HTTP status) -> (class, first wait, page retried)
ROWS: list[tuple[str, int | None, str, float, bool]] = [
    ("status", 429, "rate_limited", 1800, True),
    ("status", 503, "rate_limited", 1800, True),
    ("status", 500, "server", 600, True),
    ("status", 502, "server", 600, True),
    ("status", 408, "try_later", 1800, True),
    ("status", 425, "try_later", 1800, True),  # Too Early (RFC 8470): the same request, later
    ("timeout", None, "network", 300, True),
    ("dns", None, "network", 300, True),
    ("connect", None, "network", 300, True),
    ("internal", None, "internal", 1800, True),
    ("tls", None, "tls", 300, False),
    ("status", 410, "gone", 0, False),
    ("status", 401, "forbidden", 3600, False),
    ("status", 403, "forbidden", 3600, False),
    ("status", 451, "forbidden", 3600, False),
    ("antibot", 200, "forbidden", 3600, False),
    ("status", 404, "not_found", 3600, False),
    ("parse", None, "content", 1800, False),
    ("too_large", None, "content", 1800, False),
    ("encoding", None, "content", 1800, False),
    ("status", 400, "other", 1800, False),
    ("status", 300, "other", 1800, False),
    ("blocked", None, "other", 1800, False),
    ("scheme", None, "other", 1800, False),
    ("redirects", None, "other", 1800, False),
    ("local", None, "other", 1800, False),
]


def test_every_row_of_the_table_is_covered() -> None:
    assert {klass for _, _, klass, _, _ in ROWS} == set(FAILURES)


@pytest.mark.parametrize(("kind", "status", "klass", "first", "retry"), ROWS)
def test_the_table(kind: str, status: int | None, klass: str, first: float, retry: bool) -> None:
    assert error_class(kind, status) == klass
    assert FAILURES[klass].first_wait == first
    assert retryable(kind, status) is retry


@pytest.mark.parametrize(("kind", "status", "klass", "first", "retry"), [r for r in ROWS if r[2] != "gone"])
def test_feeds_and_pages_agree(kind: str, status: int | None, klass: str, first: float, retry: bool) -> None:
    """A feed poll and a page fetch failing alike wait alike (same class, same doubling, same
    reason); the page is tried again exactly when the table says so."""
    for streak in range(1, 6):
        feed = plan_next_check(FeedHistory(error_count=streak - 1), PollResult("failed", NOW, status, kind),
                               LIMITS, random.Random(streak))
        page = after_failure(kind, status, None, streak, NOW, random.Random(streak))
        assert feed.next_check_at == NOW + timedelta(seconds=page.wait)
        assert feed.reason == page.reason and f"failure {streak} in a row" in page.reason
        assert first * 2 ** (streak - 1) * 0.9 <= page.wait <= first * 2 ** (streak - 1) * 1.1
        assert page.retry is retry and not page.server_asked and not feed.disable


@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_after_is_honoured_by_feeds_and_pages_alike(status: int) -> None:
    headers = {"retry-after": "7200"}
    feed = plan_next_check(FeedHistory(), PollResult("failed", NOW, status, "status", headers), LIMITS)
    page = after_failure("status", status, headers, 1, NOW)
    assert page.wait == 7200 and page.server_asked and page.retry
    assert feed.next_check_at == feed.server_wait_until == NOW + timedelta(seconds=7200)
    assert feed.reason == page.reason


def test_gone_disables_a_feed_and_gives_up_a_page() -> None:
    feed = plan_next_check(FeedHistory(), PollResult("failed", NOW, 410, "status"), LIMITS)
    assert feed.disable
    assert not after_failure("status", 410, None, 1, NOW).retry


# --- the page path reads the table --------------------------------------------------------------

class FailingFetcher:
    def __init__(self, error: FetchError) -> None:
        self.error = error

    async def fetch(self, url: str, **_: Any) -> Any:
        raise self.error


def fetch_failing(error: FetchError, attempts_before: int = 0) -> PageResult:
    entry = ParsedEntry(guid="g", link="https://x.test/a", title="A", author=None, published_at=None,
                        summary="the feed's own summary of the story", content=None)
    settings = settings_with(page_retry_limit=3)
    return asyncio.run(fetch_article(FailingFetcher(error), entry, settings, CpuPool.in_process(),  # type: ignore[arg-type]
                                     local_root=Path("."), attempts_before=attempts_before))


@pytest.mark.parametrize(("error", "retried"), [
    (BadStatus("https://x.test/a", 425, {}), True),
    (BadStatus("https://x.test/a", 408, {}), True),
    (BadStatus("https://x.test/a", 500, {}), True),
    (Timeout("https://x.test/a", "slow"), True),
    (BadStatus("https://x.test/a", 404, {}), False),
    (BadStatus("https://x.test/a", 300, {}), False),
    (ConnectFailed("https://x.test/a", "bad certificate", kind="tls"), False),
])
def test_a_failed_page_is_retried_as_the_table_says(error: FetchError, retried: bool) -> None:
    result = fetch_failing(error)
    assert not result.fetched and (result.retry is not None) is retried
    assert result.record.source == "feed" and result.record.page_attempts == (1 if retried else 3)
    if result.retry is not None:
        assert not result.retry.server_asked


def test_a_page_with_a_retry_after_asks_for_a_pause_and_the_last_attempt_gives_up() -> None:
    result = fetch_failing(BadStatus("https://x.test/a", 429, {"retry-after": "600"}))
    assert result.retry is not None and result.retry.server_asked and result.retry.wait == 600
    last = fetch_failing(BadStatus("https://x.test/a", 503, {}), attempts_before=2)
    assert last.retry is None and last.record.page_attempts == 3
