"""One entry's page -> an ArticleRecord: fetch, decode, extract; fall back to the feed's own text."""

from __future__ import annotations

import dataclasses
import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from db.records import ArticleRecord, KeptPage
from db.types import utcnow
from worker.extract import EXTRACTOR_VERSION, Extracted, detect_language, extract_article
from worker.fetch import BadStatus, Fetcher, FetchError
from worker.parse.feed import ParsedEntry
from worker.parse.urls import is_file_url, normalize_url
from worker.pipeline.charset import decode_html, looks_like_html
from worker.pipeline.schedule import Retry, after_failure
from worker.pipeline.statements import with_statements
from worker.pool import CpuPool, TaskFailed
from worker.settings import Settings

log = logging.getLogger("worker.pages")


@dataclass(frozen=True)
class PageResult:
    record: ArticleRecord
    fetched: bool  # the page was fetched and its text kept
    retry: Retry | None = None  # not fetched, to be tried again: when (and whether the server asked)
    page: KeptPage | None = None  # the page as fetched, to keep with the article (keep_html)


PAGE_COMPRESSION = 6  # zlib level of kept pages: most of level 9's gain at a fraction of its time


def kept_page(body: bytes, content_type: str | None, url: str) -> KeptPage:
    """The fetched body, compressed, with what decoding it again needs."""
    return KeptPage(url=url, content_type=content_type, body_zlib=zlib.compress(body, PAGE_COMPRESSION),
                    size=len(body))


def feed_text(entry: ParsedEntry) -> str:
    """The richest text the feed itself carries for this entry."""
    candidates = [t for t in (entry.content, entry.summary) if t]
    return max(candidates, key=len) if candidates else ""


def _acceptable_canonical(url: str | None, allow_file: bool) -> str | None:
    normal = normalize_url(url, allow_file=allow_file) if url else None
    if normal is None:
        return None
    # A canonical pointing at the site's front page is a common misconfiguration, not an identity.
    if urlsplit(normal).path in ("", "/"):
        return None
    return normal


def fallback_record(entry: ParsedEntry, reason: str, *, attempts: int, page: Extracted | None = None,
                    parse: bool = True) -> ArticleRecord:
    """The entry as the feed tells it. With ``parse``, its language is detected and its statements
    parsed: CPU work, for a worker process (the pool), and only for text that is stored for good;
    a provisional record (the page is still to come) skips both."""
    text = feed_text(entry)
    assert entry.link is not None or entry.guid
    language = page.language if page else None
    record = ArticleRecord(
        url=entry.link or entry.guid,
        title=entry.title or (page.title if page else None),
        author=entry.author or (page.author if page else None),
        published_at=entry.published_at or (page.published_at if page else None),
        language=language or (detect_language(text) if parse else None),
        text=text,
        summary=entry.summary,
        source="feed",
        source_reason=reason,
        extracted_at=utcnow(),
        extractor_version=EXTRACTOR_VERSION,
        page_attempts=attempts,
    )
    return with_statements(record) if parse else record


# source_reason while the page waits: for people to read (code reads ArticleRecord.provisional)
PROVISIONAL_REASON = "page not fetched yet"


def provisional_record(entry: ParsedEntry) -> ArticleRecord:
    """A new entry's feed text, stored until its queued page comes: neither its language nor its
    statements are worked out, as it is not kept for good."""
    record = fallback_record(entry, PROVISIONAL_REASON, attempts=0, parse=False)
    return dataclasses.replace(record, provisional=True)


def kept_feed_text(entry: ParsedEntry, reason: str, attempts: int) -> ArticleRecord:
    """The feed's text stored for good, with its language and statements (a pool task)."""
    return fallback_record(entry, reason, attempts=attempts)


def page_outcome(body: bytes, content_type: str | None, url: str, entry: ParsedEntry, min_chars: int,
                 attempts: int, give_up: int, keep: bool = False) -> PageResult:
    """A fetched page -> its article, or the feed's text with the reason the page would not do.
    Pure CPU work (decode, extract, detect the language, parse statements): runs in a worker process.
    With ``keep``, a page whose text is used comes back compressed with it (PageResult.page)."""
    if not looks_like_html(body, content_type):
        reason = f"page is not HTML ({content_type or 'no content type'})"
        return PageResult(fallback_record(entry, reason, attempts=give_up), False)
    html = decode_html(body, content_type)
    page = extract_article(html, url)
    text_from_feed = feed_text(entry)
    if len(page.text) < min_chars and len(text_from_feed) > len(page.text):
        reason = f"page text too short ({len(page.text)} characters)"
        return PageResult(fallback_record(entry, reason, attempts=give_up, page=page), False)
    is_local = is_file_url(url)
    record = ArticleRecord(
        url=(_acceptable_canonical(page.canonical_url, is_local)
             or normalize_url(url, allow_file=is_local) or entry.link or url),
        title=page.title or entry.title,
        author=page.author or entry.author,
        published_at=entry.published_at or page.published_at,
        language=page.language or detect_language(page.text),
        text=page.text,
        summary=entry.summary or page.description,
        source="page",
        source_reason=None,
        extracted_at=utcnow(),
        extractor_version=EXTRACTOR_VERSION,
        page_attempts=attempts,
    )
    page_kept = kept_page(body, content_type, url) if keep else None
    return PageResult(with_statements(record), True, page=page_kept)


async def feed_text_record(cpu: CpuPool, entry: ParsedEntry, reason: str, *, attempts: int,
                    final: bool) -> ArticleRecord:
    """The feed's text in place of the page; parsed in the pool only when it is kept for good
    (``final``), and stored unparsed if even that runs past its budget."""
    if not final:
        return fallback_record(entry, reason, attempts=attempts, parse=False)
    try:
        return await cpu.run(kept_feed_text, entry, reason, attempts)
    except TaskFailed as exc:
        log.warning("statements of the feed text of %s: %s", entry.link or entry.guid, exc.reason)
        return fallback_record(entry, reason, attempts=attempts, parse=False)


async def fetch_article(fetcher: Fetcher, entry: ParsedEntry, settings: Settings, cpu: CpuPool, *,
                        local_root: Path | None, attempts_before: int = 0) -> PageResult:
    """Fetch the entry's page and extract it in the pool. Never raises for a bad page: falls back to
    the feed text (a page whose extraction runs past its budget included)."""
    assert entry.link is not None
    attempts = attempts_before + 1
    give_up = settings.page_retry_limit  # no use retrying what will not change
    try:
        response = await fetcher.fetch(entry.link, kind="page", local_root=local_root)
    except FetchError as exc:
        status, headers = (exc.status, exc.headers) if isinstance(exc, BadStatus) else (None, None)
        retry = after_failure(exc.kind, status, headers, attempts, utcnow())
        final = not retry.retry or attempts >= give_up
        record = await feed_text_record(cpu, entry, f"page fetch failed: {exc.reason}",
                                        attempts=attempts if retry.retry else give_up, final=final)
        return PageResult(record, False, retry=None if final else retry)
    try:
        return await cpu.run(page_outcome, response.body, response.headers.get("content-type"), response.url,
                             entry, settings.min_article_chars, attempts, give_up, settings.keep_html)
    except TaskFailed as exc:  # a pathological page: its text would not come out any better next time
        log.warning("page %s: extraction %s", entry.link, exc.reason)
        record = await feed_text_record(cpu, entry, f"extraction {exc.reason}", attempts=give_up, final=True)
        return PageResult(record, False)
