"""Poll one feed: conditional fetch, parse, decide, fetch the new pages. Returns values; stores nothing."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from db.records import EntryRecord, FeedPoll, FeedState, KnownEntry
from db.types import utcnow
from worker.fetch import Fetcher, FetchError
from worker.parse.feed import FeedParseError, ParsedFeed, parse_feed
from worker.pipeline.article import PageResult, fallback_record, fetch_article
from worker.pipeline.decide import PageJob, plan_entries
from worker.settings import Settings

MAX_BACKOFF = 24 * 3600.0

# Reads what storage knows: (feed_id, guids, links) -> (known entries by guid, stored article ids by link)
StateReader = Callable[[int, list[str], list[str]], tuple[dict[str, KnownEntry], dict[str, int]]]


@dataclass
class PollOutcome:
    poll: FeedPoll
    entries: list[EntryRecord] = field(default_factory=list)
    pages_fetched: int = 0
    pages_fallback: int = 0


def local_root_of(feed_url: str) -> Path | None:
    """The folder whose files a local (operator-given) feed may link to; None for http(s) feeds."""
    parts = urlsplit(feed_url)
    if parts.scheme != "file":
        return None
    return Path(url2pathname(parts.path)).parent


def next_check(state: FeedState, settings: Settings, *, failed: bool) -> timedelta:
    interval = float(state.interval_seconds or settings.default_interval)
    if failed:
        # Back off with the error streak (this poll included), with jitter, never past a day.
        interval = min(interval * 2 ** min(state.error_count, 10), MAX_BACKOFF)
        interval *= random.uniform(0.9, 1.1)
    return timedelta(seconds=interval)


class PageCache:
    """Page fetches shared by every feed of one run, so a syndicated article is fetched once."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[PageResult]] = {}

    def get(self, link: str, make: Callable[[], Awaitable[PageResult]]) -> asyncio.Task[PageResult]:
        task = self._tasks.get(link)
        if task is None:
            task = asyncio.ensure_future(make())
            self._tasks[link] = task
        return task


async def poll_feed(state: FeedState, *, fetcher: Fetcher, settings: Settings, read_state: StateReader,
                    pages: PageCache | None = None) -> PollOutcome:
    checked_at = utcnow()

    def failed(reason: str, http_status: int | None = None) -> PollOutcome:
        return PollOutcome(FeedPoll(
            feed_id=state.id, checked_at=checked_at, status="failed", http_status=http_status,
            error=reason, next_check_at=checked_at + next_check(state, settings, failed=True),
        ))

    local_root = local_root_of(state.url)
    try:
        response = await fetcher.fetch(state.url, kind="feed", etag=state.etag,
                                       last_modified=state.last_modified, local_root=local_root)
    except FetchError as exc:
        return failed(exc.reason, getattr(exc, "status", None))
    next_at = checked_at + next_check(state, settings, failed=False)
    if response.not_modified:
        return PollOutcome(FeedPoll(
            feed_id=state.id, checked_at=checked_at, status="not_modified", http_status=304,
            next_check_at=next_at, etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        ))
    try:
        parsed = await asyncio.to_thread(parse_feed, response.body, response.headers, response.url)
    except FeedParseError as exc:
        return failed(f"cannot parse the feed: {exc}", response.status)
    outcome = PollOutcome(FeedPoll(
        feed_id=state.id, checked_at=checked_at, status="ok", http_status=response.status,
        next_check_at=next_at, error=parsed.warning, etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"), title=parsed.title,
        site_url=parsed.site_url,
    ))
    await _collect_entries(parsed, state, outcome, fetcher=fetcher, settings=settings,
                           read_state=read_state, pages=pages or PageCache(), local_root=local_root)
    return outcome


async def _collect_entries(parsed: ParsedFeed, state: FeedState, outcome: PollOutcome, *,
                           fetcher: Fetcher, settings: Settings, read_state: StateReader,
                           pages: PageCache, local_root: Path | None) -> None:
    entries = list(parsed.entries)
    links = [e.link for e in entries if e.link]
    known, stored_links = read_state(state.id, [e.guid for e in entries], links)
    plan = plan_entries(entries, known, stored_links, retry_limit=settings.page_retry_limit)
    for entry, article_id in plan.link_existing:
        outcome.entries.append(EntryRecord(entry.guid, entry.link, article_id=article_id))
    for entry in plan.feed_only:
        record = await asyncio.to_thread(fallback_record, entry, "the entry has no usable link",
                                         attempts=settings.page_retry_limit)
        outcome.entries.append(EntryRecord(entry.guid, None, article=record))

    def fetch(job: PageJob) -> asyncio.Task[PageResult]:
        link = job.entry.link
        assert link is not None
        return pages.get(link, lambda: fetch_article(fetcher, job.entry, settings, local_root=local_root,
                                                     attempts_before=job.attempts_before))

    results = await asyncio.gather(*(fetch(job) for job in plan.fetch))
    for job, result in zip(plan.fetch, results, strict=True):
        record = result.record
        if result.fetched:
            outcome.pages_fetched += 1
        else:
            outcome.pages_fallback += 1
            # A fetch shared with another feed fell back to that feed's text: use this entry's own.
            record = await asyncio.to_thread(fallback_record, job.entry,
                                             record.source_reason or "page unavailable",
                                             attempts=record.page_attempts)
        outcome.entries.append(EntryRecord(job.entry.guid, job.entry.link, article=record,
                                           replaces_article_id=job.replaces_article_id))
