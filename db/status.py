"""What needs attention, counted for the daemon's metrics at every scrape: the page queue's backlog and
the failing feeds. The caller's session decides the transaction; `Database.read()` is the one to use,
so a scrape never takes SQLite's write lock."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Feed
from db.queue import queue_depth


@dataclass(frozen=True)
class Backlog:
    pages_pending: int  # waiting, or retrying after a failure
    pages_failed: int  # given up after page_retry_limit attempts
    feeds_failing: int  # error_count > 0: the last poll failed


def backlog(session: Session) -> Backlog:
    depth = queue_depth(session)
    failing = session.scalar(select(func.count()).select_from(Feed).where(Feed.error_count > 0))
    return Backlog(pages_pending=depth["pending"], pages_failed=depth["failed"],
                   feeds_failing=int(failing or 0))
