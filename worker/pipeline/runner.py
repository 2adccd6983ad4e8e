"""The Worker: one object that runs ingestion. `worker ingest` calls :meth:`Worker.ingest` once; the
daemon (`worker run`) calls :meth:`Worker.tick` on a schedule. Both claim feeds and queued pages with
leases, so any number of workers on one database share the work and never do it twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from db import queue, store
from db.database import Database
from db.feeds import claim_feeds, release_feed
from db.records import FeedState, KnownEntry, StoreStats
from db.types import utcnow
from worker.fetch import Fetcher
from worker.pipeline.dbio import DbIO
from worker.pipeline.pages import PageStats, PageWorker
from worker.pipeline.poll import PollOutcome, failed_poll, poll_feed
from worker.pool import CpuPool
from worker.settings import Settings, redact_url

log = logging.getLogger("worker.ingest")


@dataclass
class FeedReport:
    url: str
    status: str  # ok | not_modified | failed | skipped
    error: str | None = None
    articles_new: int = 0
    articles_updated: int = 0


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
    statements_stored: int = 0
    feeds: list[FeedReport] = field(default_factory=list)
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


Progress = Callable[[int, int, RunSummary], None]
# Called after every stored poll: (report, outcome) — the daemon's metrics and log line hook in here.
PollHook = Callable[[FeedReport, PollOutcome], None]


def worker_id() -> str:
    """Unique per process: host, pid and a random tail (pids repeat across machines and restarts)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Runs ingestion with two helpers it owns: a pool of worker processes for CPU work (``cpu``,
    started on first use) and a thread for the database (``io``), so the event loop only waits.
    :meth:`close` stops both; `worker ingest` closes after its run, the daemon at shutdown."""

    def __init__(self, settings: Settings, database: Database, *, fetcher: Fetcher | None = None,
                 progress: Progress | None = None, owner: str | None = None,
                 on_poll: PollHook | None = None, cpu: CpuPool | None = None):
        self.settings = settings
        self.db = database
        self._fetcher = fetcher
        self.progress = progress
        self.owner = owner or worker_id()
        self.on_poll = on_poll
        self.stopping = False  # set by the daemon's signal handler: claim nothing new
        self._force = False
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
                          links: list[str]) -> tuple[dict[str, KnownEntry], dict[str, int]]:
        return await self.io.transaction(lambda session: (
            store.known_entries(session, feed_id, guids), store.articles_by_link(session, links)))

    async def ingest(self, *, feed_urls: Sequence[str] | None = None, due_only: bool = False,
                     force: bool = False) -> RunSummary:
        """Poll the named feeds (else every enabled one; or only those due) once, each stored in its own
        transaction, then work the page queue until nothing is due. Feeds another worker holds, and
        feeds whose server asked us to wait (unless ``force``), are skipped and reported."""
        states, skipped = await self.io.transaction(lambda session: claim_feeds(
            session, self.owner, utcnow(), self.settings.lease, urls=feed_urls, due_only=due_only,
            force=force))
        summary = RunSummary()
        for url, why in skipped:
            summary.feeds.append(FeedReport(url=redact_url(url), status="skipped", error=why))
            summary.feeds_skipped += 1
        fetcher = self._fetcher or Fetcher(self.settings)
        self._force = force
        try:
            # Pages are worked while feeds are still polled: the worker processes start on the first
            # feed's pages instead of waiting for the last feed.
            self._queued = queued = asyncio.Event()
            polls = asyncio.ensure_future(self._poll_all(states, fetcher, summary))
            polls.add_done_callback(lambda _: queued.set())  # the drain stops waiting for more at once
            pages = PageWorker(self.settings, self.io, fetcher, self.cpu, self.owner)
            try:
                summary.add_pages(await pages.drain(stop=lambda: self.stopping,
                                                    more_coming=lambda: not polls.done(), wake=self._queued))
            finally:
                await polls
            await self.io.flush()
        finally:
            self._force = False
            if self._fetcher is None:
                await fetcher.aclose()
            self.close()  # a one-off run: no worker process or database thread outlives it
        return summary

    async def tick(self, fetcher: Fetcher, *, feed_limit: int | None = None,
                   page_batches: int = 1) -> RunSummary:
        """One round of the daemon: poll the due feeds it can claim, then a batch of due pages."""
        summary = RunSummary()
        if self.stopping:
            return summary
        states, _ = await self.io.transaction(lambda session: claim_feeds(
            session, self.owner, utcnow(), self.settings.lease, due_only=True,
            limit=feed_limit or self.settings.concurrency * 4))
        await self._poll_all(states, fetcher, summary)
        if not self.stopping:
            pages = PageWorker(self.settings, self.io, fetcher, self.cpu, self.owner)
            summary.add_pages(await pages.drain(stop=lambda: self.stopping, batches=page_batches))
        await self.io.flush()
        return summary

    async def _poll_all(self, states: list[FeedState], fetcher: Fetcher, summary: RunSummary) -> None:
        slots = asyncio.Semaphore(self.settings.concurrency)
        done = 0
        pauses = await self.io.transaction(lambda session: queue.paused_hosts(session, utcnow()))

        async def one(state: FeedState) -> None:
            nonlocal done
            async with slots:
                if self.stopping:
                    await self.io.write(lambda session: release_feed(session, state.id, self.owner))
                    return
                outcome = await self._poll(state, fetcher, pauses)
                wait_until = outcome.poll.server_wait_until
                if outcome.server_wait_host and wait_until:  # the rest of this batch waits too
                    pauses[outcome.server_wait_host] = queue.Pause(wait_until, "Retry-After")
            await self._store(state, outcome, summary)
            done += 1
            if self.progress:
                self.progress(done, len(states), summary)

        await asyncio.gather(*(one(s) for s in states))

    async def _poll(self, state: FeedState, fetcher: Fetcher, pauses: dict[str, queue.Pause]) -> PollOutcome:
        host = _host(state.url)
        if host in pauses and not self._force:
            pause = pauses[host]
            wait = str(int((pause.until - utcnow()).total_seconds()) + 1)
            return failed_poll(state, self.settings, f"host paused until {pause.until:%Y-%m-%d %H:%M} UTC "
                               f"({pause.reason})", kind="status", status=503, headers={"retry-after": wait},
                               owner=self.owner)
        try:
            return await poll_feed(state, fetcher=fetcher, settings=self.settings,
                                   read_state=self._read_state, cpu=self.cpu, owner=self.owner)
        except Exception as exc:  # a bug with one feed must not stop the run; it is recorded on the feed
            log.exception("polling %s failed", redact_url(state.url))
            return failed_poll(state, self.settings, f"internal error: {exc.__class__.__name__}: {exc}",
                               owner=self.owner)

    async def _store(self, state: FeedState, outcome: PollOutcome, summary: RunSummary) -> None:
        poll = outcome.poll

        def write(session: Session) -> StoreStats:
            stats = store.record_poll(session, poll, outcome.entries)
            if outcome.server_wait_host and poll.server_wait_until:
                queue.pause_host(session, outcome.server_wait_host, poll.server_wait_until,
                                 f"Retry-After on {redact_url(state.url)}")
            return stats

        try:
            stats = await self.io.write(write)
            if stats.pages_queued and self._queued is not None:
                self._queued.set()
        except LookupError:
            return  # the feed was removed while we polled it
        except Exception as exc:
            # Nothing of this feed's entries was written; record why on the feed and go on.
            log.exception("storing %s failed", redact_url(state.url))
            outcome = failed_poll(state, self.settings,
                                  f"storing failed: {exc.__class__.__name__}: {str(exc).splitlines()[0]}",
                                  owner=self.owner)
            failed = outcome.poll
            await self.io.write(lambda session: store.record_poll(session, failed))
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
        summary.articles_new += stats.articles_new
        summary.articles_updated += stats.articles_updated
        summary.statements_stored += stats.statements_written
        if self.on_poll:
            self.on_poll(report, outcome)
        log.info("feed polled", extra={
            "feed": report.url, "status": poll.status, "articles_new": stats.articles_new,
            "next_check": poll.next_check_reason, "error": report.error})


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""
