"""Process metrics for `worker run`, rendered in the Prometheus text exposition format 0.0.4.

A dependency-free, thread-safe registry of counters, gauges and histograms. The metrics below live
in the module-level :data:`REGISTRY`; their names, labels and label values are an interface
(dashboards and alerts use them), so they change only with a note in the changelog.

``worker_polls_total{outcome}`` (counter)
    Feed polls by outcome: ``ok`` (new content parsed), ``not_modified`` (304), ``failed`` (the
    error is on the feed's row) and ``skipped`` (the server asked us to wait, or another worker
    holds the feed).
``worker_articles_stored_total{kind}`` (counter)
    Articles written: ``new`` (a canonical URL seen for the first time) and ``updated`` (changed
    text, or a page that replaced the feed's text).
``worker_statements_stored_total`` (counter)
    Statements (who said what) stored with new or changed articles.
``worker_fetch_seconds{kind}`` (histogram)
    Time of one HTTP fetch, redirects and body included, by ``kind``: ``feed`` or ``page``.
    Buckets: 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 and 30 seconds (30 s is the default
    ``fetch_timeout``).
``worker_page_queue_depth{state}`` (gauge)
    Jobs in the page queue that are ``pending`` (waiting, or retrying after a failure) or
    ``failed`` (given up after ``page_retry_limit`` attempts), read from the database at scrape time.
``worker_feeds_failing`` (gauge)
    Feeds whose last poll failed (``feeds.error_count > 0``), read from the database at scrape time.
``worker_up`` (gauge)
    1 while the daemon is healthy (what ``/healthz`` reports: its scheduler runs and the database
    answers), else 0. A process that is gone is not scraped at all: alert on Prometheus' ``up`` too.

Usage::

    from worker import metrics
    metrics.POLLS.inc(outcome="ok")
    metrics.FETCH_SECONDS.observe(0.42, kind="feed")
    metrics.FEEDS_FAILING.set_function(count_failing_feeds)   # evaluated at every scrape
    text = metrics.REGISTRY.render()

A gauge callback that raises leaves its sample out of that scrape (and logs why) rather than
failing the whole scrape.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

log = logging.getLogger("worker.metrics")

PREFIX = "worker_"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

LabelValues = tuple[str, ...]


def format_value(value: float) -> str:
    """A sample value as Prometheus writes it: ``3``, ``0.25``, ``+Inf``, ``-Inf``, ``NaN``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _labels_text(names: Sequence[str], values: Sequence[str]) -> str:
    if not names:
        return ""
    return "{" + ",".join(f'{n}="{escape_label(v)}"' for n, v in zip(names, values, strict=True)) + "}"


class _Metric:
    kind = ""

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        if not _NAME.match(name):
            raise ValueError(f"invalid metric name {name!r}")
        for label in labels:
            if not _LABEL.match(label) or label.startswith("__"):
                raise ValueError(f"invalid label name {label!r} on {name}")
        if len(set(labels)) != len(labels):
            raise ValueError(f"duplicate label names on {name}")
        self.name = name
        self.help = help
        self.label_names: tuple[str, ...] = tuple(labels)
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> LabelValues:
        if set(labels) != set(self.label_names):
            want = ", ".join(self.label_names) or "no labels"
            raise ValueError(f"{self.name} takes {want}; got {', '.join(sorted(labels)) or 'no labels'}")
        return tuple(str(labels[n]) for n in self.label_names)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]

    def samples(self) -> list[str]:
        raise NotImplementedError


class Counter(_Metric):
    """A value that only goes up: ``inc(outcome="ok")``, ``inc(3, kind="new")``."""

    kind = "counter"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help, labels)
        self._values: dict[LabelValues, float] = {} if labels else {(): 0.0}

    def declare(self, **labels: str) -> None:
        """Export this series at 0 before its first event (so rate() sees it start)."""
        key = self._key(labels)
        with self._lock:
            self._values.setdefault(key, 0.0)

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError(f"{self.name}: a counter cannot go down (inc by {amount})")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        key = self._key(labels)
        with self._lock:
            return self._values.get(key, 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels_text(self.label_names, k)} {format_value(v)}" for k, v in items]


class Gauge(_Metric):
    """A value that goes up and down: ``set``, ``inc``, ``dec``, or ``set_function`` (read at scrape)."""

    kind = "gauge"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help, labels)
        self._values: dict[LabelValues, float] = {} if labels else {(): 0.0}
        self._functions: dict[LabelValues, Callable[[], float]] = {}

    def set(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._functions.pop(key, None)
            self._values[key] = float(value)

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._functions.pop(key, None)
            self._values[key] = self._values.get(key, 0.0) + amount

    def set_function(self, fn: Callable[[], float], **labels: str) -> None:
        """Evaluate ``fn`` at every scrape for this series (instead of a stored value)."""
        key = self._key(labels)
        with self._lock:
            self._values.pop(key, None)
            self._functions[key] = fn

    def value(self, **labels: str) -> float:
        key = self._key(labels)
        with self._lock:
            fn = self._functions.get(key)
            stored = self._values.get(key, 0.0)
        return float(fn()) if fn is not None else stored

    def samples(self) -> list[str]:
        with self._lock:
            values = dict(self._values)
            functions = dict(self._functions)
        for key, fn in functions.items():  # outside the lock: a callback may be slow (a query)
            try:
                values[key] = float(fn())
            except Exception as exc:
                log.warning("metric %s%s: callback failed: %s: %s", self.name,
                            _labels_text(self.label_names, key), exc.__class__.__name__, exc)
        return [f"{self.name}{_labels_text(self.label_names, k)} {format_value(v)}"
                for k, v in sorted(values.items())]


class _Series:
    __slots__ = ("counts", "sum")

    def __init__(self, buckets: int) -> None:
        self.counts = [0] * (buckets + 1)  # per bucket, not cumulative; the last one is +Inf
        self.sum = 0.0


class Histogram(_Metric):
    """Observations counted in fixed buckets (upper bounds, ``+Inf`` added): ``observe(0.3, kind="feed")``."""

    kind = "histogram"

    def __init__(self, name: str, help: str, buckets: Sequence[float], labels: Sequence[str] = ()) -> None:
        if "le" in labels:
            raise ValueError(f"{name}: 'le' is reserved for histogram buckets")
        super().__init__(name, help, labels)
        bounds = [float(b) for b in buckets if not math.isinf(b)]
        if not bounds or any(a >= b for a, b in itertools.pairwise(bounds)):
            raise ValueError(f"{name}: buckets must be increasing and not empty")
        self.buckets: tuple[float, ...] = tuple(bounds)
        self._series: dict[LabelValues, _Series] = {} if labels else {(): _Series(len(bounds))}

    def declare(self, **labels: str) -> None:
        """Export this series (all buckets at 0) before its first observation."""
        key = self._key(labels)
        with self._lock:
            self._series.setdefault(key, _Series(len(self.buckets)))

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        index = bisect.bisect_left(self.buckets, value)  # le is inclusive: value == bound counts there
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _Series(len(self.buckets))
            series.counts[index] += 1
            series.sum += value

    @contextmanager
    def time(self, **labels: str) -> Iterator[None]:
        """Observe the seconds the ``with`` block takes (also when it raises)."""
        self._key(labels)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.observe(time.perf_counter() - started, **labels)

    def count(self, **labels: str) -> int:
        key = self._key(labels)
        with self._lock:
            series = self._series.get(key)
            return sum(series.counts) if series else 0

    def samples(self) -> list[str]:
        with self._lock:
            snapshot = sorted((k, list(s.counts), s.sum) for k, s in self._series.items())
        names = (*self.label_names, "le")
        lines = []
        for key, counts, total in snapshot:
            cumulative = 0
            for bound, n in zip((*self.buckets, math.inf), counts, strict=True):
                cumulative += n
                lines.append(f"{self.name}_bucket{_labels_text(names, (*key, format_value(bound)))} "
                             f"{cumulative}")
            labels = _labels_text(self.label_names, key)
            lines.append(f"{self.name}_sum{labels} {format_value(total)}")
            lines.append(f"{self.name}_count{labels} {cumulative}")
        return lines


M = TypeVar("M", bound=_Metric)


class Registry:
    """Metrics by name, rendered in registration order. Every name must start with ``prefix``."""

    def __init__(self, prefix: str = PREFIX) -> None:
        self.prefix = prefix
        self._metrics: dict[str, _Metric] = {}
        self._lock = threading.Lock()

    def _add(self, metric: M) -> M:
        if not metric.name.startswith(self.prefix):
            raise ValueError(f"metric {metric.name!r} must start with {self.prefix!r}")
        with self._lock:
            if metric.name in self._metrics:
                raise ValueError(f"metric {metric.name!r} is already registered")
            self._metrics[metric.name] = metric
        return metric

    def counter(self, name: str, help: str, labels: Sequence[str] = ()) -> Counter:
        return self._add(Counter(name, help, labels))

    def gauge(self, name: str, help: str, labels: Sequence[str] = ()) -> Gauge:
        return self._add(Gauge(name, help, labels))

    def histogram(self, name: str, help: str, buckets: Sequence[float],
                  labels: Sequence[str] = ()) -> Histogram:
        return self._add(Histogram(name, help, buckets, labels))

    def get(self, name: str) -> _Metric:
        with self._lock:
            return self._metrics[name]

    def render(self) -> str:
        """Every metric as Prometheus text format 0.0.4 (ends with a newline)."""
        with self._lock:
            metrics = list(self._metrics.values())
        lines: list[str] = []
        for metric in metrics:
            lines += metric.header()
            lines += metric.samples()
        return "\n".join(lines) + "\n" if lines else ""


FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REGISTRY = Registry()

POLLS = REGISTRY.counter("worker_polls_total", "Feed polls by outcome.", ["outcome"])
for _outcome in ("ok", "not_modified", "failed", "skipped"):
    POLLS.declare(outcome=_outcome)
ARTICLES_STORED = REGISTRY.counter("worker_articles_stored_total", "Articles stored, new or updated.",
                                   ["kind"])
for _kind in ("new", "updated"):
    ARTICLES_STORED.declare(kind=_kind)
STATEMENTS_STORED = REGISTRY.counter("worker_statements_stored_total",
                                     "Statements stored with new or changed articles.")
FETCH_SECONDS = REGISTRY.histogram("worker_fetch_seconds", "Time of one HTTP fetch, body included.",
                                   FETCH_BUCKETS, ["kind"])
for _kind in ("feed", "page"):
    FETCH_SECONDS.declare(kind=_kind)
PAGE_QUEUE_DEPTH = REGISTRY.gauge("worker_page_queue_depth", "Page jobs in the queue by state.", ["state"])
FEEDS_FAILING = REGISTRY.gauge("worker_feeds_failing", "Feeds whose last polls failed (error_count > 0).")
UP = REGISTRY.gauge("worker_up", "1 while the daemon is healthy: its scheduler runs, the database answers.")

__all__ = [
    "ARTICLES_STORED",
    "CONTENT_TYPE",
    "FEEDS_FAILING",
    "FETCH_BUCKETS",
    "FETCH_SECONDS",
    "PAGE_QUEUE_DEPTH",
    "POLLS",
    "REGISTRY",
    "STATEMENTS_STORED",
    "UP",
    "Counter",
    "Gauge",
    "Histogram",
    "Registry",
]
