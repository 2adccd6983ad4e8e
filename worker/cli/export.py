"""`worker export`: every article with its statements, streamed to stdout.

``--format jsonl`` (the default): one line per article, its columns (EXPORT_ARTICLE_COLUMNS), its
first feed (``feed_url``, ``feed_title``) and ``statements``, a list of objects (EXPORT_STATEMENT_COLUMNS).

``--format csv``: one row per statement, the article's columns first (without its text: the
statement offsets index into it, so take it from the JSON lines or the database when needed),
then ``statement_id`` and the statement's columns; an article without statements is one row with
the statement columns empty, so every article is there.

Articles are read a batch at a time in one read transaction (db/export.py): memory stays flat
however many there are (bench/export.py measures it on 100,000).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import closing
from typing import Any

from db.articles import FEED_FIELDS
from db.export import EXPORT_ARTICLE_COLUMNS, EXPORT_STATEMENT_COLUMNS, count_export, export_articles
from worker.cli.arguments import feed_url, settings_for
from worker.cli.database import open_db
from worker.formats import RowWriter
from worker.progress import make_progress

CSV_ARTICLE_COLUMNS = tuple(f"article_{c}" if c == "id" else c for c in EXPORT_ARTICLE_COLUMNS
                            if c != "text") + FEED_FIELDS
CSV_STATEMENT_COLUMNS = tuple("statement_id" if c == "id" else c for c in EXPORT_STATEMENT_COLUMNS)
CSV_COLUMNS = CSV_ARTICLE_COLUMNS + CSV_STATEMENT_COLUMNS
JSONL_COLUMNS = (*EXPORT_ARTICLE_COLUMNS, *FEED_FIELDS, "statements")


def csv_rows(article: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The CSV rows of one exported article: one per statement, or one with no statement."""
    head = {("article_id" if k == "id" else k): v for k, v in article.items()
            if k not in ("text", "statements")}
    said = article["statements"]
    if not said:
        yield head
    for statement in said:
        yield {**head, **{("statement_id" if k == "id" else k): v for k, v in statement.items()}}


def export(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    feed = feed_url(args.feed) if args.feed else None
    filters: dict[str, Any] = {"since": args.since, "stored_after": args.stored_since, "feed_url": feed}
    columns = CSV_COLUMNS if args.format == "csv" else JSONL_COLUMNS
    with (open_db(settings, reading=True) as db,
          closing(make_progress(quiet=args.quiet, interval=settings.progress_interval)) as progress,
          db.read() as session):
        progress.expect("articles", count_export(session, **filters))
        writer = RowWriter(args.format, sys.stdout, columns)
        for article in export_articles(session, **filters):
            if args.format == "csv":
                for row in csv_rows(article):
                    writer.write(row)
            else:
                writer.write(article)
            progress.advance("articles")
        writer.close()
    return 0
