"""Feed autodiscovery: which feeds an HTML page announces, and whether a body is a feed at all.

A page announces its feeds with ``<link rel="alternate" type="application/rss+xml" href="...">``
(or ``application/atom+xml``, or RSS 1.0's ``application/rdf+xml``). ``rel`` is a list of
words, so ``rel="alternate feed"`` counts too; the href is resolved against the page's
``<base href>`` if it has one, else against the page's URL, and normalised like every feed URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

from worker.parse.urls import normalize_url

__all__ = ["FEED_TYPES", "FeedLink", "feed_links", "looks_like_feed"]

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})

# What may precede a feed's root element: a BOM, white space, the XML declaration, comments,
# processing instructions (stylesheets) and a DOCTYPE.
_PROLOG = re.compile(r"^(?:\ufeff|\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*", re.S | re.I)
_FEED_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)[\s>/]", re.I)


@dataclass(frozen=True)
class FeedLink:
    url: str
    title: str | None
    type: str


def looks_like_feed(body: bytes) -> bool:
    """True when the document's root element is <rss>, <feed> (Atom) or <rdf:RDF>, whatever the
    Content-Type says (servers label feeds text/html, text/plain, ...)."""
    head = body[:8192].removeprefix(b"\xef\xbb\xbf")
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):].decode(codec, "replace")
            break
    else:
        text = head.decode("latin-1")
    rest = text[_PROLOG.match(text).end():]  # type: ignore[union-attr]
    return _FEED_ROOT.match(rest) is not None


def feed_links(html: str, page_url: str) -> list[FeedLink]:
    """The feeds the page links to as alternates, in document order, each URL once."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):  # empty, or nothing but white space
        return []
    base = page_url
    for el in doc.iter("base"):
        href = el.get("href")
        if href and href.strip():
            base = normalize_url(href, page_url) or page_url
            break
    found: list[FeedLink] = []
    seen: set[str] = set()
    for el in doc.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        kind = (el.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        url = normalize_url(el.get("href") or "", base)
        if url is None or url in seen:
            continue
        seen.add(url)
        title = " ".join((el.get("title") or "").split()) or None
        found.append(FeedLink(url=url, title=title, type=kind))
    return found
