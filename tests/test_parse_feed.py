"""parse_feed against small feeds with their expected value beside them (x.rss + x.rss.json)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest

from worker.parse.feed import FeedParseError, ParsedEntry, ParsedFeed, parse_feed
from worker.parse.xmlguard import EXPANSION_LIMIT

FEEDS = Path(__file__).parent / "data" / "feeds"
CASES = sorted(p for p in FEEDS.glob("*.json"))
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
ONE_RELATIVE_LINK = (
    b'<rss version="2.0"><channel><item><guid isPermaLink="false">1</guid>'
    b"<link>a.html</link></item></channel></rss>"
)


def as_jsonable(feed: ParsedFeed) -> dict[str, Any]:
    data = dataclasses.asdict(feed)
    data["entries"] = list(data["entries"])
    for entry in data["entries"]:
        if entry["published_at"] is not None:
            entry["published_at"] = entry["published_at"].isoformat()
    return data


@pytest.mark.parametrize("spec_path", CASES, ids=[p.name.removesuffix(".json") for p in CASES])
def test_feed_file(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    body = spec_path.with_suffix("").read_bytes()
    now = datetime.fromisoformat(spec["now"])
    if "error" in spec:
        with pytest.raises(FeedParseError) as info:
            parse_feed(body, spec["headers"], spec["url"], now=now)
        assert str(info.value) == spec["error"]
        return
    got = as_jsonable(parse_feed(body, spec["headers"], spec["url"], now=now))
    expected = spec["feed"]
    # Warnings are feedparser's messages (with line/column): the file holds a substring.
    want_warning, got_warning = expected.pop("warning"), got.pop("warning")
    if want_warning is None:
        assert got_warning is None
    else:
        assert got_warning is not None and want_warning in got_warning
    assert got == expected


def test_every_feed_file_has_an_expected_value() -> None:
    feeds = {p for p in FEEDS.iterdir() if p.is_file() and p.suffix != ".json"}
    assert feeds == {p.with_suffix("") for p in CASES}
    assert len(feeds) >= 15


def test_hash_identity_is_sha256_of_title_and_summary() -> None:
    feed = parse_feed((FEEDS / "identity_fallback.rss").read_bytes(), RSS, "https://ids.example.com/feed")
    entry = feed.entries[1]
    assert entry.link is None
    digest = hashlib.sha256(b"Nothing but text\nNo guid and no link.").hexdigest()
    assert entry.guid == "sha256:" + digest


def test_dates_are_aware_utc() -> None:
    feed = parse_feed((FEEDS / "rss20.rss").read_bytes(), RSS, "https://www.example.com/news/feed.xml")
    for entry in feed.entries:
        assert entry.published_at is not None
        assert entry.published_at.utcoffset() is not None
        assert entry.published_at.tzinfo == UTC


def _blowup(entity_size: int = 10_000, references: int = 20_000) -> bytes:
    """The 'quadratic blowup': one big entity referenced many times (~70 kB of XML)."""
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
        f'<!ENTITY a "{"A" * entity_size}">\n]>\n'
        '<rss version="2.0"><channel><title>t</title>'
        f"<item><title>x</title><description>{'&a;' * references}</description></item>"
        "</channel></rss>"
    ).encode()


def _billion_laughs() -> bytes:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(lines) + "\n]>\n"
        '<rss version="2.0"><channel><title>&lol9;</title></channel></rss>'
    ).encode()


@pytest.mark.parametrize(
    "body",
    [
        _blowup(),
        _blowup().decode().replace('"1.0"?>', '"1.0" encoding="utf-16"?>', 1).encode("utf-16"),
        _blowup().decode().replace('"1.0"?>', '"1.0" encoding="utf-32"?>', 1).encode("utf-32-be"),
        _billion_laughs(),
    ],
    ids=["quadratic-utf8", "quadratic-utf16-bom", "quadratic-utf32be-no-bom", "billion-laughs"],
)
def test_entity_expansion_is_rejected_fast_and_small(body: bytes) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(FeedParseError, match="feed declares XML entities"):
            parse_feed(body, RSS, "https://evil.example.com/feed")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 20 * 1024 * 1024


def test_entities_below_the_limit_still_expand() -> None:
    body = _blowup(entity_size=10, references=100)
    feed = parse_feed(body, RSS, "https://ok.example.com/feed")
    assert feed.entries[0].summary == "A" * 1000
    assert EXPANSION_LIMIT >= 1000


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not a feed: empty body"),
        (b"  \n\t ", "not a feed: empty body"),
        (b"<html><body><p>hello</p></body></html>", "not a feed: HTML page"),
        (
            b'\xef\xbb\xbf<!doctype html>\n<html lang="en"><head><title>x</title></head></html>',
            "not a feed: HTML page",
        ),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "not a feed: JSON document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a feed: not XML"),
        (b'<?xml version="1.0"?><note><to>x</to></note>', "not a feed: no RSS, Atom or RDF root element"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel', "not a feed: ill-formed XML"),
    ],
)
def test_not_a_feed(body: bytes, reason: str) -> None:
    with pytest.raises(FeedParseError) as info:
        parse_feed(body, {}, "https://example.com/feed")
    assert str(info.value).startswith(reason)
    assert isinstance(info.value, ValueError)


def test_feedparser_only_sees_bytes_and_the_url_as_content_location(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, dict[str, str]]] = []
    real_parse = feedparser.parse

    def spy(source: Any, **kwargs: Any) -> Any:
        calls.append((source, kwargs["response_headers"]))
        return real_parse(source, **kwargs)

    monkeypatch.setattr(feedparser, "parse", spy)
    parse_feed((FEEDS / "rss20.rss").read_bytes(), {"ETag": "x"}, "https://www.example.com/news/feed.xml")
    source, headers = calls[0]
    assert isinstance(source, io.BytesIO)
    assert headers["content-location"] == "https://www.example.com/news/feed.xml"
    assert headers["etag"] == "x"


def test_relative_content_location_resolves_against_the_url() -> None:
    body = ONE_RELATIVE_LINK
    headers = {"Content-Type": "application/rss+xml", "Content-Location": "/moved/feed.xml"}
    feed = parse_feed(body, headers, "https://example.com/orig/feed.xml")
    assert feed.entries[0].link == "https://example.com/moved/a.html"


def test_a_file_content_location_cannot_rebase_an_http_feed() -> None:
    body = ONE_RELATIVE_LINK
    headers = {"Content-Type": "application/rss+xml", "Content-Location": "file:///etc/"}
    feed = parse_feed(body, headers, "https://example.com/feed.xml")
    assert feed.entries[0].link == "https://example.com/a.html"


@pytest.mark.parametrize(
    ("ttl", "seconds"),
    [("60", 3600), ("0", 0), (" 5 ", 300), ("-5", None), ("1.5", None), ("99999999", None)],
)
def test_ttl(ttl: str, seconds: int | None) -> None:
    body = f'<rss version="2.0"><channel><title>t</title><ttl>{ttl}</ttl></channel></rss>'.encode()
    assert parse_feed(body, RSS, "https://example.com/f").ttl_seconds == seconds


def test_richest_content_wins() -> None:
    """Of several content blocks the longest once converted to text is kept, wherever it stands."""
    short = '<content type="text">short</content>'
    rich = '<content type="html">&lt;p&gt;a much &lt;b&gt;longer&lt;/b&gt; body&lt;/p&gt;</content>'
    for blocks in (short + rich, rich + short):
        body = f"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id>{blocks}</entry></feed>"""
        entry = parse_feed(body.encode(), {"Content-Type": "application/atom+xml"}, "https://example.com/f")
        assert isinstance(entry.entries[0], ParsedEntry)
        assert entry.entries[0].content == "a much longer body"


@pytest.mark.parametrize("body", [b"\x00" * 100, b"<" * 5000, b"<rss>" * 3000, "<rss>é".encode("utf-16-le")])
def test_junk_never_escapes_as_another_exception(body: bytes) -> None:
    """Junk is refused with FeedParseError saying why, never another exception or an empty feed."""
    with pytest.raises(FeedParseError, match=r"^not a feed: (empty body|ill-formed XML)"):
        parse_feed(body, {"Content-Type": "text/xml"}, "https://example.com/f")


def test_only_real_syntax_errors_become_warnings() -> None:
    """A feed served as text/plain, or with no content type (a local file), parses without a
    warning; an ill-formed one is kept, with the syntax error as its warning."""
    body = (FEEDS / "rss20.rss").read_bytes()
    for headers in ({"Content-Type": "text/plain"}, {}):
        assert parse_feed(body, headers, "https://www.example.com/news/feed.xml").warning is None
    broken = body.replace(b"</title>", b"</titel>", 1)
    feed = parse_feed(broken, RSS, "https://www.example.com/news/feed.xml")
    assert feed.entries and feed.warning is not None and "mismatched tag" in feed.warning
