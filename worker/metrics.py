"""Process metrics for `worker run`, kept with `prometheus-client` in a registry of each daemon's own.

Each :class:`Metrics` has its own ``CollectorRegistry`` rather than the library's global one, so two
daemons in one process, and tests, never share a series. The metrics below are an interface
(dashboards and alerts use their names, labels and label values), so they change only with a note in
the changelog.

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

The database gauges are read in one read transaction per scrape (deferred on SQLite: it never takes
the write lock, so a scrape goes on while a poll writes). If that read, or the health check, fails,
its samples are left out of that scrape (and the reason logged) rather than failing the whole scrape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily

from db.database import Database
from db.status import backlog
from worker.pipeline.poll import PollOutcome
from worker.pipeline.runner import FeedReport, RunSummary

log = logging.getLogger("worker.metrics")

# The text format 0.0.4 has no `_created` series; the library would add one per counter and histogram
# series as extra gauges, which no dashboard of ours reads. The switch is the library's, process-wide.
disable_created_metrics()

# Our names and labels are plain ASCII, so `generate_latest` writes text that 0.0.4 and 1.0.0 agree on;
# the older content type is the one every Prometheus version takes.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HealthCheck = Callable[[], tuple[bool, str]]


class _ScrapeTimeGauges:
    """The gauges read at each scrape: the database's counts (one read transaction) and ``worker_up``.
    Until :meth:`watch` is called they have no samples."""

    def __init__(self) -> None:
        self._db: Database | None = None
        self._health: HealthCheck | None = None

    def watch(self, db: Database, health: HealthCheck) -> None:
        self._db, self._health = db, health

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return self._families()  # names only: registering must not query the database

    def collect(self) -> Iterable[GaugeMetricFamily]:
        depth, failing, up = families = self._families()
        if self._db is not None:
            try:
                with self._db.read() as session:
                    counts = backlog(session)
            except Exception as exc:
                log.warning("metrics: reading the page queue and feeds failed: %s: %s",
                            exc.__class__.__name__, exc)
            else:
                depth.add_metric(["pending"], counts.pages_pending)
                depth.add_metric(["failed"], counts.pages_failed)
                failing.add_metric([], counts.feeds_failing)
        if self._health is not None:
            try:
                up.add_metric([], 1.0 if self._health()[0] else 0.0)
            except Exception as exc:
                log.warning("metrics: the health check failed: %s: %s", exc.__class__.__name__, exc)
        return families

    @staticmethod
    def _families() -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily("worker_page_queue_depth", "Page jobs in the queue by state.",
                              labels=["state"]),
            GaugeMetricFamily("worker_feeds_failing", "Feeds whose last polls failed (error_count > 0)."),
            GaugeMetricFamily("worker_up",
                              "1 while the daemon is healthy: its scheduler runs, the database answers."),
        ]


class Metrics:
    """One daemon's metrics: ``record_poll`` and ``record_tick`` are the daemon's hooks, ``watch``
    wires the scrape-time gauges; ``/metrics`` serves ``generate_latest(registry)``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.polls = Counter("worker_polls_total", "Feed polls by outcome.", ["outcome"],
                             registry=self.registry)
        for outcome in ("ok", "not_modified", "failed", "skipped"):
            self.polls.labels(outcome=outcome)  # exported at 0 before its first event: rate() sees it start
        self.articles_stored = Counter("worker_articles_stored_total", "Articles stored, new or updated.",
                                       ["kind"], registry=self.registry)
        for kind in ("new", "updated"):
            self.articles_stored.labels(kind=kind)
        self.statements_stored = Counter("worker_statements_stored_total",
                                         "Statements stored with new or changed articles.",
                                         registry=self.registry)
        self.fetch_seconds = Histogram("worker_fetch_seconds", "Time of one HTTP fetch, body included.",
                                       ["kind"], buckets=FETCH_BUCKETS, registry=self.registry)
        for kind in ("feed", "page"):
            self.fetch_seconds.labels(kind=kind)
        self._gauges = _ScrapeTimeGauges()
        self.registry.register(self._gauges)

    def watch(self, db: Database, health: HealthCheck) -> None:
        """Read the queue and feed gauges from ``db``, and ``worker_up`` from ``health``, at each scrape."""
        self._gauges.watch(db, health)

    def record_poll(self, report: FeedReport, outcome: PollOutcome | None) -> None:
        """The daemon's ``on_poll`` hook: one stored poll or skip."""
        self.polls.labels(outcome=report.status).inc()
        if report.articles_new:
            self.articles_stored.labels(kind="new").inc(report.articles_new)
        if report.articles_updated:
            self.articles_stored.labels(kind="updated").inc(report.articles_updated)
        if outcome is not None and outcome.fetch_seconds is not None:
            self.fetch_seconds.labels(kind="feed").observe(outcome.fetch_seconds)

    def record_tick(self, summary: RunSummary) -> None:
        """The daemon's ``on_tick`` hook: what the page drain did since the last report."""
        # feed-level counts were recorded per poll; what the page queue did is added here
        updated_by_pages = summary.articles_updated - sum(r.articles_updated for r in summary.feeds)
        if updated_by_pages > 0:
            self.articles_stored.labels(kind="updated").inc(updated_by_pages)
        if summary.statements_stored:
            self.statements_stored.inc(summary.statements_stored)
        for seconds in summary.page_fetch_seconds:
            self.fetch_seconds.labels(kind="page").observe(seconds)
