"""Queries on the feeds table."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from db.models import Article, Feed, FeedEntry, PageJob
from db.queue import claimable
from db.records import FeedState


def get_feed(session: Session, url: str) -> Feed | None:
    return session.scalars(select(Feed).where(Feed.url == url)).first()


def find_feed(session: Session, key: int | str) -> Feed | None:
    """A feed by its id (an int) or its stored URL (a str)."""
    if isinstance(key, int):
        return session.get(Feed, key)
    return get_feed(session, key)


def add_feed(session: Session, url: str, *, title: str | None = None, site_url: str | None = None,
             interval_seconds: int | None = None, category: str | None = None) -> tuple[Feed, bool]:
    """The feed with this URL, added if new; returns (feed, added). A feed already stored gets
    what it lacks (title, category) and the interval if one is given."""
    feed = get_feed(session, url)
    if feed is not None:
        if title and not feed.title:
            feed.title = title
        if category and not feed.category:
            feed.category = category
        if interval_seconds is not None:
            feed.interval_seconds = interval_seconds
        return feed, False
    feed = Feed(url=url, title=title, site_url=site_url, interval_seconds=interval_seconds,
                category=category, enabled=True, error_count=0)
    session.add(feed)
    session.flush()
    return feed, True


EDITABLE = ("title", "interval_seconds", "category")


def edit_feed(session: Session, feed: Feed, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the given columns among EDITABLE (None clears one); returns {column: (old, new)} of
    those that changed."""
    changed: dict[str, tuple[Any, Any]] = {}
    for column, new in values.items():
        if column not in EDITABLE:
            raise ValueError(f"{column} cannot be edited")
        old = getattr(feed, column)
        if old != new:
            setattr(feed, column, new)
            changed[column] = (old, new)
    session.flush()
    return changed


def set_enabled(session: Session, feed: Feed, enabled: bool, *, reason: str | None = None) -> bool:
    """Enable or disable a feed; False when it already was. An enabled feed is due at once and
    its disabled_reason goes; a disabled one keeps ``reason``."""
    if feed.enabled == enabled:
        return False
    feed.enabled = enabled
    feed.disabled_reason = None if enabled else reason
    if enabled:
        feed.next_check_at = None
        feed.next_check_reason = "enabled by hand"
    session.flush()
    return True


def delete_feed(session: Session, feed: Feed) -> None:
    """Remove a feed (its articles stay; its entries go, its queued pages lose their feed)."""
    session.delete(feed)
    session.flush()


def categories_matching(session: Session, category: str) -> list[str]:
    """Stored categories equal to ``category`` or below it ("News" takes "News/Europe"), in any case.

    Compared here rather than in SQL: SQLite's lower() leaves non-ASCII letters as they are."""
    wanted = category.casefold()
    names = session.scalars(select(Feed.category).where(Feed.category.is_not(None)).distinct())
    return sorted(n for n in names if n and (n.casefold() == wanted or n.casefold().startswith(wanted + "/")))


def in_category(session: Session, category: str) -> ColumnElement[bool]:
    """The condition on feeds for `--category`."""
    return Feed.category.in_(categories_matching(session, category))


def category_feeds(session: Session, category: str) -> list[tuple[str, bool]]:
    """(url, enabled) of the feeds in this category or below it, oldest first."""
    query = select(Feed.url, Feed.enabled).where(in_category(session, category)).order_by(Feed.id)
    return [(url, bool(enabled)) for url, enabled in session.execute(query)]


def feed_activity(session: Session) -> dict[int, dict[str, Any]]:
    """Per feed id: articles stored (linked by its entries), when the last new one came, pages
    queued and pages failed. Feeds with none of these are left out."""
    out: dict[int, dict[str, Any]] = {}

    def row(feed_id: int) -> dict[str, Any]:
        return out.setdefault(feed_id, {"articles": 0, "last_new_article_at": None, "pages_queued": 0,
                                        "pages_failed": 0})

    entries = (select(FeedEntry.feed_id, func.count(FeedEntry.article_id.distinct()),
                      func.max(FeedEntry.first_seen_at)).group_by(FeedEntry.feed_id))
    for feed_id, count, last in session.execute(entries):
        row(feed_id).update(articles=int(count), last_new_article_at=last)
    pages = (select(PageJob.feed_id, PageJob.state, func.count())
             .where(PageJob.feed_id.is_not(None), PageJob.state.in_(["pending", "failed"]))
             .group_by(PageJob.feed_id, PageJob.state))
    for page_feed, state, count in session.execute(pages):
        row(page_feed or 0)["pages_queued" if state == "pending" else "pages_failed"] = int(count)
    return out


def totals(session: Session) -> dict[str, int]:
    """Counts over the whole database, for `worker status`."""
    feeds = session.execute(select(func.count(), func.count().filter(Feed.enabled.is_(True)),
                                   func.count().filter(Feed.error_count > 0)).select_from(Feed)).one()
    pages = dict(session.execute(select(PageJob.state, func.count()).group_by(PageJob.state)).all())
    return {"feeds": int(feeds[0]), "feeds_enabled": int(feeds[1]), "feeds_failing": int(feeds[2]),
            "articles": int(session.scalar(select(func.count()).select_from(Article)) or 0),
            "pages_queued": int(pages.get("pending", 0)), "pages_failed": int(pages.get("failed", 0))}


def _entry_times(session: Session, feed_id: int) -> tuple[datetime, ...]:
    """Publication times (else first-seen times) of the feed's 20 latest entries."""
    rows = session.execute(
        select(Article.published_at, FeedEntry.first_seen_at)
        .join(FeedEntry, FeedEntry.article_id == Article.id)
        .where(FeedEntry.feed_id == feed_id)
        .order_by(FeedEntry.id.desc()).limit(20)
    )
    return tuple(published or seen for published, seen in rows)


def _state(session: Session, f: Feed) -> FeedState:
    return FeedState(id=f.id, url=f.url, etag=f.etag, last_modified=f.last_modified,
                     error_count=f.error_count, interval_seconds=f.interval_seconds,
                     server_wait_until=f.server_wait_until, entry_times=_entry_times(session, f.id))


def claim_feeds(session: Session, owner: str, now: datetime, lease_seconds: float, *,
                urls: Iterable[str] | None = None, due_only: bool = False, force: bool = False,
                limit: int | None = None, exclude_ids: Collection[int] = (),
                dead_owners: Collection[str] = (),
                owner_label: Callable[[str], str] = str) -> tuple[list[FeedState], list[tuple[str, str]]]:
    """Reserve feeds for this worker until now + lease: enabled feeds (or exactly the named ones),
    only those due with ``due_only``, none in ``exclude_ids``. A feed is claimed when no one holds
    it, its lease expired, this worker holds it, or one of ``dead_owners`` (workers known to have
    died) holds it. A feed whose server asked us to wait (Retry-After) is skipped unless ``force``.
    Returns (claimed, [(url, why skipped)]); the skipped include every feed left because another
    worker holds it, with who (``owner_label(lease_owner)``) and until when.

    On PostgreSQL the rows are locked with SKIP LOCKED, so concurrent claimers never block on or
    take the same feed; on SQLite the write transaction (BEGIN IMMEDIATE) serialises claimers."""
    wanted = select(Feed)
    if urls is not None:
        wanted = wanted.where(Feed.url.in_(list(urls)))
    else:
        wanted = wanted.where(Feed.enabled.is_(True))
    if due_only:
        wanted = wanted.where((Feed.next_check_at.is_(None)) | (Feed.next_check_at <= now))
    if exclude_ids:  # feeds this worker is polling right now (the daemon)
        wanted = wanted.where(Feed.id.not_in(sorted(exclude_ids)))
    free = claimable(Feed.lease_owner, Feed.lease_until, now, dead_owners) | (Feed.lease_owner == owner)
    query = wanted.where(free).order_by(Feed.next_check_at.asc().nulls_first(), Feed.id)
    if limit is not None:
        query = query.limit(limit)
    claimed: list[FeedState] = []
    skipped: list[tuple[str, str]] = []
    for feed in session.scalars(query.with_for_update(skip_locked=True)):
        if feed.server_wait_until is not None and feed.server_wait_until > now and not force:
            until = f"{feed.server_wait_until:%Y-%m-%d %H:%M}"
            skipped.append((feed.url, f"the server asked to wait until {until} UTC (Retry-After); "
                                      "--force polls it anyway"))
            continue
        feed.lease_owner = owner
        feed.lease_until = now + timedelta(seconds=lease_seconds)
        claimed.append(_state(session, feed))
    found = {s.url for s in claimed} | {u for u, _ in skipped}
    held = (wanted.with_only_columns(Feed.url, Feed.lease_owner, Feed.lease_until)
            .where(Feed.lease_owner != owner, Feed.lease_until >= now).order_by(Feed.id))
    if dead_owners:
        held = held.where(Feed.lease_owner.not_in(sorted(dead_owners)))
    for url, holder, held_until in session.execute(held):
        if url not in found:
            found.add(url)
            skipped.append((url, f"held by {owner_label(holder or '?')} until {held_until:%H:%M:%S} UTC"))
    if urls is not None:  # named feeds another claimer has locked at this very moment (PostgreSQL)
        busy = session.scalars(select(Feed.url).where(Feed.url.in_(list(urls)))).all()
        skipped += [(u, "being claimed by another worker") for u in busy if u not in found]
    return claimed, skipped


def release_feed(session: Session, feed_id: int, owner: str) -> None:
    session.execute(update(Feed).where(Feed.id == feed_id, Feed.lease_owner == owner)
                    .values(lease_owner=None, lease_until=None))

