"""`worker run` and `worker status`."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime

from sqlalchemy import func, select

from db import queue
from db.articles import feed_rows
from db.database import Database
from db.feeds import feed_activity, totals
from db.models import Feed
from db.records import FeedPoll
from worker import metrics
from worker.commands import open_database, settings_of
from worker.daemon import Daemon
from worker.health import ListenError, MetricsServer
from worker.logs import configure_logging
from worker.output import table, to_json
from worker.pipeline.runner import FeedReport, RunSummary
from worker.settings import ConfigError, redact_url


def _record_poll(report: FeedReport, outcome: FeedPoll | None) -> None:
    metrics.POLLS.inc(outcome=report.status)
    if report.articles_new:
        metrics.ARTICLES_STORED.inc(report.articles_new, kind="new")
    if report.articles_updated:
        metrics.ARTICLES_STORED.inc(report.articles_updated, kind="updated")
    if outcome is not None and outcome.fetch_seconds is not None:
        metrics.FETCH_SECONDS.observe(outcome.fetch_seconds, kind="feed")


def _record_tick(summary: RunSummary) -> None:
    # feed-level counts were recorded per poll; what the page queue did is added here
    updated_by_pages = summary.articles_updated - sum(r.articles_updated for r in summary.feeds)
    if updated_by_pages > 0:
        metrics.ARTICLES_STORED.inc(updated_by_pages, kind="updated")
    if summary.statements_stored:
        metrics.STATEMENTS_STORED.inc(summary.statements_stored)
    for seconds in summary.page_fetch_seconds:
        metrics.FETCH_SECONDS.observe(seconds, kind="page")


def _gauges(db: Database, daemon: Daemon) -> None:
    def depth(state: str) -> float:
        with db.read() as session:
            return float(queue.queue_depth(session)[state])

    def failing() -> float:
        with db.read() as session:
            query = select(func.count()).select_from(Feed).where(Feed.error_count > 0)
            return float(session.scalar(query) or 0)

    metrics.PAGE_QUEUE_DEPTH.set_function(lambda: depth("pending"), state="pending")
    metrics.PAGE_QUEUE_DEPTH.set_function(lambda: depth("failed"), state="failed")
    metrics.FEEDS_FAILING.set_function(failing)
    metrics.UP.set_function(lambda: 1.0 if daemon.health()[0] else 0.0)


def run(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    configure_logging(settings.log_format, verbose=True)  # a daemon logs a line per feed poll
    db = open_database(settings)
    daemon = Daemon(settings, db, on_poll=_record_poll, on_tick=_record_tick)
    server = None
    try:
        if settings.metrics_addr:
            _gauges(db, daemon)
            server = MetricsServer(settings.metrics_addr, metrics.REGISTRY, daemon.health)
            try:
                server.start()
            except ListenError as exc:  # a port in use is a setting to change, not a crash
                raise ConfigError(f"metrics_addr (WORKER_METRICS_ADDR): {exc}") from None
        return asyncio.run(daemon.run())
    finally:
        if server is not None:
            server.stop()
        db.close()


ACTIVITY = {"articles": 0, "last_new_article_at": None, "pages_queued": 0, "pages_failed": 0}


def status(args: argparse.Namespace) -> int:
    db = open_database(settings_of(args), reading=True)
    try:
        with db.read() as session:
            rows, activity, total = feed_rows(session), feed_activity(session), totals(session)
    finally:
        db.close()
    for row in rows:  # every column of the feed, then what it brought
        row["url"] = redact_url(row["url"])
        row.update(activity.get(row["id"], ACTIVITY))
    if args.json:
        print(to_json({"feeds": rows, "totals": total}))
        return 0
    table([(r["id"], r["url"][:50], "yes" if r["enabled"] else "no", _when(r["last_checked_at"], "never"),
            r["last_status"] or "", r["error_count"], _when(r["next_check_at"], "now"),
            (r["disabled_reason"] or r["next_check_reason"] or "")[:50], r["articles"],
            _when(r["last_new_article_at"], ""), r["pages_queued"], r["pages_failed"]) for r in rows],
          ["id", "url", "enabled", "last poll", "outcome", "errors", "next check", "why", "articles",
           "last new", "queued", "failed"])
    t = total
    print(f"total: {t['feeds']} feeds ({t['feeds_enabled']} enabled, {t['feeds_failing']} failing), "
          f"{t['articles']} articles, pages {t['pages_queued']} queued, {t['pages_failed']} failed")
    return 0


def _when(moment: datetime | None, otherwise: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else otherwise
