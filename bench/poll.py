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
import multiprocessing
import multiprocessing.connection
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from server import serve  # noqa: E402

from db.database import Database  # noqa: E402
from db.feeds import add_feed  # noqa: E402
from worker.pipeline.runner import RunSummary, Worker  # noqa: E402
from worker.settings import redact_url, settings_with  # noqa: E402

TEXT = ("The council met on Tuesday evening to discuss the proposal, which would change how the district "
        "allocates money for repairs, and several members asked for more detail on the costs. ")


def page(feed: int, item: int) -> str:
    body = "".join(f"<p>{TEXT}Paragraph {n} of story {feed}-{item}.</p>" for n in range(3))
    return (f'<!doctype html><html lang="en"><head><title>Story {feed}-{item}</title></head><body>'
            f"<nav><a href=\"/\">Home</a></nav><article><h1>Story {feed}-{item}</h1>{body}</article>"
            f"<footer>Copyright</footer></body></html>")


def feed(base: str, n: int, items: int) -> str:
    entries = "".join(
        f"<item><guid>poll-{n}-{i}</guid><title>Story {n}-{i}</title><link>{base}/story/{n}/{i}</link>"
        f"<description>Summary {n}-{i}</description>"
        f"<pubDate>Sun, 01 Mar 2026 09:{i % 60:02d}:00 GMT</pubDate></item>"
        for i in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}</title>'
            f"<link>{base}/</link><description>bench</description>{entries}</channel></rss>")


def run_site(feeds: int, items: int, conn: multiprocessing.connection.Connection) -> None:
    """Serve the site; answer "count" with (requests, conditional requests) since the last count."""
    with serve() as site:
        base = site.url("")
        for n in range(feeds):
            site.add(f"/feed/{n}.xml", feed(base, n, items),
                     headers={"Content-Type": "application/rss+xml", "ETag": f'"feed-{n}-v1"'})
            for i in range(items):
                site.add(f"/story/{n}/{i}", page(n, i), headers={"Content-Type": "text/html; charset=utf-8"})
        conn.send(base)
        seen = 0
        while conn.recv() == "count":
            requests = site.requests[seen:]
            seen += len(requests)
            conn.send((len(requests), sum(1 for r in requests if "if-none-match" in r.headers)))


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

    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("fork").Process(target=run_site, args=(args.feeds, args.items, child))
    proc.start()
    base = parent.recv()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database or f"sqlite:///{Path(tmp) / 'poll.db'}"
            settings = settings_with(database_url=url, allowed_networks="127.0.0.0/8", per_host_delay=0.0,
                                     concurrency=args.concurrency, per_host_concurrency=args.concurrency)
            db = Database.open(url)
            feed_urls = [f"{base}/feed/{n}.xml" for n in range(args.feeds)]
            with db.transaction() as session:
                for f in feed_urls:
                    add_feed(session, f)
            print(f"site: {args.feeds} feeds x {args.items} items at {base} (child process); "
                  f"concurrency {args.concurrency}; database {redact_url(url)}")
            for label in ("first run (stores items, fetches pages)", "re-poll (every feed unchanged)"):
                started = time.perf_counter()
                summary = asyncio.run(Worker(settings, db).ingest(feed_urls=feed_urls))
                took = time.perf_counter() - started
                parent.send("count")
                requests, conditional = parent.recv()
                report(label, summary, took, requests, conditional)
            db.close()
    finally:
        parent.send("done")
        proc.join(timeout=10)


if __name__ == "__main__":
    main()
