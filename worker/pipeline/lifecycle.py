"""After ingest: extract stored articles again from their kept pages, and prune old articles.

Both go through the articles in id order, a batch per transaction, so neither holds a long
transaction (or many locks) while ingest runs beside it. CPU work (decompress, decode, extract,
parse statements) runs in the process pool between transactions, as ingest's does.
"""

from __future__ import annotations

import logging
import zlib
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime

from db import lifecycle
from db.database import Database
from db.records import ArticleRecord, KeptPage, PruneCounts, StoredPage, content_hash
from db.types import utcnow
from worker.extract import EXTRACTOR_VERSION, detect_language, extract_article
from worker.pipeline.charset import decode_html, looks_like_html
from worker.pipeline.progress import NO_PROGRESS, Progress
from worker.pipeline.statements import with_statements
from worker.pool import CpuPool, TaskFailed

log = logging.getLogger("worker.lifecycle")

EXTRACT_BATCH = 50  # articles read, extracted and written per transaction (pages are large)
PRUNE_BATCH = 500  # articles deleted per transaction

NO_PAGE = "no kept page (stored with keep_html off, or its text is the feed's)"
CHANGED_MEANWHILE = "its text changed while it was extracted (ingest stored a newer page)"


@dataclass(frozen=True)
class Reextracted:
    """What the current extractor makes of a kept page: ``status`` is changed, unchanged or failed."""

    status: str
    record: ArticleRecord | None = None  # changed: the new text, its language and statements
    reason: str | None = None  # failed: why the stored text stays


def reextract(page: KeptPage, old_hash: str, language: str | None, min_chars: int) -> Reextracted:
    """Decompress, decode and extract a kept page; with its statements when the text changed. Pure
    CPU work: runs in a worker process."""
    body = zlib.decompress(page.body_zlib)
    if not looks_like_html(body, page.content_type):
        kind = page.content_type or "no content type"
        return Reextracted("failed", reason=f"kept page is not HTML ({kind})")
    extracted = extract_article(decode_html(body, page.content_type), page.url)
    if content_hash(extracted.text) == old_hash:
        return Reextracted("unchanged")
    if len(extracted.text) < min_chars:
        return Reextracted("failed", reason=f"page text now too short ({len(extracted.text)} characters)")
    record = ArticleRecord(
        url=page.url, title=extracted.title, author=extracted.author, published_at=extracted.published_at,
        language=extracted.language or detect_language(extracted.text) or language, text=extracted.text,
        summary=None, source="page", source_reason=None, extracted_at=utcnow(),
        extractor_version=EXTRACTOR_VERSION,
    )
    return Reextracted("changed", with_statements(record))


@dataclass
class ExtractSummary:
    articles: int = 0  # looked at
    changed: int = 0  # new text stored, statements parsed again
    unchanged: int = 0  # the same text: only its extractor version was updated
    statements: int = 0  # statements the changed articles now have
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> articles
    failed: dict[str, int] = field(default_factory=dict)  # reason -> articles
    extractor_version: str = EXTRACTOR_VERSION

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def fail(self, reason: str) -> None:
        self.failed[reason] = self.failed.get(reason, 0) + 1


def _outcome(row: StoredPage, future: Future[Reextracted], summary: ExtractSummary) -> Reextracted | None:
    try:
        result = future.result()
    except TaskFailed as exc:
        log.warning("article %d: extraction %s", row.id, exc.reason)
        summary.fail(f"extraction {exc.reason}")
        return None
    except Exception as exc:  # one page that trips the extractor must not stop the rest
        log.warning("article %d: extraction failed: %s", row.id, exc)
        summary.fail(f"extraction failed: {exc.__class__.__name__}")
        return None
    if result.status == "failed":
        summary.fail(result.reason or "failed")
        return None
    return result


def reextract_articles(db: Database, pool: CpuPool | None = None, *, since: datetime | None = None,
                       feed_url: str | None = None, min_chars: int = 250, batch: int = EXTRACT_BATCH,
                       progress: Progress = NO_PROGRESS) -> ExtractSummary:
    """Extract every article in the filters again from its kept page. A text that changed replaces
    the stored one with its statements (unless ingest changed it meanwhile); an unchanged one gets
    the current extractor version; an article without a kept page is skipped, one whose page no
    longer yields a usable text keeps what it has (failed, with the reason)."""
    pool = pool or CpuPool.in_process()
    summary = ExtractSummary()
    with db.read() as session:
        progress.expect("articles", lifecycle.count_articles(session, feed_url=feed_url, since=since))
    after = 0
    while True:
        with db.read() as session:
            rows = lifecycle.pages_to_reextract(session, after_id=after, feed_url=feed_url, since=since,
                                                limit=batch)
        if not rows:
            return summary
        after = rows[-1].id
        summary.articles += len(rows)
        futures = [(row, pool.submit(reextract, row.page, row.content_hash, row.language, min_chars))
                   for row in rows if row.page is not None]
        summary.skip(NO_PAGE, sum(1 for row in rows if row.page is None))
        results = [(row, _outcome(row, future, summary)) for row, future in futures]
        now = utcnow()
        with db.transaction() as session:
            for row, result in results:
                if result is None:
                    continue
                if result.record is None:
                    lifecycle.mark_extracted(session, row.id, EXTRACTOR_VERSION, now)
                    summary.unchanged += 1
                elif lifecycle.replace_extracted(session, row, result.record):
                    summary.changed += 1
                    summary.statements += len(result.record.statements)
                else:
                    summary.skip(CHANGED_MEANWHILE)
        progress.advance("articles", len(rows))


def prune(db: Database, cutoff: datetime, *, dry_run: bool = False, batch: int = PRUNE_BATCH,
          progress: Progress = NO_PROGRESS) -> PruneCounts:
    """Delete the articles older than ``cutoff`` (see db.lifecycle.older_than), a batch per
    transaction, leaving tombstones of their URLs; with ``dry_run`` only count what would go."""
    total = PruneCounts()
    with db.read() as session:
        progress.expect("articles", lifecycle.count_to_prune(session, cutoff))
    after = 0
    while True:
        now = utcnow()
        with db.read() if dry_run else db.transaction() as session:
            ids = lifecycle.ids_to_prune(session, cutoff, after_id=after, limit=batch)
            if not ids:
                return total
            total.add(lifecycle.prune_articles(session, ids, now, dry_run=dry_run))
        after = ids[-1]
        progress.advance("articles", len(ids))
