"""Reading a feed's known state and writing the outcome of one poll, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session, load_only

from db.engine import chunks, upsert_insert
from db.feeds import get_feed
from db.lifecycle import keep_page
from db.models import Article, Feed, FeedEntry
from db.queue import enqueue_page
from db.records import (
    ArticleRecord,
    ArticleWrite,
    FeedPoll,
    KeptPage,
    Merge,
    StoredArticle,
    StoreStats,
)
from db.statements import write_statements
from db.types import utcnow


def known_guids(session: Session, feed_id: int, guids: Iterable[str]) -> set[str]:
    """The guids among ``guids`` of entries of this feed stored already (the planner skips them)."""
    found: set[str] = set()
    for chunk in chunks(list(dict.fromkeys(guids))):
        found.update(session.scalars(
            select(FeedEntry.guid).where(FeedEntry.feed_id == feed_id, FeedEntry.guid.in_(chunk))))
    return found


def articles_by_link(session: Session, links: Iterable[str]) -> dict[str, int]:
    """Stored article ids for these normalised links: as an article URL or as any feed's entry link."""
    wanted = list(dict.fromkeys(links))
    found: dict[str, int] = {}
    for chunk in chunks(wanted):
        for url, article_id in session.execute(select(Article.url, Article.id).where(Article.url.in_(chunk))):
            found[url] = article_id
        rest = [link for link in chunk if link not in found]
        if rest:
            rows = session.execute(
                select(FeedEntry.link, FeedEntry.article_id).where(FeedEntry.link.in_(rest))
            )
            for link, article_id in rows:
                if link is not None:
                    found.setdefault(link, article_id)
    return found


def _insert_ignoring_conflict(session: Session, table: Table, values: dict[str, Any],
                              conflict: list[str]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, on SQLite and PostgreSQL alike."""
    stmt = upsert_insert(session)(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
    return session.execute(stmt.returning(table.c.id)).scalar()


_MERGED_COLUMNS = (Article.title, Article.author, Article.published_at, Article.language, Article.summary,
                   Article.source, Article.content_hash, Article.statements_version)


def _stored(article: Article) -> StoredArticle:
    return StoredArticle(title=article.title, author=article.author, published_at=article.published_at,
                         language=article.language, summary=article.summary, source=article.source,
                         content_hash=article.content_hash, statements_version=article.statements_version)


def _apply(session: Session, article: Article, write: ArticleWrite, rec: ArticleRecord | None,
           stats: StoreStats) -> None:
    """Write what the merge rule decided over a stored article (its statements from ``rec``)."""
    for key, value in write.values.items():
        setattr(article, key, value)
    if write.changed:
        article.updated_at = utcnow()
        stats.articles_updated += 1
    if write.statements and rec is not None:
        # The article row first: concurrent writers of one article then queue on its row lock.
        session.flush()
        stats.statements_written += write_statements(session, article.id, rec.text, rec.statements,
                                                     rec.statements_version)


def _merge(session: Session, article: Article, rec: ArticleRecord, merge: Merge, stats: StoreStats, *,
           own: bool = False) -> int:
    _apply(session, article, merge(_stored(article), rec.columns(), own=own), rec, stats)
    session.flush()
    return article.id


def _store_article(session: Session, rec: ArticleRecord, replaces: int | None, merge: Merge,
                   stats: StoreStats) -> int:
    existing = session.scalars(select(Article).where(Article.url == rec.url)).first()
    old = session.get(Article, replaces) if replaces is not None else None
    if old is not None and (existing is None or existing.id == old.id):
        return _merge(session, old, rec, merge, stats, own=True)
    if old is not None and existing is not None:
        # The page named a canonical URL stored already: fold the provisional article into it.
        session.execute(update(FeedEntry).where(FeedEntry.article_id == old.id)
                        .values(article_id=existing.id))
        session.delete(old)
    if existing is not None:
        return _merge(session, existing, rec, merge, stats)
    now = utcnow()
    new_id = _insert_ignoring_conflict(
        session, Article.__table__,  # type: ignore[arg-type]
        {**rec.columns(), "created_at": now, "updated_at": now},
        ["url"],
    )
    if new_id is None:  # another writer stored it a moment ago
        found = session.scalars(select(Article).where(Article.url == rec.url)).first()
        assert found is not None
        return _merge(session, found, rec, merge, stats)
    stats.statements_written += write_statements(session, int(new_id), rec.text, rec.statements,
                                                 rec.statements_version, replace=False)
    stats.articles_new += 1
    return int(new_id)


def store_page(session: Session, rec: ArticleRecord, article_id: int, merge: Merge,
               page: KeptPage | None = None) -> StoreStats:
    """Write a queued page's outcome over the article it belongs to (folding it into the canonical
    article when the page names one that is stored already), with the page itself if it is kept;
    ``merge`` says what to write over a stored article."""
    stats = StoreStats()
    stored_id = _store_article(session, rec, article_id, merge, stats)
    stats.article_ids.append(stored_id)
    if page is not None:
        keep_page(session, stored_id, page, rec.extracted_at)
    return stats


def defer_feed(session: Session, feed_id: int, owner: str, until: datetime, reason: str) -> None:
    """A feed not polled because its origin asked us to wait: check it again at ``until``, give its
    lease back, and leave its outcome, errors and backoff as they were (nothing was asked of it)."""
    session.execute(update(Feed).where(Feed.id == feed_id)
                    .values(next_check_at=until, next_check_reason=reason))
    session.execute(update(Feed).where(Feed.id == feed_id, Feed.lease_owner == owner)
                    .values(lease_owner=None, lease_until=None))


def record_poll(session: Session, poll: FeedPoll, merge: Merge) -> StoreStats:
    """Write a poll's outcome on its feed row and store its entries; all in the caller's transaction.
    ``merge`` says what to write over an article that is stored already."""
    stats = StoreStats()
    feed = session.get(Feed, poll.feed_id)
    if feed is None:
        raise LookupError(f"feed {poll.feed_id} no longer exists")
    feed.last_checked_at = poll.checked_at
    feed.next_check_at = poll.next_check_at
    feed.next_check_reason = poll.next_check_reason
    feed.server_wait_until = poll.server_wait_until
    feed.last_status = poll.status
    feed.last_http_status = poll.http_status
    if poll.disabled_reason:
        feed.enabled = False
        feed.disabled_reason = poll.disabled_reason
    if poll.moved_to and poll.moved_to != feed.url and get_feed(session, poll.moved_to) is None:
        feed.url = poll.moved_to  # a permanent redirect: poll the new address from now on
    if poll.release_lease_of is not None and feed.lease_owner == poll.release_lease_of:
        feed.lease_owner = None
        feed.lease_until = None
    if poll.status == "failed":
        feed.error_count = (feed.error_count or 0) + 1
        feed.last_error = poll.error
    else:
        feed.error_count = 0
        feed.last_error = poll.error  # a warning (e.g. ill-formed but parsed) or None
        if poll.etag is not None or poll.status == "ok":
            feed.etag = poll.etag
        if poll.last_modified is not None or poll.status == "ok":
            feed.last_modified = poll.last_modified
    if poll.title and not feed.title:  # a title given by hand (or by OPML) is kept
        feed.title = poll.title
    if poll.site_url:
        feed.site_url = poll.site_url
    for entry in poll.entries:
        if entry.article is not None:
            article_id = _store_article(session, entry.article, None, merge, stats)
        elif entry.article_id is not None:
            article_id = entry.article_id
            # what the merge rule reads, not the text: a date from a second feed is all that can come
            linked = (session.get(Article, article_id, options=[load_only(*_MERGED_COLUMNS)])
                      if entry.published_at is not None else None)
            if linked is not None:  # a second feed may know the date the first did not
                write = merge(_stored(linked), {"published_at": entry.published_at}, own=False)
                _apply(session, linked, write, None, stats)
        else:
            raise ValueError(f"entry {entry.guid!r} has neither an article nor an article id")
        stats.article_ids.append(article_id)
        if entry.page_url is not None and enqueue_page(session, article_id, poll.feed_id, entry.page_url,
                                                       poll.checked_at):
            stats.pages_queued += 1
        _insert_ignoring_conflict(
            session, FeedEntry.__table__,  # type: ignore[arg-type]
            {"feed_id": poll.feed_id, "article_id": article_id, "guid": entry.guid, "link": entry.link,
             "first_seen_at": poll.checked_at},
            ["feed_id", "guid"],
        )
    return stats
