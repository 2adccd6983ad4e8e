"""CPU work in worker processes, each task on a budget.

Feed parsing, page extraction and statement parsing are pure CPU work. In one process they share
the GIL with the event loop and the database, so they run here instead, in a pool of worker
processes (``settings.processes``; 0 runs them in this process, for debugging, with no budget).

Why pebble's ``ProcessPool`` and not the stdlib's ``ProcessPoolExecutor``: the stdlib pool cannot
end one overrunning task (its only remedy is to break the whole pool), while pebble stops the
worker process of a task past its deadline, starts a fresh one and fails only that task's future;
it also recycles workers after ``max_tasks``. Workers are forked from a forkserver that has
imported the task modules once, so a fresh worker is ready in milliseconds and no worker is ever
forked from a process that runs threads (the event loop's, the database's).

Budgets:

- time: ``task_timeout`` seconds of wall-clock per task; past it the worker is killed and replaced;
- memory: ``task_memory`` bytes of address space per worker process (``RLIMIT_AS``); a task that
  needs more gets ``MemoryError``, and its worker exits at once (whatever it allocated may have
  left the interpreter in a poor state) and is replaced.

Either way the caller gets :class:`TaskFailed` with a reason fit for ``last_error`` or
``source_reason``; a task's own exceptions are raised unchanged.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import resource
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

import pebble

from worker.settings import Settings

log = logging.getLogger("worker.pool")

P = ParamSpec("P")
T = TypeVar("T")

# Exit status of a worker whose task ran out of memory (any status outside 0-2 and signals will do).
MEMORY_EXIT = 97
STOPPED = "stopped: the worker pool was shut down"

# Imported by the forkserver once, so that every worker it forks starts warm.
_PRELOAD = ["worker.pipeline.tasks"]


class TaskFailed(Exception):
    """A task was ended by its budget, or its worker process died; ``reason`` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB" if size < 2**30 else f"{size / 2**30:g} GiB"


def _init_worker(memory: int, hook: Callable[[], None] | None) -> None:
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if hook is not None:
        hook()


def _call(fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    """Runs in the worker: the task, with running out of memory turned into the worker's end."""
    try:
        return fn(*args)
    except MemoryError:
        os._exit(MEMORY_EXIT)


_context: Any = None


def _forkserver() -> Any:
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        _context = ctx
    return _context


class CpuPool:
    """Runs functions in worker processes with a deadline and a memory ceiling per task.

    ``processes=0`` runs each task in the calling process (through a thread for :meth:`run`):
    easy to debug, but with no budget. Workers are started on first use."""

    def __init__(self, processes: int, *, timeout: float, memory: int, tasks_per_process: int = 0,
                 initializer: Callable[[], None] | None = None):
        self.processes = processes
        self.timeout = timeout
        self.memory = memory
        self.tasks_per_process = tasks_per_process
        self.initializer = initializer  # also run in every worker at its start (tests inject faults)
        self._pool: pebble.ProcessPool | None = None
        self._closed = False
        self._initialized = False
        self._outstanding: set[Future[Any]] = set()

    @classmethod
    def in_process(cls) -> CpuPool:
        """Tasks run in the caller's process: for library callers that bring no pool."""
        return cls(0, timeout=0, memory=0)

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> CpuPool:
        return cls(settings.processes, timeout=settings.task_timeout, memory=settings.task_memory,
                   tasks_per_process=settings.tasks_per_process, **kwargs)

    # --- submitting -----------------------------------------------------------------------------

    def submit(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Start ``fn(*args)``; the future's result is the value or raises TaskFailed / the task's error."""
        if kwargs:
            raise TypeError("pool tasks take positional arguments only")
        if self._closed:
            raise RuntimeError("the pool is closed")
        if self.processes == 0:
            done: Future[T] = Future()
            try:
                if self.initializer is not None and not self._initialized:
                    self._initialized = True
                    self.initializer()
                done.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                done.set_exception(exc)
            return done
        outer: Future[T] = Future()
        inner = self._workers().schedule(_call, args=(fn, args), timeout=self.timeout)
        self._outstanding.add(outer)
        inner.add_done_callback(lambda f: _settle(outer, f, self.timeout, self.memory))
        outer.add_done_callback(self._settled)
        outer.add_done_callback(lambda f: inner.cancel() if f.cancelled() else None)
        return outer

    def _settled(self, future: Future[Any]) -> None:
        self._outstanding.discard(future)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args)`` in a worker, awaited without blocking the event loop. Cancelling the
        caller ends the task (and, if it was running, its worker process)."""
        if self.processes == 0:
            return await asyncio.to_thread(fn, *args, **kwargs)
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    # --- stopping -------------------------------------------------------------------------------

    def _workers(self) -> pebble.ProcessPool:
        if self._pool is None:
            self._pool = pebble.ProcessPool(
                max_workers=self.processes, max_tasks=self.tasks_per_process,
                initializer=_init_worker, initargs=(self.memory, self.initializer), context=_forkserver())
        return self._pool

    def close(self, *, wait: float | None = 0.0) -> None:
        """Stop the workers. With ``wait`` > 0, tasks already started get up to that many seconds to
        finish first; whatever still runs then is ended. No worker process outlives this call."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if wait:
            pool.close()
            with contextlib.suppress(TimeoutError):
                pool.join(timeout=wait)
        pool.stop()
        pool.join()
        for future in list(self._outstanding):  # pebble leaves the futures of ended tasks pending
            if not future.done():
                future.set_exception(TaskFailed(STOPPED))

    def __enter__(self) -> CpuPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _settle(outer: Future[T], inner: Future[T], timeout: float, memory: int) -> None:
    """Copy pebble's outcome onto the caller's future, budgets and deaths as TaskFailed."""
    if outer.done():
        return
    if inner.cancelled():
        outer.cancel()
        return
    exc = inner.exception()
    if exc is None:
        outer.set_result(inner.result())
    elif isinstance(exc, BrokenProcessPool):  # how pebble ends the tasks a stop cut short
        outer.set_exception(TaskFailed(STOPPED))
    elif isinstance(exc, concurrent.futures.TimeoutError):
        outer.set_exception(TaskFailed(f"exceeded {timeout:g} s"))
    elif isinstance(exc, pebble.ProcessExpired):
        if exc.exitcode == MEMORY_EXIT:
            outer.set_exception(TaskFailed(f"exceeded the memory ceiling of {_mib(memory)}"))
        else:
            code = exc.exitcode
            how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
            outer.set_exception(TaskFailed(f"its worker process died ({how})"))
    else:
        outer.set_exception(exc)
