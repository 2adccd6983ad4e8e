"""Page HTML -> article text and metadata: trafilatura, then the project's boilerplate pass."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from trafilatura.settings import Document
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from worker.extract.boilerplate import Block, clean_blocks
from worker.extract.language import detect_language, normalise_language_tag

log = logging.getLogger(__name__)

# Bump the suffix whenever the output for the same page may change.
EXTRACTOR_VERSION = f"trafilatura-{trafilatura.__version__}+wb4"

# Chosen on the ScrapingHub benchmark (bench/extraction.py). The extraction is done on the
# string we were given: trafilatura never fetches anything here.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "with_metadata": True,
    "include_comments": False,
    "include_tables": True,
    "include_links": False,  # True changes trafilatura's choices and costs recall (F1 -0.001)
    "favor_precision": True,
    "deduplicate": False,  # trafilatura's dedup cache is process-wide state: not a pure function
}


@dataclass(frozen=True)
class Extracted:
    title: str | None
    author: str | None
    published_at: datetime | None  # timezone-aware UTC
    language: str | None  # ISO 639-1
    text: str  # paragraphs separated by a blank line; "" when nothing was found
    canonical_url: str | None
    description: str | None


EMPTY = Extracted(None, None, None, None, "", None, None)

# lxml stops reading a document at a lone surrogate (from a "\ud800" escape in JSON input, or an
# invalid byte read with surrogateescape): the rest of the page would be lost.
_SURROGATE = re.compile("[\ud800-\udfff]")


def extract_article(html: str, url: str | None = None) -> Extracted:
    """Article text and metadata of one page. Pure; never raises on junk HTML."""
    if not isinstance(html, str) or not html.strip():
        return EMPTY
    html = _SURROGATE.sub("\ufffd", html)
    try:
        return _extract(html, url)
    except MemoryError:  # the task's budget, not a broken page (worker/pool.py)
        raise
    except Exception:  # a broken page must not stop a batch; the page just yields nothing
        log.warning("extraction failed for %s", url, exc_info=True)
        return EMPTY


def _extract(html: str, url: str | None) -> Extracted:
    tree = load_html(html)
    if tree is None:
        return EMPTY
    # Read our own metadata before trafilatura, which prunes the tree it is given.
    declared_language = _declared_language(tree)
    canonical_url = _canonical_url(tree, url)
    published_at = _published_at(tree)

    doc = trafilatura.bare_extraction(tree, url=url, **TRAFILATURA_OPTIONS)
    title = author = description = None
    text = ""
    if isinstance(doc, Document):
        title, author, description = _clean(doc.title), _clean(doc.author), _clean(doc.description)
        if doc.body is not None:
            text = "\n\n".join(b.text for b in clean_blocks(_blocks(doc.body), title))
        if published_at is None and doc.date:
            published_at = _parse_datetime(doc.date)
    return Extracted(
        title=title,
        author=author,
        published_at=published_at,
        language=declared_language or detect_language(text),
        text=text,
        canonical_url=canonical_url,
        description=description,
    )


def _blocks(body: etree._Element) -> list[Block]:
    """trafilatura's body as blocks: its top-level paragraphs, headings, lists, quotes, tables."""
    texts = ((str(child.tag), xmltotxt(child, False).strip()) for child in body)
    return [Block(kind=kind, text=text) for kind, text in texts if text]


def _clean(value: str | None) -> str | None:
    value = re.sub(r"\s+", " ", value or "").strip()
    return value or None


def _first(tree: etree._Element, *xpaths: str) -> str | None:
    for xpath in xpaths:
        for value in tree.xpath(xpath):
            value = str(value).strip()
            if value:
                return value
    return None


def _declared_language(tree: etree._Element) -> str | None:
    for value in tree.xpath(
        "/html/@lang | /html/@xml:lang"
        " | //meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')='content-language']/@content"
        " | //meta[@name='language' or @name='dc.language' or @name='DC.language']/@content"
        " | //meta[@property='og:locale']/@content",
        namespaces={"xml": "http://www.w3.org/XML/1998/namespace"},
    ):
        code = normalise_language_tag(str(value))
        if code:
            return code
    return None


def _canonical_url(tree: etree._Element, url: str | None) -> str | None:
    href = _first(
        tree,
        "//link[contains(concat(' ', normalize-space(translate(@rel,'CANONICAL','canonical')), ' '),"
        " ' canonical ')]/@href",
        "//meta[@property='og:url' or @name='og:url']/@content",
    )
    if href is None:
        return None
    absolute = urljoin(url or "", href)
    parts = urlsplit(absolute)
    return absolute if parts.scheme in ("http", "https") and parts.netloc else None


_DATE_META = (
    "//meta[@property='article:published_time' or @name='article:published_time'"
    " or @property='og:published_time' or @itemprop='datePublished' or @name='pubdate'"
    " or @name='publishdate' or @name='publish-date' or @name='parsely-pub-date' or @name='sailthru.date'"
    " or @name='dc.date.issued' or @name='DC.date.issued' or @name='date']/@content",
    "//time[@itemprop='datePublished' or @pubdate]/@datetime",
)


def _published_at(tree: etree._Element) -> datetime | None:
    for xpath in _DATE_META:
        for value in tree.xpath(xpath):
            parsed = _parse_datetime(str(value))
            if parsed:
                return parsed
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        parsed = _json_ld_date(str(script))
        if parsed:
            return parsed
    return None


def _json_ld_date(script: str) -> datetime | None:
    try:
        data = json.loads(script)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json can follow
        return None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            value = item.get("datePublished")
            if isinstance(value, str) and (parsed := _parse_datetime(value)):
                return parsed
            stack.extend(v for v in item.values() if isinstance(v, list | dict))
    return None


def _parse_datetime(value: str) -> datetime | None:
    """ISO 8601 date or date-time -> aware UTC datetime; a naive one is taken as UTC."""
    value = re.sub(r"\s+(?=[+-]\d{2}:?\d{2}$)", "", value.strip()).replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
