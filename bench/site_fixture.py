"""The local news site the benches ingest: N RSS feeds x M items with ETags, served from a child
process on 127.0.0.1 (so the figures measured in the parent are the worker's alone), plus the
database and settings they run against.

Item pages are synthetic (``real_share=0``, the default: ~5 kB of repeated paragraphs) or real news
pages (``real_share=1``): the 181 pages of the ScrapingHub extraction benchmark
(/work/shared/eval/extraction/scrapinghub), taken round-robin. Every copy of a real page is served
at its own URL with its rel=canonical and og:url pointing at that URL (else all copies would be one
article) and a short "Bench copy N-I." marker at the start of its first article paragraph, so that
every article's text, hence its content_hash, differs. A share between 0 and 1 mixes both kinds.
Real pages are rendered on request (not held 2,000 times in memory) with their declared charset.
"""

from __future__ import annotations

import gzip
import html
import json
import math
import multiprocessing
import multiprocessing.connection
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from server import serve  # noqa: E402

if TYPE_CHECKING:  # imported where used, so that a bench run through the CLI needs only the site
    from db.database import Database
    from worker.settings import Settings

SYNTHETIC_TYPE = "text/html; charset=utf-8"
REAL_DIR = Path("/work/shared/eval/extraction/scrapinghub")
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


# --- real pages -------------------------------------------------------------------------------------

_URL, _MARK = b"\x00url\x00", b"\x00mark\x00"
_CANONICAL = re.compile(rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>", re.I)
_OG_URL = re.compile(rb"<meta\b[^>]*\b(?:property|name)\s*=\s*[\"']?og:url\b[^>]*>", re.I)
_HREF = re.compile(rb"(\bhref\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)
_CONTENT = re.compile(rb"(\bcontent\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)
_PARAGRAPH = re.compile(rb"<p\b[^>]*>", re.I)
_SCRIPT = re.compile(rb"<script\b.*?</script\s*>", re.I | re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


@dataclass(frozen=True)
class RealPage:
    key: str
    template: bytes  # the page with _URL where its canonical URL goes and _MARK where the marker goes
    content_type: str
    marked: bool  # the marker sits in a paragraph of the ground-truth article body

    def render(self, url: str, mark: str) -> bytes:
        return self.template.replace(_URL, url.encode("ascii")).replace(_MARK, mark.encode("ascii"))


def _point_at_slot(tag: re.Pattern[bytes], attr: re.Pattern[bytes], raw: bytes) -> bytes:
    return tag.sub(lambda m: attr.sub(lambda a: a.group(1) + b'"' + _URL + b'"', m.group(0), count=1), raw)


def _marker_offset(raw: bytes, body: str) -> tuple[int, bool]:
    """Where the marker goes: just inside the first <p> (outside scripts) whose text starts a
    ground-truth paragraph, preferring a long one; else before the ground truth's first words; else
    inside the first <p> with some text; else at offset 0. True when it is in the article body."""
    gold = " ".join(body.split())
    scripts = [m.span() for m in _SCRIPT.finditer(raw)]
    found: dict[str, int] = {}
    for m in _PARAGRAPH.finditer(raw):
        if any(start <= m.start() < end for start, end in scripts):
            continue
        lead = raw[m.end():m.end() + 600].split(b"<", 1)[0].decode("utf-8", "replace")
        text = " ".join(html.unescape(lead).split())
        if len(text) >= 60 and text[:60] in gold:
            return m.end(), True
        if len(text) >= 20:
            found.setdefault("short" if text[:20] in gold else "any", m.end())
    if "short" in found:
        return found["short"], True
    for size in (40, 25):  # no such <p>: the body's first words where they stand in the HTML
        words = gold[:size].encode("utf-8")
        at = raw.find(words)
        while at >= 0 and (raw.rfind(b"<", 0, at) > raw.rfind(b">", 0, at)  # inside a tag
                           or any(start <= at < end for start, end in scripts)):
            at = raw.find(words, at + 1)
        if at >= 0:
            return at, True
    return found.get("any", 0), False


def load_real_pages(directory: Path = REAL_DIR) -> list[RealPage]:
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth):
        raw = gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes())
        raw = _point_at_slot(_OG_URL, _CONTENT, _point_at_slot(_CANONICAL, _HREF, raw))
        at, marked = _marker_offset(raw, truth[key]["articleBody"])
        charset = _META_CHARSET.search(raw[:8192])
        content_type = "text/html" + (f"; charset={charset.group(1).decode('ascii')}" if charset else "")
        pages.append(RealPage(key, raw[:at] + _MARK + raw[at:], content_type, marked))
    return pages


def real_index(k: int, share: float) -> int | None:
    """The how-manieth real page item k (counted over all feeds) serves, or None: a synthetic one."""
    if share <= 0:
        return None
    return math.floor(k * share) if math.floor((k + 1) * share) > math.floor(k * share) else None


def _send(body: bytes, content_type: str, handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def _send_real(real: RealPage, url: str, mark: str, handler: BaseHTTPRequestHandler) -> None:
    _send(real.render(url, mark), real.content_type, handler)


@dataclass(frozen=True)
class SitePlan:
    feeds: int
    items: int
    paragraphs: int = 12
    real_share: float = 0.0

    def item_pages(self, real: list[RealPage]) -> Iterator[tuple[int, int, RealPage | None]]:
        """(feed, item, the real page it serves or None for a synthetic one) of every item."""
        for n in range(self.feeds):
            for i in range(self.items):
                r = real_index(n * self.items + i, self.real_share)
                yield n, i, (real[r % len(real)] if r is not None else None)


def marker(n: int, i: int) -> str:
    return f"Bench copy {n}-{i}. "


def page_url(base: str, n: int, i: int) -> str:
    return f"{base}/story/{n}/{i}"


def _serve(plan: SitePlan, conn: multiprocessing.connection.Connection) -> None:
    """Serve the site; answer "count" with (requests, conditional requests) since the last count."""
    real = load_real_pages() if plan.real_share > 0 else []
    with serve() as site:
        base = site.url("")
        for n in range(plan.feeds):
            site.add(f"/feed/{n}.xml", feed(base, n, plan.items),
                     headers={"Content-Type": "application/rss+xml", "ETag": f'"feed-{n}-v1"'})
        for n, i, chosen in plan.item_pages(real):
            path = f"/story/{n}/{i}"
            if chosen is None:
                site.add(path, page(n, i, plan.paragraphs), headers={"Content-Type": SYNTHETIC_TYPE})
            else:
                site.add_handler(path, partial(_send_real, chosen, page_url(base, n, i), marker(n, i)))
        conn.send(base)
        seen = 0
        while conn.recv() == "count":
            requests = site.requests[seen:]
            seen += len(requests)
            conn.send((len(requests), sum(1 for r in requests if "if-none-match" in r.headers)))


class Site:
    def __init__(self, base: str, conn: multiprocessing.connection.Connection, plan: SitePlan, pid: int):
        self.base = base
        self.conn = conn
        self.plan = plan
        self.pid = pid  # the server process, for callers that must leave it out of their figures
        self.feed_urls = [f"{base}/feed/{n}.xml" for n in range(plan.feeds)]

    def requests_since_last(self) -> tuple[int, int]:
        """(requests, conditional requests) the site served since the previous call."""
        self.conn.send("count")
        counts: tuple[int, int] = self.conn.recv()
        return counts

    def page_bodies(self) -> Iterator[tuple[str, bytes, str]]:
        """(URL, body, Content-Type) of every item page, as served, rendered here in the caller."""
        real = load_real_pages() if self.plan.real_share > 0 else []
        for n, i, chosen in self.plan.item_pages(real):
            url = page_url(self.base, n, i)
            if chosen is None:
                yield url, page(n, i, self.plan.paragraphs).encode("utf-8"), SYNTHETIC_TYPE
            else:
                yield url, chosen.render(url, marker(n, i)), chosen.content_type


@contextmanager
def local_site(feeds: int, items: int, *, paragraphs: int = 12, real_share: float = 0.0) -> Iterator[Site]:
    plan = SitePlan(feeds, items, paragraphs, real_share)
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("fork").Process(target=_serve, args=(plan, child))
    proc.start()
    try:
        assert proc.pid is not None
        yield Site(parent.recv(), parent, plan, proc.pid)
    finally:
        parent.send("done")
        proc.join(timeout=10)
        if proc.is_alive():
            proc.terminate()


def bench_settings(url: str, concurrency: int) -> Settings:
    """All feeds sit on one host: per-host limits are lifted to the global concurrency, no delay, so
    the bench measures the worker rather than the politeness settings."""
    from worker.settings import settings_with

    return settings_with(database_url=url, allowed_networks="127.0.0.0/8", per_host_delay=0.0,
                         concurrency=concurrency, per_host_concurrency=concurrency)


def database_with_feeds(url: str, feed_urls: list[str]) -> Database:
    from db.database import Database
    from db.feeds import add_feed

    db = Database.open(url)
    with db.transaction() as session:
        for f in feed_urls:
            add_feed(session, f)
    return db
