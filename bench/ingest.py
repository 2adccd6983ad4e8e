"""Ingest throughput: N feeds x M items served on 127.0.0.1, one `Worker.ingest` run.

usage: uv run python bench/ingest.py [--feeds 40] [--items 50] [--real-share 1 | --synthetic]
       [--database URL] [--concurrency 16]

In-process (`Worker.ingest`); bench/pipeline.py measures the `worker ingest` CLI against the naive
loop and `worker extract --jsonl` instead. The site runs in a child process (so the figures are the
worker's alone): every feed is an RSS 2.0 document whose items link to distinct article pages, real
news pages by default (bench/site_fixture.py), synthetic ~5 kB ones with --synthetic. All of it
sits on one host, so the per-host limits would serialise the run; they are lifted to the global
concurrency and no delay, which measures the pipeline rather than the politeness settings. Prints
wall time, articles per second, pages per second and the worker process's peak resident memory. A
second run over the same database shows the cost of an all-known poll (conditional requests, no
page fetched).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

from site_fixture import bench_settings, database_with_feeds, local_site

from worker.pipeline.runner import Worker


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--feeds", type=int, default=40)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--real-share", type=float, default=1.0, help="share of real news pages (default 1)")
    ap.add_argument("--synthetic", action="store_true", help="synthetic pages only (--real-share 0)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file; PostgreSQL must be "
                                       "migrated first with `worker db upgrade`)")
    args = ap.parse_args()
    share = 0.0 if args.synthetic else args.real_share
    with local_site(args.feeds, args.items, real_share=share) as site, tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = bench_settings(url, args.concurrency)
        db = database_with_feeds(url, site.feed_urls)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for label in ("first run", "second run"):
            started = time.perf_counter()
            summary = asyncio.run(Worker(settings, db).ingest(feed_urls=site.feed_urls))
            took = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{label}: {args.feeds} feeds x {args.items} items in {took:.2f} s; "
                  f"{summary.articles_new} new articles ({summary.articles_new / took:.1f}/s), "
                  f"{summary.pages_fetched} pages fetched, {summary.feeds_failed} feeds failed; "
                  f"peak RSS {peak:.0f} MiB (before ingest {rss_before:.0f} MiB)")
        db.close()


if __name__ == "__main__":
    main()
