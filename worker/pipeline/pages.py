"""Work the durable page queue: claim due jobs, fetch and extract each page, store the outcome.

Every job is finished in the transaction that writes its article, so a crash at any moment leaves
either the old article with its job pending (taken over when the lease expires) or the new one
with its job done. An origin that answered Retry-After is paused for everyone; its jobs wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from db import queue, store
from db.records import QueuedPage, StoreStats
from db.types import utcnow
from worker.fetch import Fetcher, Stopped
from worker.parse.feed import ParsedEntry
from worker.parse.urls import origin_of
from worker.pipeline.article import PageResult, fallback_record, feed_text_record, fetch_article
from worker.pipeline.dbio import DbIO
from worker.pipeline.decide import merge_article
from worker.pipeline.poll import local_root_of
from worker.pipeline.progress import NO_PROGRESS, Progress
from worker.pipeline.schedule import after_failure
from worker.pool import CpuPool
from worker.settings import Settings, redact_url

log = logging.getLogger("worker.pages")


@dataclass
class PageStats:
    fetched: int = 0  # page text stored
    fallback: int = 0  # gave up: the feed's text stays, with the reason
    retrying: int = 0  # will be tried again later
    articles_updated: int = 0  # stored articles (not just queued ones) that changed
    statements_written: int = 0
    fetch_seconds: list[float] = field(default_factory=list)  # one per page fetched or tried
    failures: list[tuple[str, str]] = field(default_factory=list)  # (reason, url) per page not fetched

    def take(self) -> PageStats:
        """What was counted so far, counting afresh from now (the daemon reports as it goes)."""
        taken = dataclasses.replace(self)
        for f in dataclasses.fields(self):
            setattr(self, f.name, [] if isinstance(getattr(self, f.name), list) else 0)
        return taken


class _LeaseLost(Exception):
    """Roll back: this worker no longer holds the job."""


class PageWorker:
    def __init__(self, settings: Settings, io: DbIO, fetcher: Fetcher, cpu: CpuPool, owner: str,
                 progress: Progress = NO_PROGRESS):
        self.settings = settings
        self.io = io
        self.fetcher = fetcher
        self.cpu = cpu
        self.owner = owner
        self.progress = progress

    async def drain(self, *, stop: Callable[[], bool] = lambda: False, batches: int | None = None,
                    more_coming: Callable[[], bool] = lambda: False,
                    wake: asyncio.Event | None = None, stats: PageStats | None = None) -> PageStats:
        """Process due jobs until none is due (or ``stop()``, or ``batches`` claims); counts into
        ``stats`` (a new PageStats unless given) and returns it.

        Jobs are claimed as slots free up, not a batch at a time, so one slow page never leaves the
        others idle. While ``more_coming()`` (feeds still being polled) an empty queue is waited on
        until ``wake`` is set or a moment passes, instead of ending the drain."""
        stats = PageStats() if stats is None else stats
        slots = asyncio.Semaphore(self.settings.concurrency)
        held = self.settings.concurrency * 2  # claimed ahead: every slot busy while the next claim runs
        running: set[asyncio.Task[None]] = set()
        claims = 0
        dry = False  # the last claim found nothing: wait for a job to finish (or a wake) before the next

        async def one(job: QueuedPage, pauses: dict[str, queue.Pause]) -> None:
            async with slots:
                if stop():
                    return
                await self._one(job, pauses, stats)

        try:
            while not stop() and (batches is None or claims < batches):
                if not dry and len(running) <= held // 2:
                    claims += 1
                    if wake is not None:
                        wake.clear()  # set again by whatever is queued from now on
                    jobs, pauses = await self._claim(held - len(running))
                    running.update(asyncio.ensure_future(one(job, pauses)) for job in jobs)
                    dry = not jobs
                if not running:
                    if not (dry and more_coming()):
                        break
                    if wake is not None:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(wake.wait(), timeout=0.5)
                    else:
                        await asyncio.sleep(0.2)
                    dry = False
                    continue
                finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                running -= finished
                for task in finished:
                    task.result()  # a fault of the database ends the drain
                if wake is not None and wake.is_set():
                    dry = False
            while running:  # what has started finishes (``one`` starts nothing new once stop() holds)
                finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                running -= finished
                for task in finished:
                    task.result()
        except BaseException:
            # The database went away (or the run was cancelled): nothing in flight may go on using
            # the fetcher or the pool the caller is about to close; each job stays pending, leased.
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            raise
        return stats

    async def _claim(self, limit: int) -> tuple[list[QueuedPage], dict[str, queue.Pause]]:
        now = utcnow()
        return await self.io.transaction(lambda session: (
            queue.claim_pages(session, self.owner, now, self.settings.lease, limit=limit),
            queue.paused_origins(session, now)))

    async def _one(self, job: QueuedPage, pauses: dict[str, queue.Pause], stats: PageStats) -> None:
        origin = origin_of(job.url)
        pause = pauses.get(origin)
        if pause is not None:  # not tried, so not an attempt: it waits for the pause to end
            await self.io.write(lambda session: queue.finish_page(
                session, job.job_id, self.owner, state="pending", attempts=job.attempts, now=utcnow(),
                retry_at=pause.until, error=f"its server asked to wait: {pause.reason} (on {pause.url})"))
            stats.retrying += 1
            log.info("page deferred", extra={"url": redact_url(job.url), "until": pause.until})
            self.progress.advance("pages")
            return
        entry = ParsedEntry(guid=job.url, link=job.url, title=job.title, author=job.author,
                            published_at=job.published_at, summary=job.summary, content=job.text)
        local_root = local_root_of(job.feed_url) if job.feed_url else None
        started = time.monotonic()
        try:
            result = await fetch_article(self.fetcher, entry, self.settings, self.cpu, local_root=local_root,
                                         attempts_before=job.attempts)
            stats.fetch_seconds.append(time.monotonic() - started)
        except Stopped:
            return  # never sent (shutting down): no attempt; the job is given back with the leases
        except Exception as exc:  # a bug with one page must not stop the queue: an attempt like any other
            log.exception("page %s failed", redact_url(job.url))
            result = await self._internal_error(job, entry, exc)
        await self._store(job, result, origin, stats)

    async def _internal_error(self, job: QueuedPage, entry: ParsedEntry, exc: Exception) -> PageResult:
        """An unexpected error counts as an attempt: retried with backoff until ``page_retry_limit``,
        then the feed's text is kept for good with the error as its reason (never retried for ever)."""
        attempts = job.attempts + 1
        retry = after_failure("internal", None, None, attempts, utcnow())
        final = not retry.retry or attempts >= self.settings.page_retry_limit
        reason = f"internal error: {exc.__class__.__name__}: {str(exc)[:200]}"
        try:
            record = await feed_text_record(self.cpu, entry, reason, attempts=attempts, final=final)
        except Exception:
            record = fallback_record(entry, reason, attempts=attempts, parse=False)
        return PageResult(record, False, retry=None if final else retry)

    async def _store(self, job: QueuedPage, result: PageResult, origin: str, stats: PageStats) -> None:
        now = utcnow()
        attempts = result.record.page_attempts
        # fetch_article (or _internal_error) asked the table of worker/pipeline/schedule.py already
        retry = None if result.fetched else result.retry
        final = retry is None
        retry_at = now + timedelta(seconds=retry.wait) if retry is not None else None
        state = "fetched" if result.fetched else ("failed" if final else "pending")

        def write(session: Session) -> StoreStats:
            # The job is finished in the transaction that writes its article: a crash keeps both or neither.
            if not queue.finish_page(session, job.job_id, self.owner, state=state, attempts=attempts,
                                     now=now, retry_at=retry_at,
                                     error=None if result.fetched else result.record.source_reason):
                raise _LeaseLost
            if retry is not None and retry.server_asked and retry_at is not None and origin:
                queue.pause_origin(session, origin, retry_at, result.record.source_reason or "Retry-After",
                                   redact_url(job.url))
            return store.store_page(session, result.record, job.article_id, merge_article, result.page)

        try:
            written = await self.io.write(write)
            if not job.provisional and written.articles_updated:
                stats.articles_updated += 1
            stats.statements_written += written.statements_written
        except _LeaseLost:
            # it expired and another worker took the job over: its outcome stands
            self.progress.advance("pages")
            return
        if result.fetched:
            stats.fetched += 1
        elif final:
            stats.fallback += 1
        else:
            stats.retrying += 1
        reason = None if result.fetched else result.record.source_reason or "unknown"
        if reason is not None:
            stats.failures.append((reason, redact_url(job.url)))
        outcome = "fetched" if result.fetched else ("feed text kept" if final else "to retry")
        log.info("page %s", outcome, extra={"url": redact_url(job.url), "attempts": attempts,
                                            "error": reason})
        self.progress.advance("pages")
