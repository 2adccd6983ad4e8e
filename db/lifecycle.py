"""An article's life after ingest: its kept page, extracting it again, pruning it, its tombstone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from db.articles import article_conditions
from db.engine import chunks, upsert_insert
from db.models import Article, ArticlePage, ArticleTombstone, FeedEntry, PageJob, Statement
from db.records import ArticleRecord, KeptPage, PruneCounts, StoredPage
from db.statements import write_statements

# --- kept pages ---------------------------------------------------------------------------------

def keep_page(session: Session, article_id: int, page: KeptPage, fetched_at: datetime) -> None:
    """Store (or replace) the article's kept page, in the caller's transaction."""
    values = {"url": page.url, "fetched_at": fetched_at, "content_type": page.content_type,
              "encoding": page.encoding, "size": page.size, "html_zlib": page.body_zlib}
    stmt = upsert_insert(session)(ArticlePage).values(article_id=article_id, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["article_id"], set_=values))


def count_articles(session: Session, *, feed_url: str | None = None, since: datetime | None = None) -> int:
    """How many articles pages_to_reextract goes through (for a progress display)."""
    query = select(func.count()).select_from(Article).where(
        *article_conditions(feed_url=feed_url, since=since))
    return int(session.scalar(query) or 0)


def pages_to_reextract(session: Session, *, after_id: int = 0, feed_url: str | None = None,
                       since: datetime | None = None, limit: int = 100) -> list[StoredPage]:
    """The next `limit` articles (by id, after `after_id`) in the filters, each with its kept page
    or None."""
    query = (select(Article.id, Article.url, Article.source, Article.content_hash, Article.language,
                    ArticlePage.url, ArticlePage.content_type, ArticlePage.html_zlib, ArticlePage.size,
                    ArticlePage.encoding)
             .outerjoin(ArticlePage, ArticlePage.article_id == Article.id)
             .where(Article.id > after_id, *article_conditions(feed_url=feed_url, since=since))
             .order_by(Article.id).limit(limit))
    out = []
    for aid, url, source, digest, language, page_url, ctype, body, size, encoding in session.execute(query):
        page = KeptPage(page_url, ctype, body, size, encoding) if body is not None else None
        out.append(StoredPage(aid, url, source, digest, language, page))
    return out


def replace_extracted(session: Session, stored: StoredPage, rec: ArticleRecord) -> bool:
    """Write a re-extracted text (and its statements) over the article unless its text changed
    since it was read (ingest wrote a newer page meanwhile): then False and nothing is written.
    The search index follows through its triggers."""
    result = session.execute(
        update(Article).where(Article.id == stored.id, Article.content_hash == stored.content_hash)
        .values(text=rec.text, content_hash=rec.content_hash, language=rec.language,
                extractor_version=rec.extractor_version, extracted_at=rec.extracted_at,
                statements_version=rec.statements_version, updated_at=rec.extracted_at))
    if getattr(result, "rowcount", 0) != 1:
        return False
    write_statements(session, stored.id, rec.text, rec.statements, rec.statements_version)
    return True


def mark_extracted(session: Session, article_id: int, version: str, at: datetime) -> None:
    """The article's text is what this extractor version makes of its page: record the version."""
    session.execute(update(Article).where(Article.id == article_id)
                    .values(extractor_version=version, extracted_at=at))


# --- tombstones ---------------------------------------------------------------------------------

def tombstoned(session: Session, urls: Iterable[str]) -> set[str]:
    """Which of these (normalised) URLs belonged to pruned articles."""
    found: set[str] = set()
    for chunk in chunks(list(dict.fromkeys(urls))):
        found.update(session.scalars(select(ArticleTombstone.url).where(ArticleTombstone.url.in_(chunk))))
    return found


def forget_tombstones(session: Session, before: datetime, *, dry_run: bool = False) -> int:
    """Delete the tombstones of articles pruned before `before` (their URLs may be ingested again)."""
    old = ArticleTombstone.pruned_at < before
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(ArticleTombstone).where(old)) or 0)
    result = session.execute(delete(ArticleTombstone).where(old))
    return int(getattr(result, "rowcount", 0) or 0)


# --- pruning ------------------------------------------------------------------------------------

def older_than(cutoff: datetime) -> ColumnElement[bool]:
    """Published before `cutoff`; an article without a publication date by when it was stored."""
    return ((Article.published_at < cutoff)
            | (Article.published_at.is_(None) & (Article.created_at < cutoff)))


def count_to_prune(session: Session, cutoff: datetime) -> int:
    return int(session.scalar(select(func.count()).select_from(Article).where(older_than(cutoff))) or 0)


def ids_to_prune(session: Session, cutoff: datetime, *, after_id: int = 0, limit: int = 500) -> list[int]:
    query = (select(Article.id).where(Article.id > after_id, older_than(cutoff))
             .order_by(Article.id).limit(limit))
    return list(session.scalars(query))


def _count(session: Session, column: Any, ids: Sequence[int]) -> int:
    return int(session.scalar(select(func.count()).where(column.in_(ids))) or 0)


def _urls_of(session: Session, ids: Sequence[int]) -> set[str]:
    urls = set(session.scalars(select(Article.url).where(Article.id.in_(ids))))
    urls.update(link for link in session.scalars(select(FeedEntry.link).where(FeedEntry.article_id.in_(ids)))
                if link)
    return urls


def prune_articles(session: Session, ids: Sequence[int], now: datetime, *,
                   dry_run: bool = False) -> PruneCounts:
    """Delete these articles with their statements, feed entries, queued page jobs and kept pages,
    and remember their URLs (and their entries' links) as tombstones; with ``dry_run`` only count."""
    counts = PruneCounts(
        articles=len(ids),
        statements=_count(session, Statement.article_id, ids),
        feed_entries=_count(session, FeedEntry.article_id, ids),
        page_jobs=_count(session, PageJob.article_id, ids),
        kept_pages=_count(session, ArticlePage.article_id, ids),
    )
    urls = _urls_of(session, ids)
    counts.tombstones = len(urls)
    if dry_run or not ids:
        return counts
    # Children first and explicitly (not by ON DELETE CASCADE) so the search triggers on
    # statements fire on SQLite and PostgreSQL alike.
    for model in (Statement, FeedEntry, PageJob, ArticlePage):
        session.execute(delete(model).where(model.article_id.in_(ids)))
    session.execute(delete(Article).where(Article.id.in_(ids)))
    if urls:
        rows = [{"url": u, "pruned_at": now} for u in sorted(urls)]
        stmt = upsert_insert(session)(ArticleTombstone).values(rows)
        session.execute(stmt.on_conflict_do_update(index_elements=["url"], set_={"pruned_at": now}))
    return counts
