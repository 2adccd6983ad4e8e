"""parse_feed: feed bytes + response headers + URL -> ParsedFeed.  Pure: no I/O.

feedparser is only ever given an in-memory stream (a str would make it fetch a URL with
no timeout or open a local path).  The feed URL reaches it as the Content-Location
response header, which is what feedparser uses as the base for relative links when it
did not fetch the document itself.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import io
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from worker.parse.text import plain_text, to_text
from worker.parse.urls import is_file_url, normalize_url
from worker.parse.xmlguard import EXPANSION_LIMIT, decode_for_scan, entity_expansion
from worker.pipeline.charset import text_encoding

__all__ = ["FeedParseError", "ParsedEntry", "ParsedFeed", "parse_feed"]

# Dates further ahead than this are typos or time-zone bugs; they would pin the entry at
# the top of every "newest first" list, so they are dropped (published_at None).
MAX_FUTURE = timedelta(days=2)
# Dates before the Unix epoch are dropped: no feed entry predates 1970, and such values
# are parse artefacts (epoch-zero defaults, two-digit years read as 19xx).
MIN_DATE = datetime(1970, 1, 1, tzinfo=UTC)
# <ttl> above a year is not a caching hint anyone means; treated as absent.
MAX_TTL_MINUTES = 365 * 24 * 60


class FeedParseError(ValueError):
    """The body is not a feed we can use; the message says why."""


@dataclass(frozen=True)
class ParsedEntry:
    guid: str
    link: str | None
    title: str | None
    author: str | None
    published_at: datetime | None
    summary: str | None
    content: str | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    ttl_seconds: int | None
    entries: tuple[ParsedEntry, ...]
    warning: str | None


def parse_feed(
    body: bytes, headers: Mapping[str, str], url: str, *, now: datetime | None = None
) -> ParsedFeed:
    """Parse a fetched feed.  Raises FeedParseError (only) when it is not a usable feed.

    ``now`` (default: the current time) is the reference for dropping future dates.
    """
    if not isinstance(body, bytes | bytearray | memoryview):
        raise FeedParseError(f"not a feed: body is {type(body).__name__}, not bytes")
    body = bytes(body)
    scan = decode_for_scan(body)
    if not scan.strip(" \t\r\n\x00\ufeff"):
        raise FeedParseError("not a feed: empty body")
    expansion = entity_expansion(scan)
    if expansion > EXPANSION_LIMIT:
        raise FeedParseError(
            f"feed declares XML entities that would expand to over {EXPANSION_LIMIT:,} characters"
        )
    allow_file = is_file_url(url)
    response_headers = _response_headers(headers, url, allow_file, _ascii_readable(body))
    try:
        result = feedparser.parse(
            io.BytesIO(_without_unknown_xml_encoding(body)),
            response_headers=response_headers,
            resolve_relative_uris=False,  # only entry/feed links are kept, as text
            sanitize_html=True,
        )
        if not result.get("entries"):
            if not result.get("version"):
                raise FeedParseError(_not_a_feed_reason(scan, result))
            feed = result.get("feed") or {}
            if _xml_error(result) is not None and not feed.get("title") and not feed.get("link"):
                # Ill-formed and nothing salvaged (e.g. a truncated download): an error says
                # more than an empty feed would.
                raise FeedParseError(f"not a feed: ill-formed XML ({_xml_error(result)}) and no entries")
        return _build(result, response_headers["content-location"], allow_file, now or datetime.now(UTC))
    except (FeedParseError, MemoryError):  # MemoryError: the task's budget (worker/pool.py)
        raise
    except Exception as exc:  # feedparser and friends on hostile input: never crash the worker
        raise FeedParseError(f"feed could not be parsed: {type(exc).__name__}: {exc}") from exc


def _response_headers(headers: Mapping[str, str], url: str, allow_file: bool,
                      ascii_body: bool = True) -> dict[str, str]:
    """Lower-cased copy of the headers with Content-Location resolved against ``url``, and without
    a charset that cannot be the body's (``_without_unknown_charset``).

    A Content-Location sent by the server becomes the base only if it resolves to a
    URL we accept (never file: for an http feed); otherwise the feed URL is the base.
    """
    out: dict[str, str] = {}
    for key, value in headers.items():
        if isinstance(key, str) and isinstance(value, str):
            out[key.lower()] = value
    base = url.strip()
    location = out.get("content-location", "").strip()
    if location:
        resolved = normalize_url(location, base, allow_file=allow_file)
        if resolved is not None:
            base = resolved
    out["content-location"] = base
    # The body handed to us is already decoded (httpx undoes gzip/br); a leftover
    # Content-Encoding header means nothing to a parser of the bytes.
    out.pop("content-encoding", None)
    if "content-type" in out:
        out["content-type"] = _without_unknown_charset(out["content-type"], ascii_body)
    return out


# Where feedparser looks for the XML declaration's encoding (its RE_XML_PI_ENCODING: the last
# "encoding=" of the first line, when that line starts a processing instruction).
_XML_ENCODING_RE = re.compile(rb"""^<\?.*(encoding=['"](.*?)['"]).*\?>""")


def _ascii_readable(body: bytes) -> bool:
    """No BOM of UTF-16/32 and no NUL byte in the first four: not a wide encoding."""
    return not body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" not in body[:4]


def _usable_label(label: str | bytes, ascii_body: bool) -> bool:
    codec = text_encoding(label)
    return codec is not None and not (ascii_body and codec in ("utf-16-le", "utf-16-be"))


def _without_unknown_charset(content_type: str, ascii_body: bool) -> str:
    """The Content-Type without a charset parameter that names no text encoding (charset=rot13;
    feedparser would try it, and "undefined" makes it raise), or UTF-16 for a body that is not."""
    kind, *params = content_type.split(";")
    kept = [p for p in params if p.partition("=")[0].strip().lower() != "charset"
            or _usable_label(p.partition("=")[2].strip().strip("\"'"), ascii_body)]
    return ";".join([kind, *kept])


def _without_unknown_xml_encoding(body: bytes) -> bytes:
    """The body with the encoding label of its XML declaration removed when it names no text
    encoding, or UTF-16 in a declaration readable as ASCII (it would be UTF-16 only with a wide
    first line): feedparser then decodes the feed as if no label had been given. Feeds in a wide
    encoding (UTF-16/32, EBCDIC) are left alone; their first bytes are not ASCII."""
    bom = codecs.BOM_UTF8 if body.startswith(codecs.BOM_UTF8) else b""
    head, newline, rest = body[len(bom):].partition(b"\n")
    changed = False
    while (match := _XML_ENCODING_RE.match(head)) is not None and not _usable_label(match.group(2), True):
        head = head[:match.start(1)] + head[match.end(1):]
        changed = True
    if not changed:
        return body
    return bom + head + newline + rest


def _not_a_feed_reason(scan: str, result: Any) -> str:
    head = scan.lstrip(" \t\r\n\x00\ufeff\ufffe")[:1024].lower()
    if head.startswith("<!doctype html") or head.startswith("<html") or "<html" in head:
        return "not a feed: HTML page"
    if head[:1] in ("{", "["):
        return "not a feed: JSON document (JSON Feed is not supported)"
    if not head.startswith("<"):
        return "not a feed: not XML"
    reason = _xml_error(result)
    if reason is not None:
        return f"not a feed: ill-formed XML ({reason})"
    return "not a feed: no RSS, Atom or RDF root element"


def _xml_error(result: Any) -> BaseException | None:
    """feedparser's bozo exception if it is a real syntax error, not a mere remark."""
    exc = result.get("bozo_exception") if result.get("bozo") else None
    if isinstance(exc, BaseException) and not isinstance(exc, feedparser.ThingsNobodyCaresAboutButMe):
        return exc
    return None


def _build(result: Any, base: str, allow_file: bool, now: datetime) -> ParsedFeed:
    feed = result.get("feed") or {}
    entries: list[ParsedEntry] = []
    seen: set[str] = set()
    for raw in result.get("entries") or ():
        entry = _entry(raw, base, allow_file, now)
        if entry.guid not in seen:  # duplicated guid inside one feed: the first one wins
            seen.add(entry.guid)
            entries.append(entry)
    exc = _xml_error(result)  # remarks such as "served as text/plain" are not worth an error
    warning = f"{type(exc).__name__}: {exc}" if exc is not None else None
    return ParsedFeed(
        title=_field_text(feed, "title"),
        site_url=_link(feed, base, allow_file),
        ttl_seconds=_ttl_seconds(feed.get("ttl")),
        entries=tuple(entries),
        warning=warning,
    )


def _entry(raw: Any, base: str, allow_file: bool, now: datetime) -> ParsedEntry:
    link = _link(raw, base, allow_file)
    title = _field_text(raw, "title")
    summary = _field_text(raw, "summary")
    guid = _str(raw.get("id")).strip()
    if not guid:
        guid = link or _content_hash(title, summary)
    author = plain_text(_str(raw.get("author"))) or None
    return ParsedEntry(
        guid=guid,
        link=link,
        title=title,
        author=author,
        # dict.get: FeedParserDict.get("updated_parsed") would fall back to published_parsed
        # with a DeprecationWarning; ask for exactly the stored keys.
        published_at=_date(dict.get(raw, "published_parsed"), now)
        or _date(dict.get(raw, "updated_parsed"), now),
        summary=summary,
        content=_content(raw.get("content")),
    )


def _content_hash(title: str | None, summary: str | None) -> str:
    digest = hashlib.sha256(f"{title or ''}\n{summary or ''}".encode()).hexdigest()
    return f"sha256:{digest}"


def _link(item: Any, base: str, allow_file: bool) -> str | None:
    """The item's link (rel=alternate first), absolute and normalised, if allowed."""
    candidates = [item.get("link")]
    links = item.get("links") or ()
    candidates += [x.get("href") for x in links if isinstance(x, Mapping) and x.get("rel") == "alternate"]
    for candidate in candidates:
        if not isinstance(candidate, str) or not candidate.strip():
            continue
        if allow_file:
            candidate = _repair_file_url(candidate)
        link = normalize_url(candidate, base, allow_file=allow_file)
        if link is not None:
            return link
    return None


def _repair_file_url(url: str) -> str:
    """Undo feedparser turning file:///a/b into file://a/b (it collapses slashes after "://").

    Only applied to local (file:) feeds, whose links can only mean local paths.
    """
    stripped = url.strip()
    if stripped.lower().startswith("file://") and not stripped.lower().startswith(
        ("file:///", "file://localhost/")
    ):
        return "file:///" + stripped[len("file://") :]
    return url


def _field_text(item: Any, key: str) -> str | None:
    value = _str(item.get(key))
    detail = item.get(f"{key}_detail")
    mime = detail.get("type") if isinstance(detail, Mapping) else None
    if mime is None:
        # feedparser copies an Atom <content> into "summary" without a summary_detail;
        # the content block still says whether the text is HTML.
        for block in item.get("content") or ():
            if isinstance(block, Mapping) and block.get("value") == value:
                mime = block.get("type")
                break
    return to_text(value, _str(mime) or None)


def _content(contents: Any) -> str | None:
    """Plain text of the richest content block (the longest once converted)."""
    best: str | None = None
    for block in contents or ():
        if not isinstance(block, Mapping):
            continue
        text = to_text(_str(block.get("value")), _str(block.get("type")) or None)
        if text and (best is None or len(text) > len(best)):
            best = text
    return best


def _date(value: Any, now: datetime) -> datetime | None:
    if not isinstance(value, time.struct_time | tuple) or len(value) < 6:
        return None
    try:
        # feedparser's *_parsed values are UTC; timegm avoids the local time zone.
        moment = datetime.fromtimestamp(calendar.timegm((*tuple(value)[:6], 0, 0, 0)), tz=UTC)
    except (ValueError, OverflowError, OSError, TypeError):
        return None
    if moment < MIN_DATE or moment > now + MAX_FUTURE:
        return None
    return moment


def _ttl_seconds(value: Any) -> int | None:
    text = _str(value).strip()
    if not text.isascii() or not text.isdigit():
        return None
    minutes = int(text)
    if minutes > MAX_TTL_MINUTES:
        return None
    return minutes * 60


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
