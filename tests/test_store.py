"""Storage on SQLite and PostgreSQL through the same code."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db import store
from db.articles import list_articles
from db.database import Database
from db.engine import DatabaseError
from db.feeds import add_feed, claim_feeds, delete_feed, get_feed
from db.migrate import SchemaOutdated, SchemaTooNew
from db.models import Article, FeedEntry
from db.records import ArticleRecord, EntryRecord, FeedPoll, StoreStats
from worker.pipeline.decide import merge_article

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def article(url: str, *, source: str = "page", text_: str = "Body text.", attempts: int = 1) -> ArticleRecord:
    return ArticleRecord(url=url, title="T", author=None, published_at=T0, language="en", text=text_,
                         summary=None, source=source, source_reason=None if source == "page" else "why",
                         extracted_at=T0, extractor_version="test", page_attempts=attempts)


def poll(feed_id: int, status: str = "ok", error: str | None = None) -> FeedPoll:
    return FeedPoll(feed_id=feed_id, checked_at=T0, status=status, next_check_at=T0 + timedelta(minutes=30),
                    http_status=200 if status == "ok" else 500, error=error, etag='"e1"', title="Feed")


def record(s: Session, poll: FeedPoll, entries: Sequence[EntryRecord] = ()) -> StoreStats:
    return store.record_poll(s, dataclasses.replace(poll, entries=tuple(entries)), merge_article)


def count(db: Database, table: str) -> int:
    with db.transaction() as s:
        return int(s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def new_feed(db: Database, url: str) -> int:
    with db.transaction() as s:
        feed, added = add_feed(s, url)
        assert added
        return feed.id


def test_article_stored_once_for_two_feeds(database: Database) -> None:
    f1, f2 = new_feed(database, "https://a.test/rss"), new_feed(database, "https://b.test/rss")
    with database.transaction() as s:
        stats = record(s, poll(f1), [EntryRecord("g1", "https://x.test/a", article("https://x.test/a"))])
    assert stats.articles_new == 1 and count(database, "feed_entries") == 1
    with database.transaction() as s:
        by_link = store.articles_by_link(s, ["https://x.test/a"])
        stats = record(s, poll(f2), [EntryRecord("other", "https://x.test/a",
                                                            article_id=by_link["https://x.test/a"])])
    assert stats.articles_new == 0
    assert count(database, "articles") == 1 and count(database, "feed_entries") == 2


def test_same_canonical_url_in_one_poll_is_one_article(database: Database) -> None:
    f1 = new_feed(database, "https://a.test/rss")
    with database.transaction() as s:
        stats = record(s, poll(f1), [
            EntryRecord("g1", "https://x.test/a?x=1", article("https://x.test/canonical")),
            EntryRecord("g2", "https://x.test/a?x=2", article("https://x.test/canonical")),
        ])
    assert stats.articles_new == 1
    assert count(database, "articles") == 1 and count(database, "feed_entries") == 2


def entry_article(session: Session, feed_id: int, guid: str) -> tuple[int, str]:
    """The id and source of the article a stored entry of this feed links to."""
    row = session.execute(select(Article.id, Article.source).join(FeedEntry, FeedEntry.article_id == Article.id)
                          .where(FeedEntry.feed_id == feed_id, FeedEntry.guid == guid)).one()
    return row[0], row[1]


def test_feed_text_is_upgraded_in_place_by_the_page(database: Database) -> None:
    f1 = new_feed(database, "https://a.test/rss")
    with database.transaction() as s:
        provisional = article("https://x.test/a", source="feed", text_="short")
        record(s, poll(f1), [EntryRecord("g1", "https://x.test/a", provisional)])
    with database.transaction() as s:
        assert store.known_guids(s, f1, ["g1", "g2"]) == {"g1"}
        article_id, source = entry_article(s, f1, "g1")
        assert source == "feed"
        stats = store.store_page(s, article("https://x.test/canonical", text_="full page text"),
                                 article_id, merge_article)
    assert stats.articles_updated == 1 and stats.articles_new == 0 and count(database, "feed_entries") == 1
    with database.transaction() as s:
        rows = list_articles(s)
    assert [(r["url"], r["source"], r["text"]) for r in rows] == [
        ("https://x.test/canonical", "page", "full page text")]


def test_upgrade_onto_an_existing_canonical_folds_the_provisional_article(database: Database) -> None:
    f1, f2 = new_feed(database, "https://a.test/rss"), new_feed(database, "https://b.test/rss")
    with database.transaction() as s:
        record(s, poll(f1), [EntryRecord("g1", "https://x.test/c", article("https://x.test/c"))])
        record(s, poll(f2), [EntryRecord("h1", "https://y.test/p",
                                                    article("https://y.test/p", source="feed"))])
    with database.transaction() as s:
        provisional, _ = entry_article(s, f2, "h1")
        store.store_page(s, article("https://x.test/c"), provisional, merge_article)
    assert count(database, "articles") == 1 and count(database, "feed_entries") == 2


def test_failure_is_recorded_and_counted(database: Database) -> None:
    f1 = new_feed(database, "https://a.test/rss")
    for _ in range(2):
        with database.transaction() as s:
            record(s, poll(f1, "failed", "server answered 500"))
    with database.transaction() as s:
        state = claim_feeds(s, "w", T0, 60)[0][0]
        row = s.execute(text("SELECT last_status, last_error, error_count FROM feeds")).one()
    assert tuple(row) == ("failed", "server answered 500", 2) and state.error_count == 2
    with database.transaction() as s:
        record(s, poll(f1))
        row = s.execute(text("SELECT last_status, last_error, error_count, etag FROM feeds")).one()
    assert tuple(row) == ("ok", None, 0, '"e1"')


def test_a_failing_transaction_leaves_nothing(database: Database) -> None:
    f1 = new_feed(database, "https://a.test/rss")
    with pytest.raises(ValueError), database.transaction() as s:
        record(s, poll(f1), [EntryRecord("g1", "https://x.test/a", article("https://x.test/a")),
                                        EntryRecord("g2", "https://x.test/b")])  # neither article nor id
    assert count(database, "articles") == 0 and count(database, "feed_entries") == 0
    with database.transaction() as s:
        assert s.execute(text("SELECT last_status FROM feeds")).scalar() is None


def test_due_feeds_and_removal(database: Database) -> None:
    f1 = new_feed(database, "https://a.test/rss")
    new_feed(database, "https://b.test/rss")
    with database.transaction() as s:
        record(s, poll(f1))  # next check at T0 + 30 min
        assert [f.url for f in claim_feeds(s, "w", T0, 60, due_only=True)[0]] == ["https://b.test/rss"]
        assert len(claim_feeds(s, "w", T0 + timedelta(hours=1), 60, due_only=True)[0]) == 2
        gone = get_feed(s, "https://a.test/rss")
        assert gone is not None
        delete_feed(s, gone)
        assert get_feed(s, "https://a.test/rss") is None
    assert count(database, "feeds") == 1


def test_datetimes_come_back_in_utc(database: Database) -> None:
    f1 = new_feed(database, "https://a.test/rss")
    with database.transaction() as s:
        record(s, poll(f1), [EntryRecord("g1", "https://x.test/a", article("https://x.test/a"))])
        (row,) = list_articles(s)
    assert row["published_at"] == T0 and row["published_at"].tzinfo is not None


def test_schema_newer_than_the_code_is_refused(db_url: str) -> None:
    db = Database.open(db_url, upgrade=True)
    with db.transaction() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.close()
    with pytest.raises(SchemaTooNew, match="newer than this worker knows"):
        Database.open(db_url, upgrade=True)


def test_postgres_is_not_migrated_behind_the_operators_back(postgres_schema_url: str) -> None:
    with pytest.raises(SchemaOutdated, match="worker db upgrade"):
        Database.open(postgres_schema_url)


def test_sqlite_is_upgraded_on_first_use_with_wal_and_foreign_keys(tmp_path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    db.close()


def test_unusable_sqlite_path_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(DatabaseError, match="not a directory"):
        Database.open(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
