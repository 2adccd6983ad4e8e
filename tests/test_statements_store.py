"""Statements in storage on SQLite and PostgreSQL: schema and migration, stored with their article in
the same transaction, replaced when the text changes, kept when it does not, re-parsed when stale."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from db import migrate, store
from db.database import Database
from db.engine import make_engine
from db.feeds import add_feed
from db.records import ArticleRecord, EntryRecord, FeedPoll, StatementRecord, StoreStats
from db.statements import StoredText, list_statements, replace_if_unchanged, texts_to_reparse
from db.types import UTCDateTime
from worker.pipeline import statements as pipeline_statements
from worker.pipeline.decide import merge_article
from worker.pipeline.statements import reparse, with_statements
from worker.speakers import speaker_query, speaker_ref
from worker.statements import PARSER_VERSION, parse_statements

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
JANE = "“We will win,” Jane Doe said."
JOHN = "“Taxes will fall,” John Smith said."
STATEMENT_FIELDS = [f.name for f in dataclasses.fields(StatementRecord) if f.name != "speaker_ref"]


def article(url: str, body: str, *, source: str = "page", published: datetime = T0) -> ArticleRecord:
    """A record as the pipeline hands it over: with the statements of its text."""
    return with_statements(ArticleRecord(
        url=url, title="T", author=None, published_at=published, language="en", text=body, summary=None,
        source=source, source_reason=None if source == "page" else "why", extracted_at=T0,
        extractor_version="test", page_attempts=1))


def poll(feed_id: int) -> FeedPoll:
    return FeedPoll(feed_id=feed_id, checked_at=T0, status="ok", next_check_at=T0 + timedelta(minutes=30))


def new_feed(db: Database, url: str = "https://a.test/rss") -> int:
    with db.transaction() as s:
        return add_feed(s, url)[0].id


def expected(body: str) -> list[dict[str, Any]]:
    """What the parser finds in `body`, as stored rows should hold it."""
    return [s.to_dict() for s in parse_statements(body)]


def stored(db: Database, article_id: int | None = None) -> list[dict[str, Any]]:
    query = "SELECT * FROM statements" + (" WHERE article_id = :a" if article_id is not None else "")
    with db.transaction() as s:
        rows = s.execute(text(query + " ORDER BY article_id, content_start, id"), {"a": article_id})
        return [dict(r._mapping) for r in rows]


def fields(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The record's fields of stored rows, content_spans read from its JSON text."""
    return [{k: json.loads(r[k]) if k == "content_spans" else r[k] for k in STATEMENT_FIELDS} for r in rows]


def version_of(db: Database, article_id: int) -> str | None:
    with db.transaction() as s:
        return s.execute(text("SELECT statements_version FROM articles WHERE id = :a"),
                         {"a": article_id}).scalar_one()


def record(s: Session, poll: FeedPoll, entries: Sequence[EntryRecord]) -> StoreStats:
    return store.record_poll(s, dataclasses.replace(poll, entries=tuple(entries)), merge_article)


def store_one(db: Database, feed_id: int, rec: ArticleRecord, guid: str = "g1",
              replaces: int | None = None) -> int:
    """Store ``rec`` as a new entry of the feed, or as the page outcome of article ``replaces``."""
    with db.transaction() as s:
        if replaces is not None:
            stats = store.store_page(s, rec, replaces, merge_article)
        else:
            stats = record(s, poll(feed_id), [EntryRecord(guid, rec.url, rec)])
    return stats.article_ids[0]


def test_the_schema_has_the_statements_table_and_indexes(database: Database) -> None:
    inspector = inspect(database.engine)
    columns = {c["name"]: c for c in inspector.get_columns("statements")}
    assert {"id", "article_id", "speaker", "speaker_type", "role", "cue", "content", "kind", "content_start",
            "content_end", "speaker_start", "speaker_end", "confidence", "parser_version"} <= set(columns)
    assert isinstance(columns["confidence"]["type"], sa.Float)
    indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("statements")}
    assert indexes["ix_statements_speaker"] == ["speaker"]
    assert indexes["ix_statements_article_id"] == ["article_id"]
    fks = {fk["referred_table"]: fk for fk in inspector.get_foreign_keys("statements")}
    assert set(fks) == {"articles", "speakers"}
    assert fks["articles"]["options"].get("ondelete") == "CASCADE"
    assert fks["speakers"]["options"].get("ondelete") == "SET NULL"
    assert {c["name"]: c["nullable"] for c in inspector.get_columns("articles")}["statements_version"]


def test_upgrading_a_0001_database_with_rows_keeps_them_and_reparse_fills_them_in(db_url: str) -> None:
    engine = make_engine(db_url)
    assert migrate.upgrade(engine, to="0001") == (None, "0001")
    body = f"First paragraph.\n\n{JANE}"
    articles = sa.table("articles", *[sa.column(c) for c in (
        "url", "title", "text", "source", "content_hash", "extractor_version", "page_attempts")],
        *[sa.column(c, UTCDateTime) for c in ("published_at", "extracted_at", "created_at", "updated_at")])
    with engine.begin() as conn:
        conn.execute(articles.insert().values(
            url="https://x.test/old", title="Old", text=body, source="page", content_hash="h",
            extractor_version="old", page_attempts=1, published_at=T0, extracted_at=T0, created_at=T0,
            updated_at=T0))
    assert migrate.upgrade(engine) == ("0001", migrate.head_revision())
    db = Database(engine)
    with db.transaction() as s:
        row = s.execute(text("SELECT id, title, text, statements_version FROM articles")).one()
    assert tuple(row)[1:] == ("Old", body, None)
    assert stored(db) == []
    summary = reparse(db)
    assert (summary.articles, summary.statements) == (1, len(expected(body)))
    assert fields(stored(db)) == expected(body) and version_of(db, row.id) == PARSER_VERSION
    db.close()


def test_a_new_article_is_stored_with_its_statements(database: Database) -> None:
    body = f"The match was close.\n\n{JANE}\n\nThe crowd went home. {JOHN}"
    assert len(expected(body)) >= 2  # the simple pattern, twice
    article_id = store_one(database, new_feed(database), article("https://x.test/a", body))
    rows = stored(database)
    assert fields(rows) == expected(body)
    assert all(r["article_id"] == article_id and r["parser_version"] == PARSER_VERSION for r in rows)
    assert all(" ".join(body[a:b] for a, b in json.loads(r["content_spans"])) == r["content"] for r in rows)
    assert version_of(database, article_id) == PARSER_VERSION


def test_statements_whose_offsets_do_not_hold_are_refused_with_the_whole_poll(database: Database) -> None:
    feed = new_feed(database)
    good = article("https://x.test/a", JANE)
    first = good.statements[0]
    wrong = dataclasses.replace(first, content_spans=tuple((a + 1, b + 1) for a, b in first.content_spans))
    with pytest.raises(ValueError, match="offsets"), database.transaction() as s:
        record(s, poll(feed), [EntryRecord("g1", good.url, dataclasses.replace(
            good, statements=(wrong,)))])
    with database.transaction() as s:
        assert s.execute(text("SELECT count(*) FROM articles")).scalar_one() == 0
    assert stored(database) == []


def test_a_changed_text_replaces_the_statements_and_an_unchanged_one_keeps_them(database: Database) -> None:
    feed = new_feed(database)
    feed_body = JANE
    article_id = store_one(database, feed, article("https://x.test/a", feed_body, source="feed"))
    first = stored(database)
    assert fields(first) == expected(feed_body)

    # The page failed again: the same feed text is written back; its statements stay as they were.
    store_one(database, feed, article("https://x.test/a", feed_body, source="feed"), replaces=article_id)
    assert stored(database) == first

    # The page worked: its text replaces the feed's, and its statements replace the old ones.
    page_body = f"A longer page text comes first.\n\n{JOHN}\n\nAnd later: {JANE}"
    page = article("https://x.test/a", page_body)
    assert store_one(database, feed, page, replaces=article_id) == article_id
    assert fields(stored(database)) == expected(page_body)
    assert version_of(database, article_id) == PARSER_VERSION


def test_same_text_from_another_parser_version_replaces_a_record_without_one_does_not(
        database: Database) -> None:
    feed = new_feed(database)
    body = JANE
    article_id = store_one(database, feed, article("https://x.test/a", body, source="feed"))
    with database.transaction() as s:
        s.execute(text("UPDATE articles SET statements_version = 'older'"))
        s.execute(text("UPDATE statements SET parser_version = 'older'"))
    unparsed = dataclasses.replace(article("https://x.test/a", body, source="feed"), statements=(),
                                   statements_version=None)
    store_one(database, feed, unparsed, replaces=article_id)
    assert version_of(database, article_id) == "older" and len(stored(database)) == len(expected(body))
    store_one(database, feed, article("https://x.test/a", body, source="feed"), replaces=article_id)
    assert version_of(database, article_id) == PARSER_VERSION
    assert {r["parser_version"] for r in stored(database)} == {PARSER_VERSION}

    # A changed text without a parse: the old statements no longer fit it, so they go.
    store_one(database, feed, dataclasses.replace(unparsed, text="Different text."), replaces=article_id)
    assert stored(database) == [] and version_of(database, article_id) is None


def test_folding_a_provisional_article_takes_its_statements_with_it(database: Database) -> None:
    f1, f2 = new_feed(database, "https://a.test/rss"), new_feed(database, "https://b.test/rss")
    canonical = store_one(database, f1, article("https://x.test/c", JANE))
    provisional = store_one(database, f2, article("https://y.test/p", JOHN, source="feed"), guid="h1")
    store_one(database, f2, article("https://x.test/c", JANE), guid="h1", replaces=provisional)
    assert {r["article_id"] for r in stored(database)} == {canonical}
    assert fields(stored(database)) == expected(JANE)


def test_deleting_an_article_deletes_its_statements(database: Database) -> None:
    article_id = store_one(database, new_feed(database), article("https://x.test/a", JANE))
    assert stored(database)
    with database.transaction() as s:
        s.execute(text("DELETE FROM articles WHERE id = :a"), {"a": article_id})
    assert stored(database) == []


def _make_stale(db: Database, article_id: int) -> None:
    with db.transaction() as s:
        s.execute(text("UPDATE articles SET statements_version = 'quotes-0' WHERE id = :a"),
                  {"a": article_id})


def test_reparse_picks_only_stale_articles_and_is_idempotent(database: Database) -> None:
    feed = new_feed(database)
    a = store_one(database, feed, article("https://x.test/a", JANE), guid="a")
    b = store_one(database, feed, article("https://x.test/b", JOHN), guid="b")
    before_b = stored(database, b)
    _make_stale(database, a)
    with database.transaction() as s:
        assert [t.id for t in texts_to_reparse(s, version=PARSER_VERSION)] == [a]
    summary = reparse(database)
    assert (summary.articles, summary.statements, summary.failed, summary.skipped) == (
        1, len(expected(JANE)), 0, 0)
    assert version_of(database, a) == PARSER_VERSION
    assert fields(stored(database, a)) == expected(JANE)
    assert stored(database, b) == before_b  # untouched: same row ids
    assert reparse(database).articles == 0

    everything = reparse(database, everything=True)
    assert everything.articles == 2
    snapshot = fields(stored(database))
    again = reparse(database, everything=True, batch=1)
    assert again.articles == 2 and again.statements == everything.statements
    assert fields(stored(database)) == snapshot


def test_reparse_since_and_unparsed_articles(database: Database) -> None:
    feed = new_feed(database)
    old = store_one(database, feed, article("https://x.test/old", JANE, published=T0 - timedelta(days=30)),
                    guid="old")
    new = store_one(database, feed, article("https://x.test/new", JOHN), guid="new")
    with database.transaction() as s:
        s.execute(text("UPDATE articles SET statements_version = NULL"))  # never parsed
    assert reparse(database, since=T0 - timedelta(days=1)).articles == 1
    assert (version_of(database, old), version_of(database, new)) == (None, PARSER_VERSION)
    assert reparse(database).articles == 1 and version_of(database, old) == PARSER_VERSION


def test_reparse_leaves_an_article_whose_text_changed_meanwhile(database: Database) -> None:
    article_id = store_one(database, new_feed(database), article("https://x.test/a", JANE))
    before = stored(database)
    with database.transaction() as s:
        assert not replace_if_unchanged(s, StoredText(article_id, JOHN, "not-the-hash"), (), PARSER_VERSION)
    assert stored(database) == before


def test_reparse_survives_a_parser_failure(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    article_id = store_one(database, new_feed(database), article("https://x.test/a", JANE))
    _make_stale(database, article_id)
    before = stored(database)

    def broken(_text: str) -> list[Any]:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(pipeline_statements, "parse_statements", broken)
    summary = reparse(database)
    assert (summary.articles, summary.failed) == (0, 1)
    assert stored(database) == before and version_of(database, article_id) == "quotes-0"


def test_speaker_search_matches_any_alias_in_any_case_and_unicode(database: Database) -> None:
    feed = new_feed(database)
    body = "„Es bleibt dabei“, sagte Maroš Šefčovič. " + JANE
    cs = body.index("„")
    sefcovic = StatementRecord(speaker="Maroš Šefčovič", speaker_type="person", role=None,
                               speaker_start=body.index("Maroš"), speaker_end=body.index("."), cue="sagte",
                               content=body[cs:body.index(",")], content_start=cs,
                               content_end=body.index(","), kind="direct", confidence=0.8,
                               speaker_ref=speaker_ref("Maroš Šefčovič", "person"))
    rec = article("https://x.test/a", body)
    rec = dataclasses.replace(rec, statements=(sefcovic, *rec.statements))
    store_one(database, feed, rec)
    with database.transaction() as s:
        for name in ("ŠEFČOVIČ", "šefčovič", "maros sefcovic", "Commissioner Maroš Šefčovič", "MAROŠ"):
            query = speaker_query(name)
            assert query is not None
            assert {r["speaker"] for r in list_statements(s, speaker=query)} == {"Maroš Šefčovič"}, name
        assert list_statements(s, speaker=speaker_query("ŠEFČ")) == []  # a whole name, not a piece of one
        assert list_statements(s, speaker=speaker_query("%")) == []  # wildcards are no wildcards
        jane = list_statements(s, speaker=speaker_query("DOE"))
    assert jane and {r["speaker"] for r in jane} == {s.speaker for s in parse_statements(JANE)}
    assert jane[0]["url"] == "https://x.test/a" and jane[0]["published_at"] == T0
