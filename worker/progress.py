"""Progress of a long command (ingest, reparse, export) on stderr.

On a terminal: a live bar per task (feeds, pages, articles) with counts, rate and ETA, drawn by
`rich`. Not on a terminal (a log file, a pipe, cron): one plain line every ``interval`` seconds,
``feeds 12/40 (3.1/s, ETA 9s) | pages 50/120 (8.0/s, ETA 9s)``, and a last one at the end if any
was written. ``--quiet``: nothing. The pipeline calls these through worker/pipeline/progress.py.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from worker.pipeline.progress import NO_PROGRESS, Progress


@dataclass
class _Count:
    total: int = 0
    done: int = 0
    started: float = field(default=0.0)
    last: float = field(default=0.0)  # when the last unit was done

    def rate(self) -> float | None:
        """Units per second while the task was worked (a finished task keeps its rate)."""
        elapsed = self.last - self.started
        return self.done / elapsed if self.done and elapsed > 0 else None


def _eta(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class LineProgress(Progress):
    """One line on ``stream`` at most every ``interval`` seconds, when something advanced."""

    def __init__(self, stream: TextIO, interval: float, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.tasks: dict[str, _Count] = {}
        self.lines = 0
        self._last = clock()
        self._lock = threading.Lock()

    def _task(self, name: str) -> _Count:
        if name not in self.tasks:
            self.tasks[name] = _Count(started=self.clock())
        return self.tasks[name]

    def expect(self, task: str, n: int) -> None:
        with self._lock:
            self._task(task).total += n

    def advance(self, task: str, n: int = 1) -> None:
        with self._lock:
            count = self._task(task)
            now = self.clock()
            count.done += n
            count.total = max(count.total, count.done)
            count.last = now
            if now - self._last >= self.interval:
                self._write(now)

    def line(self, now: float) -> str:
        parts = []
        for name, count in self.tasks.items():
            part = f"{name} {count.done}/{count.total}"
            rate = count.rate()
            if rate is not None:
                left = count.total - count.done
                part += f" ({rate:.1f}/s" + (f", ETA {_eta(left / rate)})" if left else ")")
            parts.append(part)
        return " | ".join(parts)

    def _write(self, now: float) -> None:
        self._last = now
        self.lines += 1
        self.stream.write(f"progress: {self.line(now)}\n")
        self.stream.flush()

    def close(self) -> None:
        with self._lock:
            if self.lines:  # a run long enough to report says where it ended
                self._write(self.clock())


class BarProgress(Progress):
    """Live bars on a terminal, one per task, drawn by rich."""

    def __init__(self, stream: TextIO):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self.bars = RichProgress(
            TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(),
            console=Console(file=stream), transient=False, redirect_stdout=False, redirect_stderr=False)
        self.ids: dict[str, Any] = {}
        self.counts: dict[str, _Count] = {}
        self._lock = threading.Lock()
        self._moved = self._logs_above(stream)
        self.bars.start()

    def _logs_above(self, stream: TextIO) -> list[tuple[logging.StreamHandler[Any], Any]]:
        """Log lines (-v) meant for ``stream`` are printed above the bars instead of through them."""
        from rich.file_proxy import FileProxy

        moved = []
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is stream:
                moved.append((handler, handler.setStream(FileProxy(self.bars.console, stream))))
        return moved

    def _show(self, task: str) -> None:
        count = self.counts.get(task)
        if count is None:
            count = self.counts[task] = _Count(started=time.monotonic())
            self.ids[task] = self.bars.add_task(task, total=0, rate="")
        rate = count.rate()
        self.bars.update(self.ids[task], total=count.total, completed=count.done,
                         rate=f"{rate:.1f}/s" if rate is not None else "")

    def expect(self, task: str, n: int) -> None:
        with self._lock:
            self._show(task)
            self.counts[task].total += n
            self._show(task)

    def advance(self, task: str, n: int = 1) -> None:
        with self._lock:
            self._show(task)
            count = self.counts[task]
            count.done += n
            count.total = max(count.total, count.done)
            count.last = time.monotonic()
            self._show(task)

    def close(self) -> None:
        self.bars.stop()
        for handler, stream in self._moved:
            handler.flush()
            handler.setStream(stream)


def make_progress(*, quiet: bool, interval: float, stream: TextIO | None = None) -> Progress:
    """The display for this command line: none with --quiet, bars on a terminal, lines otherwise."""
    stream = stream if stream is not None else sys.stderr
    if quiet:
        return NO_PROGRESS
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return BarProgress(stream)
    return LineProgress(stream, interval)
