"""Run parse_feed over every file of feedparser's test corpus; print counts and time.

Usage: uv run python bench/feed_corpus.py [CORPUS_DIR]   (default /work/shared/corpora/feedparser)

Each file's "Header: Name: value" comment lines become the simulated response headers
(upstream's convention); files without them get Content-Type application/xml.  Any
exception other than FeedParseError, or a field of the wrong type, is a failure.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

from worker.parse.feed import FeedParseError, ParsedFeed, parse_feed

HEADER_RE = re.compile(rb"^\s*Header:\s*([^:\r\n]+):\s*([^\r\n]*)$", re.MULTILINE)


def headers_for(body: bytes) -> dict[str, str]:
    headers = {k.decode("latin-1").strip(): v.decode("latin-1").strip() for k, v in HEADER_RE.findall(body)}
    return headers or {"Content-Type": "application/xml"}


def check_types(feed: ParsedFeed) -> None:
    for value in (feed.title, feed.site_url, feed.warning):
        assert value is None or isinstance(value, str)
    assert feed.ttl_seconds is None or isinstance(feed.ttl_seconds, int)
    for e in feed.entries:
        assert isinstance(e.guid, str) and e.guid
        for value in (e.link, e.title, e.author, e.summary, e.content):
            assert value is None or isinstance(value, str)
        assert e.published_at is None or e.published_at.tzinfo is not None


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpora/feedparser")
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    failures: list[str] = []
    slowest: list[tuple[float, str]] = []
    started = time.perf_counter()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".xml", ".json")):
        body = path.read_bytes()
        t0 = time.perf_counter()
        try:
            feed = parse_feed(body, headers_for(body), "http://127.0.0.1:8097/" + str(path.relative_to(root)))
            check_types(feed)
            counts["parsed, warning" if feed.warning else "parsed"] += 1
            counts["entries"] += len(feed.entries)
        except FeedParseError as exc:
            counts["FeedParseError"] += 1
            reasons[str(exc)[:70]] += 1
        except Exception as exc:  # what the bench is looking for
            failures.append(f"{path.relative_to(root)}: {type(exc).__name__}: {exc}")
        slowest.append((time.perf_counter() - t0, str(path.relative_to(root))))
    elapsed = time.perf_counter() - started
    files = sum(v for k, v in counts.items() if k != "entries") + len(failures)
    print(f"files {files}  time {elapsed:.2f}s")
    for key, value in sorted(counts.items()):
        print(f"  {key:18} {value}")
    print(f"  {'other exception':18} {len(failures)}")
    for reason, n in reasons.most_common():
        print(f"    {n:4}  {reason}")
    for line in failures:
        print("FAIL", line)
    print("slowest:", ", ".join(f"{name} {t * 1000:.0f}ms" for t, name in sorted(slowest)[-3:]))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
