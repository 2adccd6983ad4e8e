"""Queries on stored articles, for the CLI and for people reading the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from db.feeds import categories_matching, in_category
from db.models import Article, Feed, FeedEntry

ARTICLE_COLUMNS = (
    "id", "url", "title", "author", "published_at", "language", "text", "summary", "source",
    "source_reason", "content_hash", "extracted_at", "extractor_version", "statements_version",
    "created_at", "updated_at",
)


def published_since(since: datetime) -> ColumnElement[bool]:
    """Published on or after `since`; an article without a date counts from when it was stored."""
    return (Article.published_at >= since) | (Article.published_at.is_(None) & (Article.created_at >= since))


# The feed an article came from: the first that listed it (an article in several feeds is stored once).
FEED_FIELDS = ("feed_url", "feed_title")


def stored_since(since: datetime) -> ColumnElement[bool]:
    """Stored (first ingested) on or after `since`, whenever it was published."""
    return Article.created_at >= since


def article_conditions(*, feed_url: str | None = None, since: datetime | None = None,
                       stored_after: datetime | None = None,
                       categories: list[str] | None = None) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the article filters the listing commands share: in the feed with
    this URL, published since (see published_since), stored since, from a feed in one of these
    categories (db.feeds.categories_matching)."""
    conditions: list[ColumnElement[bool]] = []
    if feed_url is not None:
        conditions.append(
            Article.id.in_(select(FeedEntry.article_id).join(Feed).where(Feed.url == feed_url)))
    if categories is not None:
        conditions.append(
            Article.id.in_(select(FeedEntry.article_id).join(Feed).where(Feed.category.in_(categories))))
    if since is not None:
        conditions.append(published_since(since))
    if stored_after is not None:
        conditions.append(stored_since(stored_after))
    return conditions


def with_first_feed(query: Select[Any]) -> Select[Any]:
    """``query`` (on articles) with the URL and title of the article's first feed (the one whose
    entry for it was stored first) added as columns; NULL for an article no feed lists any more.
    Two index lookups per article (ix_feed_entries_article_id, then the feed's primary key) once
    PostgreSQL has statistics on feed_entries (autovacuum's ANALYZE: right after a bulk load,
    without them, it may walk feed_entries by id instead)."""
    first_entry = (select(func.min(FeedEntry.id)).where(FeedEntry.article_id == Article.id)
                   .correlate(Article).scalar_subquery())
    first_feed = select(FeedEntry.feed_id).where(FeedEntry.id == first_entry).scalar_subquery()
    return query.add_columns(Feed.url.label("feed_url"), Feed.title.label("feed_title")).outerjoin(
        Feed, Feed.id == first_feed)


def list_articles(session: Session, *, feed_url: str | None = None, since: datetime | None = None,
                  stored_after: datetime | None = None, limit: int | None = None,
                  category: str | None = None) -> list[dict[str, Any]]:
    """Articles, newest first (by publication date, else by when stored), as plain dicts with
    their first feed's URL and title (FEED_FIELDS)."""
    query = with_first_feed(select(*(getattr(Article, c) for c in ARTICLE_COLUMNS)))
    categories = categories_matching(session, category) if category is not None else None
    query = query.where(*article_conditions(feed_url=feed_url, since=since, stored_after=stored_after,
                                            categories=categories))
    query = query.order_by(Article.published_at.desc().nulls_last(), Article.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [dict(row._mapping) for row in session.execute(query)]


def feed_rows(session: Session, *, category: str | None = None) -> list[dict[str, Any]]:
    """Every feed (in this category or below it) with its state, as plain dicts, oldest first."""
    columns = [c.name for c in Feed.__table__.columns]
    query = select(Feed).order_by(Feed.id)
    if category is not None:
        query = query.where(in_category(session, category))
    return [{c: getattr(f, c) for c in columns} for f in session.scalars(query)]
