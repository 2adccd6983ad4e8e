"""`worker run`: the daemon. It runs the same pieces as `worker ingest` (claim → poll → store →
page queue, in :class:`~worker.pipeline.runner.Worker`) on the feeds and pages that are due and that
this process can claim, for as long as it runs.

Work runs in tasks of the event loop, not inside the scheduler's job. The APScheduler 3 job (one,
every ``settings.tick`` seconds, ``misfire_grace_time=None`` so a late tick still runs) only starts
a *round* unless the last one is still claiming, and returns at once: APScheduler never finds it
still running, so it never warns that an instance was skipped. A round

- claims the due feeds that free poll places can take (``concurrency`` polling, as many waiting)
  and starts polling them: a feed that comes due is polled within a tick even while pages drain;
- starts the page drain unless it is running; the drain claims due pages as its slots free up.

Feeds and pages have slots of their own; the fetcher's overall and per-host limits hold for both.
Leases are renewed by a heartbeat every ``lease / 3`` seconds.

Signals (handled here and only here):

- the first SIGTERM or SIGINT stops the daemon: no new round, no new claim, and the fetcher sends
  no request it has not sent yet; polls and pages in flight get ``settings.shutdown_grace`` seconds
  to finish and are then cancelled (their transactions are written whole or not at all); every
  lease still held is given back; exit status 0;
- a second signal exits at once (status 1); leases left behind are taken over by the next worker on
  this host at once, elsewhere after ``settings.lease``. A repeat within a second is the same stop
  request delivered twice (``uv run`` forwards SIGTERM while systemd signals the whole control
  group), not an impatient operator, so it is ignored.

A database that stops answering does not end the daemon: the round, poll or page that met it logs
one line (no traceback), ``/healthz`` reports it, and the next round tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from db import queue
from db.database import Database
from db.engine import DatabaseError
from worker.fetch import Fetcher
from worker.pipeline.leases import LeaseHeartbeat
from worker.pipeline.pages import PageStats, PageWorker
from worker.pipeline.runner import PollHook, RunSummary, Worker, worker_id
from worker.settings import Settings

log = logging.getLogger("worker.daemon")
logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick is noise, not news

TickHook = Callable[[RunSummary], None]


class Daemon:
    def __init__(self, settings: Settings, db: Database, *, owner: str | None = None,
                 on_poll: PollHook | None = None, on_tick: TickHook | None = None):
        self.settings = settings
        self.db = db
        self.owner = owner or worker_id()
        self.worker = Worker(settings, db, owner=self.owner, on_poll=on_poll)
        self.on_tick = on_tick  # called with what each page drain did
        self.scheduler: AsyncIOScheduler | None = None
        self.ticks = 0
        self.database_error: str | None = None  # the last database fault, until a round succeeds
        self._stop: asyncio.Event | None = None
        self._fetcher: Fetcher | None = None
        self._first_signal: float | None = None
        self._round: asyncio.Task[None] | None = None
        self._drain: asyncio.Task[None] | None = None
        self._polls: dict[asyncio.Task[bool], int] = {}  # poll task -> its feed's id
        self._poll_slots: asyncio.Semaphore | None = None
        self._heartbeat: LeaseHeartbeat | None = None
        self._page_stats = PageStats()  # what the page drain did since the last report
        self._room_filled = False  # the last claim took all it had room for: more may be due

    # --- health ---------------------------------------------------------------------------------

    def health(self) -> tuple[bool, str]:
        """(healthy, why): the scheduler runs and the database answers."""
        if self.scheduler is None or not self.scheduler.running:
            return False, "scheduler not running"
        try:
            self.db.ping()
        except Exception as exc:
            return False, f"database: {exc.__class__.__name__}"
        return True, "ok"

    # --- running --------------------------------------------------------------------------------

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_signal, sig)
        self._fetcher = Fetcher(self.settings)
        self._poll_slots = asyncio.Semaphore(self.settings.concurrency)
        self.worker.watch_queue()
        self._heartbeat = LeaseHeartbeat(self.worker.io, self.owner, self.settings.lease).start()
        self.scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        self.scheduler.add_job(self._tick, "interval", seconds=self.settings.tick, id="tick",
                               next_run_time=datetime.now(UTC), max_instances=1, coalesce=True,
                               misfire_grace_time=None)
        self.scheduler.start()
        log.info("worker started", extra={"owner": self.owner, "tick_seconds": self.settings.tick})
        try:
            await self._stop.wait()
        finally:
            await self._shutdown()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        log.info("worker stopped", extra={"owner": self.owner, "ticks": self.ticks})
        return 0

    def _on_signal(self, sig: signal.Signals) -> None:
        now = time.monotonic()
        if self._first_signal is not None:
            if now - self._first_signal < 1.0:
                return
            log.warning("second %s: exiting at once", sig.name)
            os._exit(1)
        self._first_signal = now
        log.info("%s: finishing in-flight work, starting nothing new", sig.name)
        self.worker.stopping = True
        if self._fetcher is not None:
            self._fetcher.stop_new()
        assert self._stop is not None
        self._stop.set()

    async def _tick(self) -> None:
        """The scheduler's job: start a round unless stopping or the last one is still claiming."""
        if self.worker.stopping or (self._round is not None and not self._round.done()):
            return
        self._round = asyncio.ensure_future(self._one_round())

    async def _one_round(self) -> None:
        assert self._fetcher is not None and self._poll_slots is not None
        self.ticks += 1
        self._report_pages()
        try:
            room = 2 * self.settings.concurrency - len(self._polls)  # polling, and as many waiting
            self._room_filled = False
            if room > 0:
                states, pauses = await self.worker.claim_due(room, set(self._polls.values()))
                self._room_filled = len(states) == room
                summary = RunSummary()  # each poll is reported through on_poll as it is stored
                for state in states:
                    task = asyncio.ensure_future(
                        self.worker.poll_one(state, self._fetcher, summary, pauses, self._poll_slots))
                    self._polls[task] = state.id
                    task.add_done_callback(self._poll_done)
            if not self.worker.stopping and (self._drain is None or self._drain.done()):
                self._drain = asyncio.ensure_future(self._drain_pages())
        except DatabaseError as exc:
            self._database_down(exc)
            return
        except Exception:  # a bug: the next round tries again
            log.exception("a round failed")
            return
        if self.database_error is not None:
            log.info("the database answers again")
            self.database_error = None

    def _poll_done(self, task: asyncio.Task[bool]) -> None:
        self._polls.pop(task, None)
        half_free = len(self._polls) <= self.settings.concurrency
        if self._room_filled and half_free and not self.worker.stopping and (
                self._round is None or self._round.done()):
            # The last claim took all it had room for, so more feeds may be due: claim again once
            # half the places are free rather than at the next tick (a re-poll of many feeds).
            self._round = asyncio.ensure_future(self._one_round())
        if task.cancelled() or task.exception() is None:
            return
        exc = task.exception()
        if isinstance(exc, DatabaseError):
            self._database_down(exc)
        else:  # a bug: polls record their own failures on the feed
            log.error("a feed poll failed", exc_info=exc)

    async def _drain_pages(self) -> None:
        assert self._fetcher is not None
        pages = PageWorker(self.settings, self.worker.io, self._fetcher, self.worker.cpu, self.owner)
        try:
            # No drain of ours runs, so a job we still hold was stranded (its write met a database
            # fault): give it back, or the heartbeat would keep it ours, and undone, for ever.
            await self.worker.io.transaction(lambda session: queue.release_pages(session, self.owner))
            await pages.drain(stop=lambda: self.worker.stopping, more_coming=lambda: bool(self._polls),
                              wake=self.worker.watch_queue(), stats=self._page_stats)
        except DatabaseError as exc:
            self._database_down(exc)
        except Exception:  # a bug: the next round starts another drain
            log.exception("the page drain failed")
        finally:
            self._report_pages()

    def _report_pages(self) -> None:
        """Hand what the page drain did since the last report to ``on_tick`` (metrics)."""
        summary = RunSummary()
        summary.add_pages(self._page_stats.take())
        if self.on_tick and (summary.page_fetch_seconds or summary.articles_updated
                             or summary.statements_stored):
            self.on_tick(summary)

    def _database_down(self, exc: DatabaseError) -> None:
        message = str(exc)
        if message != self.database_error:  # one line per outage, not one per task that met it
            log.error("database unusable: %s; trying again at the next tick", message)
        self.database_error = message

    async def _shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            # APScheduler's asyncio executor cancels a job task it has started but the loop has not
            # run yet (a tick due at the signal), and logs that as an error. Pause first and give such
            # a task its one loop turn (the tick never waits: it starts a round, or not, and returns).
            self.scheduler.pause()
            for _ in range(2):
                await asyncio.sleep(0)
            self.scheduler.shutdown(wait=False)  # its job only starts rounds: nothing of ours is cut
        in_flight = [t for t in (self._round, self._drain, *self._polls) if t is not None and not t.done()]
        if in_flight:
            _, late = await asyncio.wait(in_flight, timeout=self.settings.shutdown_grace)
            if late:
                for task in late:
                    task.cancel()  # a drain cancels its pages, and their pool tasks with them
                await asyncio.gather(*late, return_exceptions=True)
                log.warning("in-flight work did not finish within %.0f s and was cancelled; the next run "
                            "does it", self.settings.shutdown_grace)
        if self._heartbeat is not None:
            await self._heartbeat.stop()
        await self._release()
        self.worker.close()  # no worker process outlives the daemon
        if self._fetcher is not None:
            await self._fetcher.aclose()

    async def _release(self) -> None:
        """Give back what this process still holds, so other workers need not wait for expiry."""
        try:
            with contextlib.suppress(DatabaseError):
                await self.worker.io.flush()
            feeds, pages = await self.worker.io.transaction(
                lambda session: queue.release_leases(session, {self.owner}))
        except Exception as exc:
            log.warning("could not give back the leases (%s); other workers of this host take them over at "
                        "once, others after %.0f s", exc, self.settings.lease)
            return
        if feeds or pages:
            log.info("gave back %d feed and %d page leases", feeds, pages)
