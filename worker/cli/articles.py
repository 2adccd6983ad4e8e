"""`worker articles`: list stored articles with their URL and feed, as a table, JSON, JSON lines or CSV."""

from __future__ import annotations

import argparse
import sys

from db.articles import ARTICLE_COLUMNS, FEED_FIELDS, list_articles
from worker.cli.arguments import feed_url, settings_for
from worker.cli.database import open_db
from worker.formats import chosen_format, write_rows
from worker.output import short_feed, table


def articles(args: argparse.Namespace) -> int:
    fmt = chosen_format(args)
    feed = feed_url(args.feed) if args.feed else None
    with open_db(settings_for(args), reading=True) as db, db.read() as session:
        rows = list_articles(session, feed_url=feed, since=args.since, stored_after=args.stored_since,
                             limit=args.limit, category=args.category)
    if fmt is not None:
        write_rows(rows, fmt, sys.stdout, (*ARTICLE_COLUMNS, *FEED_FIELDS))
    else:
        table([(r["id"], r["published_at"].strftime("%Y-%m-%d %H:%M") if r["published_at"] else "",
                r["source"], len(r["text"]), short_feed(r), (r["title"] or "")[:60], r["url"]) for r in rows],
              ["id", "published", "source", "chars", "feed", "title", "url"])
    return 0
