"""`worker ingest`: poll feeds once, then work the page queue until nothing is due."""

from __future__ import annotations

import argparse
import asyncio
from contextlib import closing

from db.database import Database
from db.feeds import add_feed, category_feeds
from worker.cli.arguments import UsageError, settings_for
from worker.cli.database import open_db
from worker.locations import BadLocation, feed_location
from worker.output import counted, to_json
from worker.pipeline.runner import FeedReport, RunSummary, Worker, add_failure
from worker.progress import make_progress


def ingest(args: argparse.Namespace) -> int:
    if args.category is not None and args.feed:
        raise UsageError("give --feed or --category, not both")
    settings = settings_for(args)
    with open_db(settings) as db:
        rejected: list[FeedReport] = []
        urls: list[str] | None = None
        if args.category is not None:
            urls = _enabled_in(db, args.category)
        elif args.feed:
            urls = []
            with db.transaction() as session:
                for text in args.feed:
                    try:
                        url = feed_location(text)
                    except BadLocation as exc:  # reported with the failed feeds; the others are polled
                        rejected.append(FeedReport(url=text, status="failed", error=str(exc)))
                        continue
                    add_feed(session, url)
                    urls.append(url)
        with closing(make_progress(quiet=args.quiet, interval=settings.progress_interval)) as progress:
            worker = Worker(settings, db, progress=progress)
            summary = asyncio.run(worker.ingest(feed_urls=urls, due_only=args.due, force=args.force))
    summary.feeds_failed += len(rejected)
    summary.feeds = rejected + summary.feeds
    for report in rejected:
        add_failure(summary.failed_feeds, report.error or "rejected", report.url)
    summary.sort_failures()
    print_summary(summary, as_json=args.json)
    return 0


def _enabled_in(db: Database, category: str) -> list[str]:
    """The enabled feeds of a category (or below it), for `ingest --category`."""
    with db.read() as session:
        feeds = category_feeds(session, category)
    if not feeds:
        raise UsageError(f"no feeds in category {category!r} (`worker feeds list` shows the categories)")
    return [url for url, enabled in feeds if enabled]


def print_summary(summary: RunSummary, *, as_json: bool) -> None:
    """What a run did: counts, then the skipped feeds and the failures grouped by reason."""
    if as_json:
        print(to_json(summary.to_dict()))
        return
    skipped = f", {summary.feeds_skipped} skipped" if summary.feeds_skipped else ""
    lines = [f"feeds: {summary.feeds_ok} ok, {summary.feeds_not_modified} not modified, "
             f"{summary.feeds_failed} failed{skipped}",
             f"articles: {summary.articles_new} new, {summary.articles_updated} updated "
             f"({summary.pages_fetched} from pages, {summary.pages_fallback} from feed text)"]
    lines += counted([
        (summary.pages_retrying,
         f"pages: {summary.pages_retrying} to retry later (worker run or a later ingest)"),
        (summary.pages_held_elsewhere,
         f"pages: {summary.pages_held_elsewhere} due but left to the other live workers holding them"),
    ])
    lines += [f"skipped: {report.url}: {report.error}"
              for report in summary.feeds if report.status == "skipped"]
    for what, groups in (("feeds", summary.failed_feeds), ("pages", summary.failed_pages)):
        if groups:
            lines.append(f"failed {what}, by reason:")
        for reason, group in groups.items():
            more = f" (and {group.count - len(group.urls)} more)" if group.count > len(group.urls) else ""
            lines.append(f"  {group.count:>5}  {reason}: {', '.join(group.urls)}{more}")
    print("\n".join(lines))
