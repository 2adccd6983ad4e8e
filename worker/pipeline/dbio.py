"""The database, reached from the event loop without blocking it.

Every call runs on one thread of its own (so one connection at a time per worker process: SQLite
has one writer anyway, and PostgreSQL sees one session per worker). Two kinds of call:

- :meth:`DbIO.transaction`: a transaction of its own, now (claims, reads of known state);
- :meth:`DbIO.write`: a unit of writes grouped with the others waiting into one transaction. A
  unit is atomic (a feed's entries with its poll; a page's article with its job), a failing unit
  is rolled back alone (see :meth:`DbIO._group`), and its caller gets its exception once the rest
  have committed. Grouping turns many small commits (an fsync each on PostgreSQL) into few.

An error that says the database itself cannot be used (db.faults) is raised as
``DatabaseUnavailable`` to every caller concerned, never recorded as one unit's fault.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from db.database import Database
from db.faults import transient, unavailable

T = TypeVar("T")

TRANSIENT_RETRIES = 2  # a transaction PostgreSQL chose as a deadlock victim is run again this often
MAX_GROUP = 64  # units per transaction: enough to amortise a commit, few enough to keep locks short

Unit = Callable[[Session], Any]


class DbIO:
    def __init__(self, db: Database, *, max_group: int = MAX_GROUP):
        self.db = db
        self.max_group = max_group
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="db")
        self._waiting: list[tuple[Unit, asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def transaction(self, fn: Callable[[Session], T]) -> T:
        """``fn(session)`` in a transaction of its own, committed before this returns."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._one, fn)

    async def write(self, fn: Callable[[Session], T]) -> T:
        """``fn(session)`` committed with the other writes waiting; its value, or its exception
        (then nothing it wrote is kept). Writes are applied in the order they were asked for."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        # A caller cancelled while its unit waits (a run ending on a database fault) no longer
        # looks at the outcome: mark it seen, or asyncio logs "exception was never retrieved".
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._waiting.append((fn, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._drain())
        # shielded: a cancelled caller must not tear a group apart; its unit is written or not as a whole
        return await asyncio.shield(future)

    async def flush(self) -> None:
        """Wait until every write asked for so far is committed."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            group, self._waiting = self._waiting[:self.max_group], self._waiting[self.max_group:]
            try:
                outcomes = await loop.run_in_executor(self._thread, self._group, [fn for fn, _ in group])
            except BaseException as exc:  # the commit itself failed: none of the group was kept
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else RuntimeError(str(exc)))
                if not isinstance(exc, Exception):
                    raise
                continue
            for (_, future), (ok, value) in zip(group, outcomes, strict=True):
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def _one(self, fn: Callable[[Session], T]) -> T:
        for attempt in range(TRANSIENT_RETRIES + 1):
            try:
                with self.db.transaction() as session:
                    return fn(session)
            except Exception as exc:
                if transient(exc) and attempt < TRANSIENT_RETRIES:
                    continue  # a deadlock victim: nothing of it was kept, so it runs again
                down = unavailable(exc)
                if down is not None and down is not exc:
                    raise down from exc
                raise
        raise AssertionError("unreachable")

    def _group(self, units: list[Unit]) -> list[tuple[bool, Any]]:
        """All units in one transaction; if one fails, that transaction is rolled back and each unit
        runs in a transaction of its own, so the failing one is rolled back alone. (Units only
        write to the session and return values, so running one again is safe.) Savepoints would
        do the same with two more statements per unit on the common path, where nothing fails."""
        if len(units) > 1:
            with contextlib.suppress(Exception), self.db.transaction() as session:
                return [(True, unit(session)) for unit in units]
        outcomes: list[tuple[bool, Any]] = []
        for unit in units:
            try:
                outcomes.append((True, self._one(unit)))
            except Exception as exc:
                if unavailable(exc) is not None:
                    raise  # not this unit's fault: the whole group (and the run) ends here
                outcomes.append((False, exc))
        return outcomes

    def close(self) -> None:
        """Finish the thread's current call and stop it (writes not yet started are dropped: callers
        await their writes, so after a run there are none)."""
        self._thread.shutdown(wait=True, cancel_futures=True)
