"""One entry's page -> an ArticleRecord: fetch, decode, extract; fall back to the feed's own text."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from db.records import ArticleRecord
from db.types import utcnow
from worker.extract import EXTRACTOR_VERSION, Extracted, detect_language, extract_article
from worker.fetch import BadStatus, Fetcher, FetchError
from worker.parse.feed import ParsedEntry
from worker.parse.urls import normalize_url
from worker.pipeline.charset import decode_html, looks_like_html
from worker.pipeline.schedule import retry_after
from worker.pipeline.statements import with_statements
from worker.settings import Settings


@dataclass(frozen=True)
class PageResult:
    record: ArticleRecord
    fetched: bool  # the page was fetched and its text kept
    server_wait: float | None = None  # the host answered 429/503 with a Retry-After of this many seconds
    retryable: bool = False  # the failure may well go away (timeouts, 5xx, 429)


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


def fallback_record(entry: ParsedEntry, reason: str, *, attempts: int,
                    page: Extracted | None = None) -> ArticleRecord:
    """The entry as the feed tells it, with the statements of its text. Parsing is CPU work: async
    code calls this through asyncio.to_thread."""
    text = feed_text(entry)
    assert entry.link is not None or entry.guid
    return with_statements(ArticleRecord(
        url=entry.link or entry.guid,
        title=entry.title or (page.title if page else None),
        author=entry.author or (page.author if page else None),
        published_at=entry.published_at or (page.published_at if page else None),
        language=(page.language if page else None) or detect_language(text),
        text=text,
        summary=entry.summary,
        source="feed",
        source_reason=reason,
        extracted_at=utcnow(),
        extractor_version=EXTRACTOR_VERSION,
        page_attempts=attempts,
    ))


async def _fallback(entry: ParsedEntry, reason: str, *, attempts: int,
                    page: Extracted | None = None) -> PageResult:
    record = await asyncio.to_thread(fallback_record, entry, reason, attempts=attempts, page=page)
    return PageResult(record, False)


async def fetch_article(fetcher: Fetcher, entry: ParsedEntry, settings: Settings, *,
                        local_root: Path | None, attempts_before: int = 0) -> PageResult:
    """Fetch and extract the entry's page. Never raises for a bad page: falls back to the feed text."""
    assert entry.link is not None
    attempts = attempts_before + 1
    give_up = settings.page_retry_limit  # no use retrying what will not change
    try:
        response = await fetcher.fetch(entry.link, kind="page", local_root=local_root)
    except BadStatus as exc:
        final = exc.status in (404, 410) or (400 <= exc.status < 500 and exc.status not in (408, 429))
        result = await _fallback(entry, f"page fetch failed: {exc.reason}",
                                 attempts=give_up if final else attempts)
        wait = retry_after(exc.headers, utcnow()) if exc.status in (429, 503) else None
        return PageResult(result.record, False, server_wait=wait, retryable=not final)
    except FetchError as exc:
        final = not exc.retryable
        result = await _fallback(entry, f"page fetch failed: {exc.reason}",
                                 attempts=give_up if final else attempts)
        return PageResult(result.record, False, retryable=not final)
    content_type = response.headers.get("content-type")
    if not looks_like_html(response.body, content_type):
        return await _fallback(entry, f"page is not HTML ({content_type or 'no content type'})",
                               attempts=give_up)
    html = decode_html(response.body, content_type)
    page = await asyncio.to_thread(extract_article, html, response.url)
    text_from_feed = feed_text(entry)
    if len(page.text) < settings.min_article_chars and len(text_from_feed) > len(page.text):
        reason = f"page text too short ({len(page.text)} characters)"
        return await _fallback(entry, reason, attempts=give_up, page=page)
    is_local = urlsplit(response.url).scheme == "file"
    url = (_acceptable_canonical(page.canonical_url, is_local)
           or normalize_url(response.url, allow_file=is_local) or entry.link)
    record = ArticleRecord(
        url=url,
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
    return PageResult(await asyncio.to_thread(with_statements, record), True)
