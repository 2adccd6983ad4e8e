"""Re-poll throughput: N unchanged feeds on 127.0.0.1, all answered 304, with one `Worker.ingest`.

usage: uv run python bench/poll.py [--feeds 500] [--items 5] [--concurrency 16] [--database URL]

This is the daemon's steady state: most feeds have nothing new, so a poll is a conditional GET, a
304 and a small write to the feed's row (validators, next check, lease). The site runs in a child
process (the figures are the worker's alone): every feed is an RSS 2.0 document with an ETag whose
items link to small article pages. A first `Worker.ingest` stores the items (and fetches their
pages); a second one over the same feeds is timed — every request carries If-None-Match and gets
304. All feeds sit on one host, so the per-host limits are lifted to the global concurrency with no
delay: this measures the worker, not the politeness settings. Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from site_fixture import bench_settings, database_with_feeds, local_site

from worker.pipeline.runner import RunSummary, Worker
from worker.settings import redact_url


def report(label: str, summary: RunSummary, took: float, requests: int, conditional: int) -> None:
    polled = summary.feeds_ok + summary.feeds_not_modified + summary.feeds_failed
    print(f"{label}: {took:.2f} s for {polled} feeds and {summary.pages_fetched} pages = "
          f"{polled / took:.1f} feeds/s, {summary.articles_new / took:.1f} new articles/s")
    print(f"  feeds: {summary.feeds_ok} ok, {summary.feeds_not_modified} not modified (304), "
          f"{summary.feeds_failed} failed, {summary.feeds_skipped} skipped")
    print(f"  articles: {summary.articles_new} new, {summary.articles_updated} updated; "
          f"pages: {summary.pages_fetched} fetched, {summary.pages_fallback} fell back to feed text")
    print(f"  HTTP requests served: {requests} ({conditional} conditional)")
    for f in summary.feeds:
        if f.status in ("failed", "skipped"):
            print(f"  first {f.status} feed: {f.url}: {f.error}")
            break


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--items", type=int, default=5)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file; PostgreSQL must be "
                                       "migrated first with `worker db upgrade` and should be empty)")
    args = ap.parse_args()
    with local_site(args.feeds, args.items, paragraphs=3) as site, tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'poll.db'}"
        settings = bench_settings(url, args.concurrency)
        db = database_with_feeds(url, site.feed_urls)
        print(f"site: {args.feeds} feeds x {args.items} items at {site.base} (child process); "
              f"concurrency {args.concurrency}; database {redact_url(url)}")
        for label in ("first run (stores items, fetches pages)", "re-poll (every feed unchanged)"):
            started = time.perf_counter()
            summary = asyncio.run(Worker(settings, db).ingest(feed_urls=site.feed_urls))
            took = time.perf_counter() - started
            requests, conditional = site.requests_since_last()
            report(label, summary, took, requests, conditional)
        db.close()


if __name__ == "__main__":
    main()
