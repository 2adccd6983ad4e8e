"""`worker run` and `worker status`."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime

from db.articles import feed_rows
from db.feeds import feed_activity, totals
from worker.cli.arguments import settings_for
from worker.cli.database import open_db
from worker.daemon import Daemon
from worker.health import ListenError, MetricsServer
from worker.logs import configure_logging
from worker.metrics import Metrics
from worker.output import table, to_json
from worker.settings import ConfigError, redact_url


def run(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    configure_logging(settings.log_format, verbose=True)  # a daemon logs a line per feed poll
    with open_db(settings) as db:
        metrics = Metrics()
        daemon = Daemon(settings, db, on_poll=metrics.record_poll, on_tick=metrics.record_tick)
        server = None
        try:
            if settings.metrics_addr:
                metrics.watch(db, daemon.health)
                server = MetricsServer(settings.metrics_addr, metrics.registry, daemon.health)
                try:
                    server.start()
                except ListenError as exc:  # a port in use is a setting to change, not a crash
                    raise ConfigError(f"metrics_addr (WORKER_METRICS_ADDR): {exc}") from None
            return asyncio.run(daemon.run())
        finally:
            if server is not None:
                server.stop()


ACTIVITY = {"articles": 0, "last_new_article_at": None, "pages_queued": 0, "pages_failed": 0}


def status(args: argparse.Namespace) -> int:
    with open_db(settings_for(args), reading=True) as db, db.read() as session:
        rows, activity, total = feed_rows(session), feed_activity(session), totals(session)
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
