"""The naive sequential loop, as a reference rate for `worker ingest` on the same site.

usage: uv run python bench/naive.py [--feeds 40] [--items 50] [--synthetic] [--statements]
       [--client-per-request] [--json]
       uv run python bench/naive.py --base http://127.0.0.1:PORT --feeds 40 ...   (a running site)

For each feed: GET it, feedparser.parse(io.BytesIO(body)); for each entry: GET the page,
trafilatura.extract (plain text, the options of worker/extract/article.py that apply to it), one
INSERT and COMMIT into a plain sqlite3 table (WAL, synchronous=NORMAL, like the worker's SQLite).
One request at a time, no fetch guard, no metadata, no boilerplate pass, no statements — unless
--statements, which also calls worker.statements.parse_statements on every text. Without --base it
serves its own site (real news pages, bench/site_fixture.py). Prints articles/s and the loop's wall
time (the imports are not in it).

The GETs go through one httpx.Client, the way anyone would write the loop. --client-per-request
calls the module-level httpx.get instead, which builds a client, hence an SSL context with the
certifi CA bundle, per request: ~28 ms of CPU each on the bench machine, more than the extraction
of a real page (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import io
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import feedparser
import httpx
import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from worker.statements import parse_statements

SCHEMA = ("CREATE TABLE articles (id INTEGER PRIMARY KEY, feed TEXT, url TEXT UNIQUE, title TEXT, "
          "text TEXT, statements INTEGER)")


@dataclass
class NaiveResult:
    mode: str
    feeds: int
    articles: int
    with_text: int  # articles whose extracted text is not empty
    statements: int
    wall: float

    @property
    def rate(self) -> float:
        return self.articles / self.wall if self.wall else 0.0


def run(feed_urls: list[str], db_path: Path, *, statements: bool = False,
        client_per_request: bool = False) -> NaiveResult:
    client = httpx.Client(timeout=30)
    get: Callable[[str], httpx.Response] = client.get
    if client_per_request:
        get = partial(httpx.get, timeout=30)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(SCHEMA)
    articles = with_text = found = 0
    started = time.perf_counter()
    for feed_url in feed_urls:
        body = get(feed_url).content
        for entry in feedparser.parse(io.BytesIO(body)).entries:
            url = entry.get("link")
            if not url:
                continue
            html = get(url).text
            text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True,
                                       include_links=False, favor_precision=True, deduplicate=False) or ""
            n = len(parse_statements(text)) if statements and text else 0
            db.execute("INSERT INTO articles (feed, url, title, text, statements) VALUES (?, ?, ?, ?, ?)",
                       (feed_url, url, entry.get("title"), text, n))
            db.commit()
            articles += 1
            with_text += bool(text)
            found += n
    wall = time.perf_counter() - started
    db.close()
    client.close()
    mode = ("naive+statements" if statements else "naive") + (" (httpx.get)" if client_per_request else "")
    return NaiveResult(mode, len(feed_urls), articles, with_text, found, wall)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--base", help="a running bench site (else one is served for this run)")
    ap.add_argument("--feeds", type=int, default=40)
    ap.add_argument("--items", type=int, default=50, help="items per feed (own site only)")
    ap.add_argument("--synthetic", action="store_true", help="synthetic pages, not real ones (own site only)")
    ap.add_argument("--statements", action="store_true", help="also parse statements of every text")
    ap.add_argument("--client-per-request", action="store_true",
                    help="module-level httpx.get (a new client per request) instead of one httpx.Client")
    ap.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.base:
            urls = [f"{args.base}/feed/{n}.xml" for n in range(args.feeds)]
            result = run(urls, Path(tmp) / "naive.db", statements=args.statements,
                         client_per_request=args.client_per_request)
        else:
            from site_fixture import local_site

            share = 0.0 if args.synthetic else 1.0
            with local_site(args.feeds, args.items, real_share=share) as site:
                result = run(site.feed_urls, Path(tmp) / "naive.db", statements=args.statements,
                             client_per_request=args.client_per_request)
    if args.json:
        print(json.dumps({**asdict(result), "rate": result.rate}))
    else:
        print(f"{result.mode}: {result.articles} articles ({result.with_text} with text, {result.statements} "
              f"statements) from {result.feeds} feeds in {result.wall:.2f} s = {result.rate:.1f} articles/s")


if __name__ == "__main__":
    main()
