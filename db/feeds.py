"""Queries on the feeds table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import Feed
from db.records import FeedState


def get_feed(session: Session, url: str) -> Feed | None:
    return session.scalars(select(Feed).where(Feed.url == url)).first()


def add_feed(session: Session, url: str, *, title: str | None = None, site_url: str | None = None,
             interval_seconds: int | None = None) -> tuple[Feed, bool]:
    """The feed with this URL, added if new; returns (feed, added)."""
    feed = get_feed(session, url)
    if feed is not None:
        if title and not feed.title:
            feed.title = title
        if interval_seconds is not None:
            feed.interval_seconds = interval_seconds
        return feed, False
    feed = Feed(url=url, title=title, site_url=site_url, interval_seconds=interval_seconds,
                enabled=True, error_count=0)
    session.add(feed)
    session.flush()
    return feed, True


def remove_feed(session: Session, url: str) -> bool:
    return session.execute(delete(Feed).where(Feed.url == url)).rowcount > 0  # type: ignore[attr-defined]


def list_feeds(session: Session) -> Sequence[Feed]:
    return session.scalars(select(Feed).order_by(Feed.id)).all()


def feeds_to_poll(session: Session, *, urls: Iterable[str] | None = None,
                  due_before: datetime | None = None) -> list[FeedState]:
    """Enabled feeds (or exactly the named ones), optionally only those due by `due_before`."""
    query = select(Feed).order_by(Feed.id)
    if urls is not None:
        query = query.where(Feed.url.in_(list(urls)))
    else:
        query = query.where(Feed.enabled.is_(True))
    if due_before is not None:
        query = query.where((Feed.next_check_at.is_(None)) | (Feed.next_check_at <= due_before))
    return [
        FeedState(id=f.id, url=f.url, etag=f.etag, last_modified=f.last_modified,
                  error_count=f.error_count, interval_seconds=f.interval_seconds)
        for f in session.scalars(query)
    ]
