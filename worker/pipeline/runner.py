"""The Worker: one object that runs ingestion. `worker ingest` calls :meth:`Worker.ingest` once; the
daemon (`worker run`) calls :meth:`Worker.tick` on a schedule. Both claim feeds and queued pages with
leases, so any number of workers on one database share the work and never do it twice.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from db import lifecycle, queue, store
from db.database import Database
from db.engine import DatabaseError
from db.feeds import release_feed
from db.records import FeedPoll, FeedState, StoreStats
from db.types import utcnow
from worker.fetch import Fetcher, Stopped
from worker.parse.urls import origin_of
from worker.pipeline import leases
from worker.pipeline.dbio import DbIO
from worker.pipeline.decide import merge_article
from worker.pipeline.pages import PageStats, PageWorker
from worker.pipeline.poll import failed_poll, poll_feed
from worker.pipeline.progress import NO_PROGRESS, Progress
from worker.pool import CpuPool
from worker.settings import Settings, redact_url

log = logging.getLogger("worker.ingest")


@dataclass
class FeedReport:
    """A feed's line in a run's summary: what the user sees of it (its URL redacted), skipped feeds
    (never polled, so no FeedPoll) included, with what storing its poll added."""

    url: str
    status: str  # ok | not_modified | failed | skipped
    error: str | None = None
    articles_new: int = 0
    articles_updated: int = 0


FAILURE_URLS = 3  # URLs listed per failure reason in a run summary
_DETAIL = re.compile(r"\s*\([^()]*\)")


def failure_reason(error: str) -> str:
    """The reason a failure is grouped under: its message without parenthesised details (sizes,
    counts, content types), so that "page text too short (120 characters)" and "(80 characters)"
    are one reason."""
    return " ".join(_DETAIL.sub("", error).split()) or error


@dataclass
class FailureGroup:
    count: int = 0
    urls: list[str] = field(default_factory=list)  # the first FAILURE_URLS


def add_failure(groups: dict[str, FailureGroup], error: str, url: str) -> None:
    group = groups.setdefault(failure_reason(error), FailureGroup())
    group.count += 1
    if len(group.urls) < FAILURE_URLS:
        group.urls.append(url)


@dataclass
class RunSummary:
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    feeds_skipped: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    pages_fetched: int = 0
    pages_fallback: int = 0
    pages_retrying: int = 0
    pages_held_elsewhere: int = 0  # due pages left because another live worker holds them
    statements_stored: int = 0
    feeds: list[FeedReport] = field(default_factory=list)
    # Per reason, most frequent first once the run is over: feeds that failed, pages not fetched
    # (kept with their feed's text for good, or to be retried).
    failed_feeds: dict[str, FailureGroup] = field(default_factory=dict)
    failed_pages: dict[str, FailureGroup] = field(default_factory=dict)
    page_fetch_seconds: list[float] = field(default_factory=list, repr=False)  # for the metrics

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("page_fetch_seconds")
        return data

    def add_pages(self, stats: PageStats) -> None:
        self.pages_fetched += stats.fetched
        self.pages_fallback += stats.fallback
        self.pages_retrying += stats.retrying
        self.articles_updated += stats.articles_updated
        self.statements_stored += stats.statements_written
        self.page_fetch_seconds += stats.fetch_seconds
        for reason, url in stats.failures:
            add_failure(self.failed_pages, reason, url)

    def sort_failures(self) -> None:
        """Most frequent reason first (ties: the reason's text)."""
        for name in ("failed_feeds", "failed_pages"):
            groups: dict[str, FailureGroup] = getattr(self, name)
            setattr(self, name, dict(sorted(groups.items(), key=lambda item: (-item[1].count, item[0]))))

# Called after every stored poll or skip: (report, poll) — the daemon's metrics hook in here.
PollHook = Callable[[FeedReport, FeedPoll | None], None]  # None: skipped, not polled


def worker_id() -> str:
    """Unique per worker: host, pid, process start time and a random tail (see leases.py), so that a
    claim can tell a dead holder on this host from a live one."""
    return leases.new_owner_id()


class Worker:
    """Runs ingestion with two helpers it owns: a pool of worker processes for CPU work (``cpu``,
    started on first use) and a thread for the database (``io``), so the event loop only waits.
    :meth:`close` stops both; `worker ingest` closes after its run, the daemon at shutdown."""

    def __init__(self, settings: Settings, database: Database, *, fetcher: Fetcher | None = None,
                 progress: Progress = NO_PROGRESS, owner: str | None = None,
                 on_poll: PollHook | None = None, cpu: CpuPool | None = None):
        self.settings = settings
        self.db = database
        self._fetcher = fetcher
        self.progress = progress
        self.owner = owner or worker_id()
        self.on_poll = on_poll
        self.stopping = False  # set by the daemon's signal handler: claim nothing new
        self._cpu = cpu
        self._own_cpu = cpu is None
        self._io: DbIO | None = None
        self._queued: asyncio.Event | None = None  # set when a stored poll queued pages

    @property
    def cpu(self) -> CpuPool:
        if self._cpu is None:
            self._cpu = CpuPool.from_settings(self.settings)
        return self._cpu

    @property
    def io(self) -> DbIO:
        if self._io is None:
            self._io = DbIO(self.db)
        return self._io

    def watch_queue(self) -> asyncio.Event:
        """An event set whenever a stored poll queues pages (a waiting page drain wakes on it)."""
        if self._queued is None:
            self._queued = asyncio.Event()
        return self._queued

    def close(self, *, grace: float = 0.0) -> None:
        """Stop the worker processes (tasks already running get ``grace`` seconds) and the database
        thread. The Worker may be used again: both start afresh when next needed."""
        if self._cpu is not None and self._own_cpu:
            self._cpu.close(wait=grace)
            self._cpu = None
        if self._io is not None:
            self._io.close()
            self._io = None

    async def _read_state(self, feed_id: int, guids: list[str],
                          links: list[str]) -> tuple[set[str], dict[str, int], set[str]]:
        urls = links + guids  # an entry without a link is stored under its guid
        return await self.io.transaction(lambda session: (
            store.known_guids(session, feed_id, guids), store.articles_by_link(session, links),
            lifecycle.tombstoned(session, urls)))

    async def ingest(self, *, feed_urls: Sequence[str] | None = None, due_only: bool = False,
                     force: bool = False) -> RunSummary:
        """Poll the named feeds (else every enabled one; or only those due) once, each stored in its own
        transaction, then work the page queue until nothing is due. Feeds another live worker holds,
        and feeds whose server asked us to wait (unless ``force``), are skipped and reported; what
        dead workers of this host hold is taken over at once. Our leases are renewed while we run."""
        states, skipped = await self.io.transaction(lambda session: leases.claim_feeds_taking_over(
            session, self.owner, utcnow(), self.settings.lease, urls=feed_urls, due_only=due_only,
            force=force))
        due_pages = await self.io.transaction(lambda session: queue.due_pages(session, utcnow()))
        self.progress.expect("feeds", len(states))
        self.progress.expect("pages", due_pages)
        summary = RunSummary()
        for url, why in skipped:
            summary.feeds.append(FeedReport(url=redact_url(url), status="skipped", error=why))
            summary.feeds_skipped += 1
        fetcher = self._fetcher or Fetcher(self.settings)
        heartbeat = leases.LeaseHeartbeat(self.io, self.owner, self.settings.lease)
        try:
            heartbeat.start()
            # Pages are worked while feeds are still polled: the worker processes start on the first
            # feed's pages instead of waiting for the last feed.
            self._queued = queued = asyncio.Event()
            polls = asyncio.ensure_future(self._poll_all(states, fetcher, summary, force=force))
            polls.add_done_callback(lambda _: queued.set())  # the drain stops waiting for more at once
            pages = PageWorker(self.settings, self.io, fetcher, self.cpu, self.owner, self.progress)
            drain = asyncio.ensure_future(pages.drain(
                stop=lambda: self.stopping, more_coming=lambda: not polls.done(), wake=self._queued))
            # A fault of the database ends both at once: nothing in flight outlives the run's fetcher.
            polls.add_done_callback(lambda done: drain.cancel() if _failed(done) else None)
            try:
                summary.add_pages(await drain)
            except BaseException:
                polls.cancel()
                await asyncio.gather(polls, return_exceptions=True)
                if _failed(polls):
                    raise polls.exception() from None  # type: ignore[misc]
                raise
            await polls
            await self.io.flush()
            summary.pages_held_elsewhere = await self.io.transaction(
                lambda session: leases.pages_held_elsewhere(session, self.owner, utcnow()))
        finally:
            await heartbeat.stop()
            if self._fetcher is None:
                await fetcher.aclose()
            self.close()  # a one-off run: no worker process or database thread outlives it
        summary.sort_failures()
        return summary

    async def claim_due(self, limit: int, busy: set[int]) -> tuple[list[FeedState], dict[str, queue.Pause]]:
        """For the daemon: reserve up to ``limit`` due feeds (taking over what dead local workers
        hold), with the origin pauses in force. Feeds in ``busy`` (being polled by us) are left out."""
        def claim(session: Session) -> tuple[list[FeedState], dict[str, queue.Pause]]:
            now = utcnow()
            states, _ = leases.claim_feeds_taking_over(session, self.owner, now, self.settings.lease,
                                                       due_only=True, limit=limit, exclude_ids=busy)
            return states, queue.paused_origins(session, now)
        return await self.io.transaction(claim)

    async def _poll_all(self, states: list[FeedState], fetcher: Fetcher, summary: RunSummary, *,
                        force: bool = False) -> None:
        slots = asyncio.Semaphore(self.settings.concurrency)
        pauses = await self.io.transaction(lambda session: queue.paused_origins(session, utcnow()))

        async def one(state: FeedState) -> None:
            if await self.poll_one(state, fetcher, summary, pauses, slots, force=force):
                self.progress.advance("feeds")

        tasks = [asyncio.ensure_future(one(s)) for s in states]
        try:
            await asyncio.gather(*tasks)
        except BaseException:  # the database went away, or the run was cancelled: stop the other polls
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def poll_one(self, state: FeedState, fetcher: Fetcher, summary: RunSummary,
                       pauses: dict[str, queue.Pause], slots: asyncio.Semaphore, *,
                       force: bool = False) -> bool:
        """Poll one claimed feed when a slot is free and store the outcome; or skip it (its origin
        paused, unless ``force``), or give it back (stopping: nothing new starts). True when it was
        polled or skipped."""
        async with slots:
            if self.stopping:
                await self.io.write(lambda session: release_feed(session, state.id, self.owner))
                return False
            pause = None if force else pauses.get(origin_of(state.url))
            if pause is not None and pause.until > utcnow():
                await self._defer(state, pause, summary)
                return True
            try:
                poll = await self._poll(state, fetcher)
            except Stopped:  # the fetcher took no new request: stopping
                await self.io.write(lambda session: release_feed(session, state.id, self.owner))
                return False
            origin = origin_of(state.url)
            if poll.server_wait_until and origin:  # the rest of this batch waits too
                pauses[origin] = queue.Pause(poll.server_wait_until, poll.error, state.url)
        await self._store(state, poll, summary)
        return True

    async def _defer(self, state: FeedState, pause: queue.Pause, summary: RunSummary) -> None:
        """Not polled: its origin asked us to wait (Retry-After to another request). Skipped, not
        failed — the feed itself was never asked, so its errors and backoff stay as they are."""
        why = (f"its server asked to wait until {pause.until:%Y-%m-%d %H:%M:%S} UTC "
               f"({pause.reason or 'Retry-After'}, on {redact_url(pause.url or '?')})")
        await self.io.write(lambda session: store.defer_feed(session, state.id, self.owner, pause.until, why))
        report = FeedReport(url=redact_url(state.url), status="skipped", error=why)
        summary.feeds.append(report)
        summary.feeds_skipped += 1
        if self.on_poll:
            self.on_poll(report, None)
        log.info("feed skipped", extra={"feed": report.url, "status": "skipped", "error": why})

    async def _poll(self, state: FeedState, fetcher: Fetcher) -> FeedPoll:
        try:
            return await poll_feed(state, fetcher=fetcher, settings=self.settings,
                                   read_state=self._read_state, cpu=self.cpu, owner=self.owner)
        except (Stopped, DatabaseError):
            raise  # shutting down, or the database (not this feed) failed: nothing to record on it
        except Exception as exc:  # a bug with one feed must not stop the run; it is recorded on the feed
            log.exception("polling %s failed", redact_url(state.url))
            return failed_poll(state, self.settings, f"internal error: {exc.__class__.__name__}: {exc}",
                               kind="internal", owner=self.owner)

    async def _store(self, state: FeedState, poll: FeedPoll, summary: RunSummary) -> None:
        def write(session: Session) -> StoreStats:
            stats = store.record_poll(session, poll, merge_article)
            origin = origin_of(state.url)
            if poll.server_wait_until and origin:
                queue.pause_origin(session, origin, poll.server_wait_until, poll.error or "Retry-After",
                                   redact_url(state.url))
            return stats

        try:
            stats = await self.io.write(write)
            if stats.pages_queued:
                self.progress.expect("pages", stats.pages_queued)
                if self._queued is not None:
                    self._queued.set()
        except LookupError:
            return  # the feed was removed while we polled it
        except DatabaseError:
            raise  # the database, not this feed: the run ends (exit 3); nothing of the feed was written
        except Exception as exc:
            # Nothing of this feed's entries was written; record why on the feed and go on.
            log.exception("storing %s failed", redact_url(state.url))
            failed = failed_poll(state, self.settings,
                                 f"storing failed: {exc.__class__.__name__}: {str(exc).splitlines()[0]}",
                                 kind="internal", owner=self.owner)
            await self.io.write(lambda session: store.record_poll(session, failed, merge_article))
            poll = failed
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
            add_failure(summary.failed_feeds, poll.error or "unknown", report.url)
        summary.articles_new += stats.articles_new
        summary.articles_updated += stats.articles_updated
        summary.statements_stored += stats.statements_written
        if self.on_poll:
            self.on_poll(report, poll)
        log.info("feed polled", extra={
            "feed": report.url, "status": poll.status, "articles_new": stats.articles_new,
            "next_check": poll.next_check_reason, "error": report.error})


def _failed(task: asyncio.Future[Any]) -> bool:
    return task.done() and not task.cancelled() and task.exception() is not None
