"""The Worker: one object that runs ingestion (one-off now; the daemon reuses it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from db import store
from db.database import Database
from db.feeds import feeds_to_poll
from db.records import FeedPoll, FeedState, KnownEntry, StoreStats
from db.types import utcnow
from worker.fetch import Fetcher
from worker.pipeline.poll import PageCache, PollOutcome, next_check, poll_feed
from worker.settings import Settings, redact_url

log = logging.getLogger("worker.ingest")


@dataclass
class FeedReport:
    url: str
    status: str
    error: str | None = None
    articles_new: int = 0
    articles_updated: int = 0


@dataclass
class RunSummary:
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    pages_fetched: int = 0
    pages_fallback: int = 0
    feeds: list[FeedReport] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Progress = Callable[[int, int, RunSummary], None]


class Worker:
    def __init__(self, settings: Settings, database: Database, *, fetcher: Fetcher | None = None,
                 progress: Progress | None = None):
        self.settings = settings
        self.db = database
        self._fetcher = fetcher
        self.progress = progress

    def _read_state(self, feed_id: int, guids: list[str],
                    links: list[str]) -> tuple[dict[str, KnownEntry], dict[str, int]]:
        with self.db.transaction() as session:
            return store.known_entries(session, feed_id, guids), store.articles_by_link(session, links)

    async def ingest(self, *, feed_urls: Sequence[str] | None = None, due_only: bool = False) -> RunSummary:
        """Poll the named feeds (else every enabled one; or only those due) once, each stored in its own
        transaction."""
        with self.db.transaction() as session:
            states = feeds_to_poll(session, urls=feed_urls, due_before=utcnow() if due_only else None)
        summary = RunSummary()
        fetcher = self._fetcher or Fetcher(self.settings)
        pages = PageCache()
        feed_slots = asyncio.Semaphore(self.settings.concurrency)
        done = 0

        async def one(state: FeedState) -> None:
            nonlocal done
            async with feed_slots:
                outcome = await self._poll(state, fetcher, pages)
            self._store(state, outcome, summary)
            done += 1
            if self.progress:
                self.progress(done, len(states), summary)

        try:
            await asyncio.gather(*(one(s) for s in states))
        finally:
            if self._fetcher is None:
                await fetcher.aclose()
        return summary

    async def _poll(self, state: FeedState, fetcher: Fetcher, pages: PageCache) -> PollOutcome:
        try:
            return await poll_feed(state, fetcher=fetcher, settings=self.settings,
                                   read_state=self._read_state, pages=pages)
        except Exception as exc:  # a bug with one feed must not stop the run; it is recorded on the feed
            log.exception("polling %s failed", redact_url(state.url))
            now = utcnow()
            return PollOutcome(FeedPoll(
                feed_id=state.id, checked_at=now, status="failed",
                error=f"internal error: {exc.__class__.__name__}: {exc}",
                next_check_at=now + next_check(state, self.settings, failed=True),
            ))

    def _store(self, state: FeedState, outcome: PollOutcome, summary: RunSummary) -> None:
        poll = outcome.poll
        try:
            with self.db.transaction() as session:
                stats = store.record_poll(session, poll, outcome.entries)
        except LookupError:
            return  # the feed was removed while we polled it
        except Exception as exc:
            # Nothing of this feed's entries was written; record why on the feed and go on.
            log.exception("storing %s failed", redact_url(state.url))
            poll = FeedPoll(feed_id=poll.feed_id, checked_at=poll.checked_at, status="failed",
                            http_status=poll.http_status,
                            error=f"storing failed: {exc.__class__.__name__}: {str(exc).splitlines()[0]}",
                            next_check_at=poll.next_check_at)
            with self.db.transaction() as session:
                store.record_poll(session, poll)
            outcome = PollOutcome(poll)
            stats = StoreStats()
        report = FeedReport(url=redact_url(state.url), status=poll.status,
                            error=poll.error if poll.status == "failed" else None,
                            articles_new=stats.articles_new, articles_updated=stats.articles_updated)
        summary.feeds.append(report)
        if poll.status == "ok":
            summary.feeds_ok += 1
        elif poll.status == "not_modified":
            summary.feeds_not_modified += 1
        else:
            summary.feeds_failed += 1
        summary.articles_new += stats.articles_new
        summary.articles_updated += stats.articles_updated
        summary.pages_fetched += outcome.pages_fetched
        summary.pages_fallback += outcome.pages_fallback
        log.info("feed polled", extra={"feed": report.url, "status": poll.status,
                                       "articles_new": stats.articles_new, "error": report.error})
