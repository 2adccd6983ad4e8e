"""`worker run`: the daemon. An APScheduler 3 job ticks every ``settings.tick`` seconds and runs
:meth:`Worker.tick` — the same pipeline as `worker ingest`, on the feeds and pages that are due and
that this process can claim. Signal handling lives here and only here:

- the first SIGTERM or SIGINT stops claiming; in-flight feed and page transactions get
  ``settings.shutdown_grace`` seconds to finish, leases still held are given back, exit status 0;
- a second signal exits at once (status 1); leases left behind expire after ``settings.lease``.
  A repeat within a second is the same stop request delivered twice (``uv run`` forwards SIGTERM
  while systemd signals the whole control group), not an impatient operator, so it is ignored.

The tick job has ``max_instances=1`` and ``coalesce=True`` (a slow tick never piles up runs behind
it) and no misfire grace limit (a late tick still runs; APScheduler's default would skip a job
that starts more than a second late).
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
from sqlalchemy import text, update

from db import queue
from db.database import Database
from db.models import Feed
from db.types import utcnow
from worker.fetch import Fetcher
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
        self.on_tick = on_tick
        self.scheduler: AsyncIOScheduler | None = None
        self.ticks = 0
        self._stop: asyncio.Event | None = None
        self._current: asyncio.Task[RunSummary] | None = None
        self._fetcher: Fetcher | None = None
        self._first_signal: float | None = None

    # --- health ---------------------------------------------------------------------------------

    def health(self) -> tuple[bool, str]:
        """(healthy, why): the scheduler runs and the database answers."""
        if self.scheduler is None or not self.scheduler.running:
            return False, "scheduler not running"
        try:
            with self.db.transaction() as session:
                session.execute(text("SELECT 1"))
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
        log.info("%s: finishing in-flight work, claiming nothing new", sig.name)
        self.worker.stopping = True
        assert self._stop is not None
        self._stop.set()

    async def _tick(self) -> None:
        if self.worker.stopping:
            return
        assert self._fetcher is not None
        self._current = asyncio.ensure_future(self.worker.tick(self._fetcher))
        try:
            # shielded: stopping the scheduler cancels its job, which must not cut a transaction short
            summary = await asyncio.shield(self._current)
        except asyncio.CancelledError:
            if self.worker.stopping:
                return  # cut short by the shutdown, which has said so
            raise
        except Exception:
            log.exception("tick failed")  # the next tick tries again
            return
        finally:
            self._current = None
        self.ticks += 1
        if self.on_tick:
            self.on_tick(summary)

    async def _shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
        current = self._current
        if current is not None and not current.done():
            try:
                await asyncio.wait_for(asyncio.shield(current), timeout=self.settings.shutdown_grace)
            except (TimeoutError, asyncio.CancelledError):
                current.cancel()  # ends its pool tasks too: their worker processes are stopped
                log.warning("in-flight work did not finish within %.0f s; it was cancelled",
                            self.settings.shutdown_grace)
                with contextlib.suppress(BaseException):
                    await current
            except Exception:
                log.exception("in-flight tick failed during shutdown")
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await asyncio.to_thread(self._release)  # off the loop, like every other database call
        self.worker.close()  # no worker process outlives the daemon
        if self._fetcher is not None:
            await self._fetcher.aclose()

    def _release(self) -> None:
        """Give back what this process still holds, so other workers need not wait for expiry."""
        try:
            with self.db.transaction() as session:
                session.execute(update(Feed).where(Feed.lease_owner == self.owner)
                                .values(lease_owner=None, lease_until=None))
                queue.release_pages(session, self.owner)
        except Exception:
            log.exception("could not release leases; they expire at %s", utcnow())
