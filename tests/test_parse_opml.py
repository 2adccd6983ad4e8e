"""OPML import/export and the seed list."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.parse.opml import OpmlFeed, clean_category, parse_opml, render_opml
from worker.parse.urls import is_http_url

SEEDS = Path(__file__).parent.parent / "seeds" / "feeds.opml"

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>export</title></head><body>
  <outline text="News">
    <outline text="Deeper">
      <outline type="rss" text="Deep Feed" xmlUrl="https://deep.example.com/feed?utm_source=opml"
               htmlUrl="https://deep.example.com/"/>
    </outline>
    <outline type="rss" text="Text only" xmlUrl="http://Text.Example.com:80/rss"/>
  </outline>
  <outline type="rss" text="text attr" title="Title attr" xmlUrl="https://both.example.com/atom"/>
  <outline type="rss" text="Duplicate" xmlUrl="https://deep.example.com/feed#dup"/>
  <outline type="rss" text="FTP" xmlUrl="ftp://ftp.example.com/feed"/>
  <outline type="rss" text="JS" xmlUrl="javascript:alert(1)"/>
  <outline type="rss" text="Relative" xmlUrl="/feed.xml"/>
  <outline type="link" text="No xmlUrl" url="https://link.example.com/"/>
  <outline type="rss" text="lower-case attrs" xmlurl="https://lower.example.com/rss" htmlurl="javascript:x"/>
</body></opml>"""


def test_parse_nested_filters_and_dedupes() -> None:
    assert parse_opml(NESTED) == [
        OpmlFeed("https://deep.example.com/feed", "Deep Feed", "https://deep.example.com/", "News/Deeper"),
        OpmlFeed("http://text.example.com/rss", "Text only", None, "News"),
        OpmlFeed("https://both.example.com/atom", "Title attr", None),
        OpmlFeed("https://lower.example.com/rss", "lower-case attrs", None),
    ]


def test_bare_ampersand_in_url_is_repaired_not_dropped() -> None:
    data = b'<opml version="2.0"><body><outline text="A&B" xmlUrl="https://e.com/rss?a=1&b=2"/></body></opml>'
    assert parse_opml(data) == [OpmlFeed("https://e.com/rss?a=1&b=2", "A&B", None)]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"not xml at all",
        b"<html><body>hi</body></html>",
        b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
        b"<opml><body><outline",
        b"\xff\xfe\x00\x00garbage",
    ],
)
def test_junk_is_rejected(data: bytes) -> None:
    with pytest.raises(ValueError, match=r"^not an OPML document: "):
        parse_opml(data)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "' + b"A" * 10_000 + b'">]>'
        b'<opml><body><outline text="' + b"&a;" * 20_000 + b'" xmlUrl="https://e.com/"/></body></opml>',
        b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml><body/></opml>',
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline text="&x;" xmlUrl="https://e.com/"/></body></opml>',
    ],
    ids=["quadratic-blowup", "external-dtd", "external-entity"],
)
def test_doctype_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="DOCTYPE"):
        parse_opml(data)


def test_render_escapes_and_round_trips() -> None:
    feeds = [
        OpmlFeed("https://e.com/rss?a=1&b=2", 'Quotes "and" <tags> & ampersands', "https://e.com/"),
        OpmlFeed("https://f.org/atom.xml", None, None),
        OpmlFeed("https://g.net/feed", "Ünïcödé — ok", None),
    ]
    text = render_opml(feeds, title="Mine & yours")
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    assert '<opml version="2.0">' in text
    assert "<title>Mine &amp; yours</title>" in text
    assert "&lt;tags&gt; &amp; ampersands" in text
    assert parse_opml(text.encode("utf-8")) == feeds


def test_render_drops_characters_xml_cannot_carry() -> None:
    text = render_opml([OpmlFeed("https://e.com/", "bell\x07 title", None)])
    assert parse_opml(text.encode()) == [OpmlFeed("https://e.com/", "bell title", None)]


def test_render_empty() -> None:
    assert parse_opml(render_opml([]).encode()) == []


def test_seed_list_parses() -> None:
    feeds = parse_opml(SEEDS.read_bytes())
    assert 20 <= len(feeds) <= 40
    assert all(is_http_url(f.url) and f.url.startswith("https://") for f in feeds)
    assert all(f.title and f.site_url for f in feeds)
    assert len({f.url for f in feeds}) == len(feeds)


# --- categories ---------------------------------------------------------------------------------

CATEGORIES = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>reader export</title></head><body>
  <outline text="World" title="World news">
    <outline text="Europe">
      <outline type="rss" text="Euro" xmlUrl="https://euro.example/rss"/>
    </outline>
    <outline type="rss" text="Globe" xmlUrl="https://globe.example/rss" category="/Ignored/Here"/>
  </outline>
  <outline type="rss" text="Tech" xmlUrl="https://tech.example/rss" category="/Tech/Gadgets, Science,/x"/>
  <outline type="rss" text="Plain" xmlUrl="https://plain.example/rss" category=""/>
  <outline type="rss" text="Parent feed" xmlUrl="https://parent.example/rss">
    <outline type="rss" text="Child" xmlUrl="https://child.example/rss"/>
  </outline>
  <outline text="  Spaced   out / folder ">
    <outline type="rss" text="S" xmlUrl="https://s.example/rss"/>
  </outline>
</body></opml>"""


def test_categories_from_nesting_and_attributes() -> None:
    """Nesting gives the folder path (a folder's title before its text); a top-level feed takes the
    first path of its category attribute; a feed nested in a feed is not in a folder."""
    assert [(f.url, f.category) for f in parse_opml(CATEGORIES)] == [
        ("https://euro.example/rss", "World news/Europe"),
        ("https://globe.example/rss", "World news"),
        ("https://tech.example/rss", "Tech/Gadgets"),
        ("https://plain.example/rss", None),
        ("https://parent.example/rss", None),
        ("https://child.example/rss", None),
        ("https://s.example/rss", "Spaced out/folder"),
    ]


def test_nested_categories_round_trip() -> None:
    feeds = [
        OpmlFeed("https://a.example/rss", "A", None, "World/Europe/East"),
        OpmlFeed("https://b.example/rss", "B", "https://b.example/", "World/Europe"),
        OpmlFeed("https://c.example/rss", "C", None, "World"),
        OpmlFeed("https://d.example/rss", None, None),
        OpmlFeed("https://e.example/rss", "E & co", None, "Tech <&> Science"),
        OpmlFeed("https://f.example/rss", "F", None, "World/Asia"),
    ]
    text = render_opml(feeds)
    # one folder outline per level, written once, feeds inside it
    assert text.count('<outline text="World"') == 1 and text.count('<outline text="Europe"') == 1
    assert 'text="Tech &lt;&amp;&gt; Science"' in text
    back = parse_opml(text.encode())
    assert sorted(back, key=lambda f: f.url) == feeds
    # grouped folder by folder, in the order folders were first met
    assert [f.url[8] for f in back] == ["a", "b", "c", "f", "d", "e"]
    assert parse_opml(render_opml(back).encode()) == back


@pytest.mark.parametrize(("text", "expected"), [
    ("News", "News"), ("/News/Europe/", "News/Europe"), (" News //  Europe ", "News/Europe"),
    ("", None), ("  / / ", None), (None, None), ("a\x07b", "ab"),
])
def test_clean_category(text: str | None, expected: str | None) -> None:
    assert clean_category(text) == expected
