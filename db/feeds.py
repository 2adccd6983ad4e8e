"""Queries on the feeds table."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.models import Article, Feed, FeedEntry
from db.queue import claimable
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

