"""`worker run` and `worker status`."""

from __future__ import annotations

import argparse
import asyncio

from db.feeds import feed_health
from worker.commands import open_database, settings_of
from worker.daemon import Daemon
from worker.output import table, to_json
from worker.settings import redact_url


def run(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    db = open_database(settings)
    try:
        return asyncio.run(Daemon(settings, db).run())
    finally:
        db.close()


def status(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    db = open_database(settings)
    try:
        with db.transaction() as session:
            rows = feed_health(session)
    finally:
        db.close()
    for row in rows:
        row["url"] = redact_url(row["url"])
    if args.json:
        print(to_json(rows))
        return 0
    table([(r["id"], r["url"][:60], "yes" if r["enabled"] else "no",
            r["last_checked_at"].strftime("%Y-%m-%d %H:%M") if r["last_checked_at"] else "never",
            r["last_status"] or "", r["error_count"],
            r["next_check_at"].strftime("%Y-%m-%d %H:%M") if r["next_check_at"] else "now",
            (r["disabled_reason"] or r["next_check_reason"] or "")[:60]) for r in rows],
          ["id", "url", "enabled", "last poll", "outcome", "errors", "next check", "why"])
    return 0
