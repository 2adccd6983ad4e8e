"""Queries on stored articles, for the CLI and for people reading the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from db.feeds import in_category
from db.models import Article, Feed, FeedEntry

ARTICLE_COLUMNS = (
    "id", "url", "title", "author", "published_at", "language", "text", "summary", "source",
    "source_reason", "content_hash", "extracted_at", "extractor_version", "statements_version",
    "created_at", "updated_at",
)


def published_since(since: datetime) -> ColumnElement[bool]:
    """Published on or after `since`; an article without a date counts from when it was stored."""
    return (Article.published_at >= since) | (Article.published_at.is_(None) & (Article.created_at >= since))


def list_articles(session: Session, *, feed_url: str | None = None, since: datetime | None = None,
                  limit: int | None = None, category: str | None = None) -> list[dict[str, Any]]:
    """Articles, newest first (by publication date, else by when stored), as plain dicts."""
    query = select(Article)
    if feed_url is not None:
        query = query.where(
            Article.id.in_(select(FeedEntry.article_id).join(Feed).where(Feed.url == feed_url))
        )
    if category is not None:  # from a feed in this category (or below it)
        query = query.where(Article.id.in_(
            select(FeedEntry.article_id).join(Feed).where(in_category(session, category))))
    if since is not None:
        query = query.where(published_since(since))
    query = query.order_by(Article.published_at.desc().nulls_last(), Article.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [{c: getattr(a, c) for c in ARTICLE_COLUMNS} for a in session.scalars(query)]


def feed_rows(session: Session, *, category: str | None = None) -> list[dict[str, Any]]:
    """Every feed (in this category or below it) with its state, as plain dicts, oldest first."""
    columns = [c.name for c in Feed.__table__.columns]
    query = select(Feed).order_by(Feed.id)
    if category is not None:
        query = query.where(in_category(session, category))
    return [{c: getattr(f, c) for c in columns} for f in session.scalars(query)]
