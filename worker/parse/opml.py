"""OPML subscription lists: import (parse_opml) and export (render_opml).

Import takes every <outline> carrying an xmlUrl, at any depth (categories nest), keeps
only http(s) feeds, normalises their URLs and drops duplicates (first one wins).

Categories: a feed has at most one, a path of folder names joined by "/" ("News/Europe").
On import it is the path of the outlines the feed is nested in (their title, else their text);
a feed at the top level takes its ``category`` attribute instead, which OPML 2.0 defines as
comma-separated "/"-paths ("/News/Europe,Tech"): the first path is kept, the others dropped,
since feed readers file a feed in one folder. Export writes each category back as nested
outlines, so a list round-trips (grouped by folder). A folder name holding "/" reads back as
two levels.
Documents with a DOCTYPE are refused outright: OPML never needs one, and refusing it
is the simplest complete defence against entity expansion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import lxml.etree

from worker.parse.urls import normalize_url
from worker.parse.xmlguard import decode_for_scan

__all__ = ["OpmlFeed", "clean_category", "parse_opml", "render_opml"]

_ROOT_START_RE = re.compile(r"<[A-Za-z_]")
_BARE_AMP_RE = re.compile(rb"&(?!#[0-9]+;|#[xX][0-9A-Fa-f]+;|[A-Za-z_][A-Za-z0-9_.-]*;)")
_XML_INVALID_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None
    site_url: str | None
    category: str | None = None  # "News/Europe"; see the module's docstring


def clean_category(text: str | None) -> str | None:
    """A category path as stored: folder names with runs of white space made one space, joined by
    "/" without empty ones ("/ News //Europe/" -> "News/Europe"); None when nothing is left."""
    if text is None:
        return None
    parts = [" ".join(_clean(part).split()) for part in text.split("/")]
    return "/".join(p for p in parts if p) or None


def _is_outline(el: lxml.etree._Element) -> bool:
    return isinstance(el.tag, str) and lxml.etree.QName(el).localname.lower() == "outline"


def _attrs(el: lxml.etree._Element) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in el.attrib.items()}


def _category(outline: lxml.etree._Element, attrs: dict[str, str]) -> str | None:
    """The folders the outline sits in, else the first path of its category attribute."""
    folders = []
    for parent in outline.iterancestors():
        if not _is_outline(parent):
            continue
        parent_attrs = _attrs(parent)
        if "xmlurl" not in parent_attrs:
            folders.append(parent_attrs.get("title") or parent_attrs.get("text") or "")
    nested = clean_category("/".join(reversed(folders)))
    if nested is not None:
        return nested
    return clean_category(attrs.get("category", "").split(",")[0])


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """Feeds listed in an OPML document.  Raises ValueError("not an OPML document: ...")."""
    root = _parse_xml(data)
    if not isinstance(root.tag, str) or lxml.etree.QName(root).localname.lower() != "opml":
        raise ValueError(f"not an OPML document: root element is <{_tag_name(root)}>")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter():
        if not _is_outline(outline):
            continue
        attrs = _attrs(outline)
        url = normalize_url(attrs.get("xmlurl", ""))
        if url is None or url in seen:
            continue
        seen.add(url)
        title = " ".join((attrs.get("title") or attrs.get("text") or "").split()) or None
        if title is not None and normalize_url(title) == url:
            title = None  # render_opml writes the URL as text when a feed has no title
        feeds.append(OpmlFeed(url=url, title=title, site_url=normalize_url(attrs.get("htmlurl", "")),
                              category=_category(outline, attrs)))
    return feeds


def render_opml(feeds: Iterable[OpmlFeed], title: str = "news-worker feeds") -> str:
    """An OPML 2.0 document listing ``feeds``, each category as nested outlines (folders in the
    order first met); parse_opml(render_opml(x)) gives x back, folder by folder."""
    root = lxml.etree.Element("opml", version="2.0")
    head = lxml.etree.SubElement(root, "head")
    lxml.etree.SubElement(head, "title").text = _clean(title)
    body = lxml.etree.SubElement(root, "body")
    folders: dict[str, lxml.etree._Element] = {}

    def folder(path: str | None) -> lxml.etree._Element:
        if not path:
            return body
        if path not in folders:
            parent, _, name = path.rpartition("/")
            folders[path] = lxml.etree.SubElement(folder(parent), "outline", text=name, title=name)
        return folders[path]

    for feed in feeds:
        outline = lxml.etree.SubElement(folder(clean_category(feed.category)), "outline", type="rss",
                                        text=_clean(feed.title or feed.url))
        if feed.title:
            outline.set("title", _clean(feed.title))
        outline.set("xmlUrl", _clean(feed.url))
        if feed.site_url:
            outline.set("htmlUrl", _clean(feed.site_url))
    xml: bytes = lxml.etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return xml.decode("utf-8")


def _parse_xml(data: bytes) -> lxml.etree._Element:
    if not isinstance(data, bytes | bytearray | memoryview) or not bytes(data).strip():
        raise ValueError("not an OPML document: empty")
    prolog = _ROOT_START_RE.split(decode_for_scan(bytes(data)), maxsplit=1)[0]
    if "<!DOCTYPE" in prolog or "<!ENTITY" in prolog:
        raise ValueError("not an OPML document: DOCTYPE/ENTITY declarations are not accepted")
    try:
        root = _fromstring(bytes(data))
    except (ValueError, lxml.etree.LxmlError) as exc:
        # Exporters in the wild write a bare "&" in xmlUrl query strings.  Escaping bare
        # ampersands is the one repair attempted (libxml2's recovery mode would silently
        # drop "&b" from "?a=1&b=2" instead).
        repaired = _BARE_AMP_RE.sub(b"&amp;", bytes(data))
        try:
            root = None if repaired == bytes(data) else _fromstring(repaired)
        except (ValueError, lxml.etree.LxmlError):
            root = None
        if root is None:
            raise ValueError(f"not an OPML document: {exc}") from exc
    if root is None:
        raise ValueError("not an OPML document: no root element")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ValueError("not an OPML document: DOCTYPE/ENTITY declarations are not accepted")
    return root


def _fromstring(data: bytes) -> lxml.etree._Element | None:
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root: lxml.etree._Element | None = lxml.etree.fromstring(data, parser=parser)
    return root


def _tag_name(el: lxml.etree._Element) -> str:
    return lxml.etree.QName(el).localname if isinstance(el.tag, str) else "?"


def _clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (lxml refuses them)."""
    return _XML_INVALID_RE.sub("", text)
