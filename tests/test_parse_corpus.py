"""parse_feed never crashes on a varied sample of feedparser's own test feeds.

Only the contract is checked (ParsedFeed with well-typed fields, or FeedParseError);
upstream's Expect: expressions are not evaluated.  bench/feed_corpus.py runs all 2,107.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from worker.parse.feed import FeedParseError, ParsedFeed, parse_feed

CORPUS = Path(__file__).parent / "data" / "feeds" / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".xml", ".json"))
HEADER_RE = re.compile(rb"^\s*Header:\s*([^:\r\n]+):\s*([^\r\n]*)$", re.MULTILINE)


def simulated_headers(body: bytes) -> dict[str, str]:
    """Upstream's "Header: Name: value" comment lines; application/xml when there are none."""
    found = {k.decode("latin-1").strip(): v.decode("latin-1").strip() for k, v in HEADER_RE.findall(body)}
    return found or {"Content-Type": "application/xml"}


def test_sample_is_varied_and_licensed() -> None:
    assert (CORPUS / "LICENSE.feedparser").is_file()
    assert len(FILES) >= 40
    assert {p.relative_to(CORPUS).parts[0] for p in FILES} >= {
        "illformed",
        "encoding",
        "entities",
        "wellformed",
    }


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_file(path: Path) -> None:
    body = path.read_bytes()
    try:
        feed = parse_feed(body, simulated_headers(body), "http://127.0.0.1:8097/" + path.name)
    except FeedParseError as exc:
        assert str(exc)
        return
    assert isinstance(feed, ParsedFeed)
    for value in (feed.title, feed.site_url, feed.warning):
        assert value is None or (isinstance(value, str) and value)
    assert feed.ttl_seconds is None or (isinstance(feed.ttl_seconds, int) and feed.ttl_seconds >= 0)
    assert isinstance(feed.entries, tuple)
    guids = [entry.guid for entry in feed.entries]
    assert len(guids) == len(set(guids))
    for entry in feed.entries:
        assert isinstance(entry.guid, str) and entry.guid.strip() == entry.guid and entry.guid
        for value in (entry.link, entry.title, entry.author, entry.summary, entry.content):
            assert value is None or (isinstance(value, str) and value)
        if entry.link is not None:
            assert entry.link.startswith(("http://", "https://"))
        if entry.published_at is not None:
            assert isinstance(entry.published_at, datetime) and entry.published_at.utcoffset() is not None
