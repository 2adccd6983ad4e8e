"""The local news site the benches ingest: N RSS feeds x M items with ETags, served from a child
process on 127.0.0.1 (so the figures measured in the parent are the worker's alone), plus the
database and settings they run against."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from server import serve  # noqa: E402

from db.database import Database  # noqa: E402
from db.feeds import add_feed  # noqa: E402
from worker.settings import Settings, settings_with  # noqa: E402

TEXT = ("The council met on Tuesday evening to discuss the proposal, which would change how the district "
        "allocates money for repairs, and several members asked for more detail on the costs before the "
        "final vote. ")


def page(feed: int, item: int, paragraphs: int) -> str:
    body = "".join(f"<p>{TEXT}Paragraph {n} of story {feed}-{item}.</p>" for n in range(paragraphs))
    return (f'<!doctype html><html lang="en"><head><title>Story {feed}-{item}</title></head><body>'
            f"<nav><a href=\"/\">Home</a><a href=\"/world\">World</a></nav><article><h1>Story {feed}-{item}"
            f"</h1>{body}</article><aside><h3>Related posts</h3><ul><li><a href=\"/x\">Other story</a></li>"
            f"</ul></aside><footer>Copyright</footer></body></html>")


def feed(base: str, n: int, items: int) -> str:
    entries = "".join(
        f"<item><guid>story-{n}-{i}</guid><title>Story {n}-{i}</title>"
        f"<link>{base}/story/{n}/{i}?utm_source=rss</link><description>Summary {n}-{i}</description>"
        f"<pubDate>Sun, 01 Mar 2026 09:{i % 60:02d}:00 GMT</pubDate></item>"
        for i in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}</title>'
            f"<link>{base}/</link><description>bench</description>{entries}</channel></rss>")


def _serve(feeds: int, items: int, paragraphs: int, conn: multiprocessing.connection.Connection) -> None:
    """Serve the site; answer "count" with (requests, conditional requests) since the last count."""
    with serve() as site:
        base = site.url("")
        for n in range(feeds):
            site.add(f"/feed/{n}.xml", feed(base, n, items),
                     headers={"Content-Type": "application/rss+xml", "ETag": f'"feed-{n}-v1"'})
            for i in range(items):
                site.add(f"/story/{n}/{i}", page(n, i, paragraphs),
                         headers={"Content-Type": "text/html; charset=utf-8"})
        conn.send(base)
        seen = 0
        while conn.recv() == "count":
            requests = site.requests[seen:]
            seen += len(requests)
            conn.send((len(requests), sum(1 for r in requests if "if-none-match" in r.headers)))


class Site:
    def __init__(self, base: str, conn: multiprocessing.connection.Connection, feeds: int):
        self.base = base
        self.conn = conn
        self.feed_urls = [f"{base}/feed/{n}.xml" for n in range(feeds)]

    def requests_since_last(self) -> tuple[int, int]:
        """(requests, conditional requests) the site served since the previous call."""
        self.conn.send("count")
        counts: tuple[int, int] = self.conn.recv()
        return counts


@contextmanager
def local_site(feeds: int, items: int, *, paragraphs: int = 12) -> Iterator[Site]:
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("fork").Process(target=_serve, args=(feeds, items, paragraphs, child))
    proc.start()
    try:
        yield Site(parent.recv(), parent, feeds)
    finally:
        parent.send("done")
        proc.join(timeout=10)


def bench_settings(url: str, concurrency: int) -> Settings:
    """All feeds sit on one host: per-host limits are lifted to the global concurrency, no delay, so
    the bench measures the worker rather than the politeness settings."""
    return settings_with(database_url=url, allowed_networks="127.0.0.0/8", per_host_delay=0.0,
                         concurrency=concurrency, per_host_concurrency=concurrency)


def database_with_feeds(url: str, feed_urls: list[str]) -> Database:
    db = Database.open(url)
    with db.transaction() as session:
        for f in feed_urls:
            add_feed(session, f)
    return db
