"""The durable page queue (``page_jobs``) and origin pauses (``host_pauses``), in the caller's transaction.

A new entry's article is stored at once with the feed's text; its page is queued here. Workers
claim due jobs with a lease (SKIP LOCKED on PostgreSQL), fetch them, and finish each job in the
same transaction that upgrades the article, so a crash loses nothing committed and a killed
worker's jobs are taken over: at once when it is known dead (see worker/pipeline/leases.py), else
when their lease expires.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, union, update
from sqlalchemy.orm import Session

from db.engine import upsert_insert
from db.models import Article, Feed, HostPause, PageJob
from db.records import QueuedPage


def enqueue_page(session: Session, article_id: int, feed_id: int | None, url: str, now: datetime) -> bool:
    """Queue the article's page unless it is queued already; True when a job was added."""
    stmt = upsert_insert(session)(PageJob).values(
        article_id=article_id, feed_id=feed_id, url=url, state="pending", attempts=0, next_attempt_at=now,
        created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["article_id"])
    return session.execute(stmt.returning(PageJob.id)).scalar() is not None


def claim_pages(session: Session, owner: str, now: datetime, lease_seconds: float,
                limit: int, *, dead_owners: Collection[str] = ()) -> list[QueuedPage]:
    """Reserve up to ``limit`` due pending jobs for this worker, oldest first: jobs no one holds,
    whose lease expired, or that ``dead_owners`` (workers known to have died) hold. Jobs this worker
    holds already are not claimed again: they are in its hands."""
    query = (
        select(PageJob, Article, Feed.url)
        .join(Article, Article.id == PageJob.article_id)
        .outerjoin(Feed, Feed.id == PageJob.feed_id)
        .where(PageJob.state == "pending", PageJob.next_attempt_at <= now,
               claimable(PageJob.lease_owner, PageJob.lease_until, now, dead_owners))
        .order_by(PageJob.next_attempt_at, PageJob.id).limit(limit)
        .with_for_update(of=PageJob, skip_locked=True)
    )
    out = []
    for job, article, feed_url in session.execute(query).all():
        job.lease_owner = owner
        job.lease_until = now + timedelta(seconds=lease_seconds)
        out.append(QueuedPage(
            job_id=job.id, article_id=job.article_id, url=job.url, attempts=job.attempts, feed_url=feed_url,
            title=article.title, author=article.author, published_at=article.published_at,
            summary=article.summary, text=article.text, provisional=article.provisional,
        ))
    return out


def finish_page(session: Session, job_id: int, owner: str, *, state: str, attempts: int, now: datetime,
                retry_at: datetime | None = None, error: str | None = None) -> bool:
    """Close (fetched / failed) or reschedule (pending, at ``retry_at``) a job this worker holds.
    False when the lease was lost (expired and taken over): the caller must then roll back."""
    values: dict[str, Any] = {"state": state, "attempts": attempts, "last_error": error, "updated_at": now,
                              "lease_owner": None, "lease_until": None}
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    # No ORM object of a job is ever held in a writing session, so there is nothing to synchronise;
    # SQLAlchemy's default would scan every object the session holds, per job.
    result = session.execute(update(PageJob).where(PageJob.id == job_id, PageJob.lease_owner == owner)
                             .values(**values).execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release_pages(session: Session, owner: str) -> None:
    """Give back every job this worker still holds (on a clean shutdown)."""
    session.execute(update(PageJob).where(PageJob.lease_owner == owner, PageJob.state == "pending")
                    .values(lease_owner=None, lease_until=None))


# --- leases of feeds and pages together ------------------------------------------------------------

def claimable(lease_owner: Any, lease_until: Any, now: datetime, dead_owners: Collection[str]) -> Any:
    """The condition for a row that may be claimed: no lease, an expired one, or a dead owner's."""
    condition = (lease_until.is_(None)) | (lease_until < now)
    if dead_owners:
        condition = condition | lease_owner.in_(sorted(dead_owners))
    return condition


def lease_holders(session: Session, now: datetime) -> set[str]:
    """Owners of leases not yet expired, on feeds and on pending page jobs (one query)."""
    feeds = select(Feed.lease_owner).where(Feed.lease_owner.is_not(None), Feed.lease_until >= now)
    pages = select(PageJob.lease_owner).where(PageJob.state == "pending", PageJob.lease_owner.is_not(None),
                                              PageJob.lease_until >= now)
    return {owner for owner in session.scalars(union(feeds, pages)) if owner is not None}


def renew_leases(session: Session, owner: str, until: datetime) -> None:
    """Extend every lease ``owner`` holds, feeds and page jobs, to ``until`` (the heartbeat)."""
    session.execute(update(Feed).where(Feed.lease_owner == owner).values(lease_until=until)
                    .execution_options(synchronize_session=False))
    session.execute(update(PageJob).where(PageJob.state == "pending", PageJob.lease_owner == owner)
                    .values(lease_until=until).execution_options(synchronize_session=False))


def release_leases(session: Session, owners: Collection[str]) -> tuple[int, int]:
    """Give back every feed and page job these owners hold (workers that died, or one that stops);
    returns how many (feeds, page jobs)."""
    if not owners:
        return 0, 0
    names = sorted(owners)
    feeds = session.execute(update(Feed).where(Feed.lease_owner.in_(names))
                            .values(lease_owner=None, lease_until=None)
                            .execution_options(synchronize_session=False))
    pages = session.execute(update(PageJob).where(PageJob.state == "pending", PageJob.lease_owner.in_(names))
                            .values(lease_owner=None, lease_until=None)
                            .execution_options(synchronize_session=False))
    return int(feeds.rowcount), int(pages.rowcount)  # type: ignore[attr-defined]


def release_dead_pages(session: Session, owners: Collection[str]) -> int:
    """Give back the page jobs of workers known to have died; returns how many. Jobs another
    transaction has locked right now are skipped (SKIP LOCKED on PostgreSQL): two workers freeing
    the same dead worker's jobs never wait on each other, so they cannot deadlock."""
    if not owners:
        return 0
    locked = (select(PageJob.id).where(PageJob.state == "pending", PageJob.lease_owner.in_(sorted(owners)))
              .with_for_update(skip_locked=True))
    result = session.execute(update(PageJob).where(PageJob.id.in_(locked.scalar_subquery()))
                             .values(lease_owner=None, lease_until=None)
                             .execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def held_pages(session: Session, now: datetime, *, exclude: Collection[str] = ()) -> int:
    """Due pending jobs whose lease, not yet expired, belongs to someone not in ``exclude``."""
    query = select(func.count()).select_from(PageJob).where(
        PageJob.state == "pending", PageJob.next_attempt_at <= now, PageJob.lease_owner.is_not(None),
        PageJob.lease_until >= now)
    if exclude:
        query = query.where(PageJob.lease_owner.not_in(sorted(exclude)))
    return int(session.scalar(query) or 0)


def due_pages(session: Session, now: datetime) -> int:
    """Pending jobs due by ``now``, whoever holds them."""
    return int(session.scalar(select(func.count()).select_from(PageJob).where(
        PageJob.state == "pending", PageJob.next_attempt_at <= now)) or 0)


def queue_depth(session: Session) -> dict[str, int]:
    rows = session.execute(select(PageJob.state, func.count()).group_by(PageJob.state))
    depth = {"pending": 0, "fetched": 0, "failed": 0}
    depth.update({state: int(n) for state, n in rows})
    return depth


@dataclass(frozen=True)
class Pause:
    until: datetime
    reason: str | None
    url: str | None = None  # the request whose answer asked us to wait


def pause_origin(session: Session, origin: str, until: datetime, reason: str, url: str | None) -> None:
    """Nothing is fetched from ``origin`` (scheme://host:port) before ``until``. Of two pauses the
    later one is kept whole: its end, its reason and its URL."""
    stmt = upsert_insert(session)(HostPause).values(origin=origin, until=until, reason=reason, url=url)
    stmt = stmt.on_conflict_do_update(
        index_elements=["origin"],
        set_={"until": stmt.excluded.until, "reason": stmt.excluded.reason, "url": stmt.excluded.url},
        where=HostPause.until < stmt.excluded.until,
    )
    session.execute(stmt)


def paused_origins(session: Session, now: datetime) -> dict[str, Pause]:
    rows = session.execute(select(HostPause.origin, HostPause.until, HostPause.reason, HostPause.url)
                           .where(HostPause.until > now))
    return {origin: Pause(until, reason, url) for origin, until, reason, url in rows}
