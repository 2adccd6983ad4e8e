"""Re-poll throughput: N unchanged feeds on 127.0.0.1, all answered 304, with one `Worker.ingest`.

usage: uv run python bench/poll.py [--feeds 1000] [--items 2] [--concurrency 16] [--database URL]
       [--quiet-wait 300]

This is the daemon's steady state: most feeds have nothing new, so a poll is a conditional GET, a
304 and a small write to the feed's row (validators, next check, lease). The site runs in a child
process (the figures are the worker's alone): every feed is an RSS 2.0 document with an ETag whose
items link to small article pages. A first `Worker.ingest` stores the items (and fetches their
pages); a second one over the same feeds is timed — every request carries If-None-Match and gets
304. All feeds sit on one host, so the per-host limits are lifted to the global concurrency with no
delay: this measures the worker, not the politeness settings. Prints figures only; asserts nothing.
Each run also shows this process's CPU time, the site's, and "others": the cores other processes on
the machine kept busy meanwhile; before the timed re-poll the bench waits (up to
--quiet-wait seconds) for other load to stop.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from proctree import cpu_seconds, machine_busy, wait_quiet
from site_fixture import bench_settings, database_with_feeds, local_site

from worker.pipeline.runner import RunSummary, Worker
from worker.settings import redact_url


def report(label: str, summary: RunSummary, took: float, requests: int, conditional: int,
           cpu: float, site_cpu: float, others: float) -> None:
    polled = summary.feeds_ok + summary.feeds_not_modified + summary.feeds_failed
    print(f"{label}: {took:.2f} s for {polled} feeds and {summary.pages_fetched} pages = "
          f"{polled / took:.1f} feeds/s, {summary.articles_new / took:.1f} new articles/s")
    print(f"  CPU {cpu:.2f} s ({1000 * cpu / max(polled, 1):.2f} ms/feed), site CPU {site_cpu:.2f} s, "
          f"others {others:.2f} cores")
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
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--items", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file; PostgreSQL must be "
                                       "migrated first with `worker db upgrade` and should be empty)")
    ap.add_argument("--quiet-wait", type=float, default=300, metavar="SECONDS",
                    help="before the re-poll, wait up to this long for other load to stop (0: never)")
    args = ap.parse_args()
    with local_site(args.feeds, args.items, paragraphs=3) as site, tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'poll.db'}"
        settings = bench_settings(url, args.concurrency)
        db = database_with_feeds(url, site.feed_urls)
        print(f"site: {args.feeds} feeds x {args.items} items at {site.base} (child process); "
              f"concurrency {args.concurrency}; database {redact_url(url)}")
        for label in ("first run (stores items, fetches pages)", "re-poll (every feed unchanged)"):
            if label.startswith("re-poll") and args.quiet_wait > 0:
                waited, load = wait_quiet(args.quiet_wait)
                print(f"(waited {waited:.0f} s for a quiet machine; other load {load:.2f} cores)")
            busy, cpu, site_cpu = machine_busy(), time.process_time(), cpu_seconds(site.pid)
            started = time.perf_counter()
            summary = asyncio.run(Worker(settings, db).ingest(feed_urls=site.feed_urls))
            took = time.perf_counter() - started
            cpu, site_cpu = time.process_time() - cpu, cpu_seconds(site.pid) - site_cpu
            others = max(0.0, machine_busy() - busy - cpu - site_cpu) / took
            requests, conditional = site.requests_since_last()
            report(label, summary, took, requests, conditional, cpu, site_cpu, others)
        db.close()


if __name__ == "__main__":
    main()
