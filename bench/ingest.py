"""Ingest throughput: N feeds x M items served on 127.0.0.1, one `Worker.ingest` run.

usage: uv run python bench/ingest.py [--feeds 20] [--items 25] [--database URL] [--concurrency 16]

The site runs in a child process (so the figures are the worker's alone): every feed is an RSS 2.0
document whose items link to distinct ~5 kB article pages. All of it sits on one host, so the
per-host limits would serialise the run; they are lifted to the global concurrency and no delay,
which measures the pipeline rather than the politeness settings. Prints wall time, articles per
second, pages per second and the worker process's peak resident memory. A second run over the same
database shows the cost of an all-known poll (conditional requests, no page fetched).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from server import serve  # noqa: E402

from db.database import Database  # noqa: E402
from db.feeds import add_feed  # noqa: E402
from worker.pipeline.runner import Worker  # noqa: E402
from worker.settings import settings_with  # noqa: E402

PARAGRAPH = ("The council met on Tuesday evening to discuss the proposal, which would change how the "
             "district allocates money for repairs, and several members asked for more detail on the "
             "costs before the final vote. ")


def page(feed: int, item: int) -> str:
    body = "".join(f"<p>{PARAGRAPH * 2}Paragraph {n} of story {feed}-{item}.</p>" for n in range(12))
    return (f"<!doctype html><html lang=\"en\"><head><title>Story {feed}-{item}</title>"
            f"<meta name=\"author\" content=\"Desk {feed}\"></head><body><nav><a href=\"/\">Home</a>"
            f"<a href=\"/world\">World</a></nav><article><h1>Story {feed}-{item}</h1>{body}</article>"
            f"<aside><h3>Related posts</h3><ul><li><a href=\"/x\">Other story</a></li></ul></aside>"
            f"<footer>Copyright</footer></body></html>")


def feed(base: str, n: int, items: int) -> str:
    entries = "".join(
        f"<item><guid>story-{n}-{i}</guid><title>Story {n}-{i}</title>"
        f"<link>{base}/story/{n}/{i}?utm_source=rss</link><description>Summary {n}-{i}</description>"
        f"<pubDate>Sun, 01 Mar 2026 09:{i % 60:02d}:00 GMT</pubDate></item>"
        for i in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}</title>'
            f"<link>{base}/</link><description>bench</description>{entries}</channel></rss>")


def run_site(feeds: int, items: int, conn: multiprocessing.connection.Connection) -> None:
    with serve() as site:
        base = site.url("")
        for n in range(feeds):
            site.add(f"/feed/{n}.xml", feed(base, n, items),
                     headers={"Content-Type": "application/rss+xml", "ETag": f'"feed-{n}"'})
            for i in range(items):
                site.add(f"/story/{n}/{i}", page(n, i), headers={"Content-Type": "text/html; charset=utf-8"})
        conn.send(base)
        conn.recv()  # wait until the parent is done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=20)
    ap.add_argument("--items", type=int, default=25)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file; PostgreSQL must be "
                                       "migrated first with `worker db upgrade`)")
    args = ap.parse_args()

    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("fork").Process(target=run_site, args=(args.feeds, args.items, child))
    proc.start()
    base = parent.recv()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = settings_with(database_url=url, allowed_networks="127.0.0.0/8", per_host_delay=0.0,
                                 concurrency=args.concurrency, per_host_concurrency=args.concurrency)
        db = Database.open(url)
        feed_urls = [f"{base}/feed/{n}.xml" for n in range(args.feeds)]
        with db.transaction() as session:
            for f in feed_urls:
                add_feed(session, f)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for label in ("first run", "second run"):
            started = time.perf_counter()
            summary = asyncio.run(Worker(settings, db).ingest(feed_urls=feed_urls))
            took = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{label}: {args.feeds} feeds x {args.items} items in {took:.2f} s; "
                  f"{summary.articles_new} new articles ({summary.articles_new / took:.1f}/s), "
                  f"{summary.pages_fetched} pages fetched, {summary.feeds_failed} feeds failed; "
                  f"peak RSS {peak:.0f} MiB (before ingest {rss_before:.0f} MiB)")
        db.close()
    parent.send("done")
    proc.join(timeout=10)


if __name__ == "__main__":
    main()
