"""Speakers across articles on SQLite and PostgreSQL, through the CLI: one speaker for every name of a
person, none for junk, `worker speakers` (--top, --since, --json), `worker statements --speaker` by
any alias, ids that survive `worker reparse`, the speakers an upgrade past migration 0007 fills in
for the statements stored before it (db/backfill.py), and two writers creating one speaker at once."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from cliharness import query, run, use_local_site
from server import LocalServer
from sqlalchemy import text

from db import migrate, store
from db import speakers as db_speakers
from db.database import Database
from db.engine import DatabaseError, make_engine
from db.feeds import add_feed
from db.records import ArticleRecord, EntryRecord, FeedPoll
from db.speakers import resolve
from db.types import UTCDateTime
from worker.pipeline.decide import merge_article
from worker.pipeline.statements import with_speakers, with_statements
from worker.speakers import article_speakers, speaker_ref

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FILLER = (
    "The valley road was resurfaced over the summer and reopened to traffic in early September.",
    "Shops along the high street have extended their opening hours for the winter season.",
)
PAGES = {  # path: (published, paragraphs)
    "/news/wall": ("Mon, 02 Mar 2026 09:00:00 GMT", (
        "“We will build it and it will be beautiful,” President Donald J. Trump said on Monday.",
        "“Prices are far too high for families in this town,” Walter Reed said.")),
    "/news/economy": ("Wed, 04 Mar 2026 09:00:00 GMT", (
        "“The economy is stronger than it has ever been,” Trump told reporters.",
        "“Music matters more than anything else to me,” Lou Reed said.")),
    "/news/vaccines": ("Thu, 05 Mar 2026 09:00:00 GMT", (
        "The Centers for Disease Control and Prevention (CDC) published new figures on Tuesday.",
        "“The vaccines work and the figures show it clearly,” the CDC said in a statement.",
        "“We are deeply worried about this,” a spokesperson said.",
        "“We will study the figures carefully,” health officials said.")),
    "/news/old": ("Sun, 01 Jun 2025 09:00:00 GMT", (
        "“This is old news from last year already,” Mr. Trump said on Friday.",
        "“It works better than anyone expected,” Donald Trump said.")),
}


def page(title: str, paragraphs: tuple[str, ...]) -> str:
    body = "".join(f"<p>{p}</p>" for p in (FILLER[0], *paragraphs, FILLER[1]))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")


def feed(server: LocalServer) -> str:
    items = "".join(
        f"<item><guid>{path}</guid><title>{path[6:]}</title><link>{server.url(path)}</link>"
        f"<pubDate>{date}</pubDate></item>" for path, (date, _) in PAGES.items())
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Valley Post</title>'
            f"<link>{server.url('/')}</link><description>News</description>{items}</channel></rss>")


@pytest.fixture
def site(http_server: LocalServer, monkeypatch: pytest.MonkeyPatch, db_url: str,
         capsys: pytest.CaptureFixture[str]) -> str:
    use_local_site(monkeypatch, db_url)
    capsys.readouterr()
    for path, (_, paragraphs) in PAGES.items():
        http_server.add(path, page(path[6:], paragraphs), headers={"Content-Type": "text/html; charset=utf-8"})
    http_server.add("/rss.xml", feed(http_server), headers={"Content-Type": "application/rss+xml"})
    code, out, _ = run(capsys, "ingest", "--feed", http_server.url("/rss.xml"), "--json")
    assert code == 0 and json.loads(out)["articles_new"] == len(PAGES)
    return http_server.url("/rss.xml")


def speakers_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "speakers", "--json", *args)
    assert code == 0, err
    return list(json.loads(out))


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in rows}


def test_one_speaker_across_articles_and_no_speaker_for_descriptions(
        site: str, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = by_name(speakers_json(capsys))
    assert set(rows) == {"Donald J. Trump", "Walter Reed", "Lou Reed", "Centers for Disease Control and Prevention"}
    trump = rows["Donald J. Trump"]
    assert (trump["type"], trump["statements"], trump["articles"]) == ("person", 4, 3)
    assert {"Trump", "Donald Trump"} <= set(trump["aliases"])
    assert (rows["Walter Reed"]["statements"], rows["Lou Reed"]["statements"]) == (1, 1)
    cdc = rows["Centers for Disease Control and Prevention"]
    assert (cdc["type"], cdc["statements"], cdc["aliases"]) == ("organisation", 1, ["CDC"])
    assert list(rows) == sorted(rows, key=lambda n: -rows[n]["statements"])  # most quoted first

    # "a spokesperson" and "health officials" are kept as statements, with no speaker row.
    loose = query(db_url, "SELECT speaker FROM statements WHERE speaker_id IS NULL")
    assert {r["speaker"] for r in loose} == {"a spokesperson", "health officials"}
    names = {r["name"] for r in query(db_url, "SELECT name FROM speakers")}
    assert names == set(rows)
    aliases = query(db_url, "SELECT normalised FROM speaker_aliases")
    assert len(aliases) == len({r["normalised"] for r in aliases})


def test_speakers_top_since_and_table(site: str, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (top,) = speakers_json(capsys, "--top", "1")
    assert top["name"] == "Donald J. Trump"
    recent = by_name(speakers_json(capsys, "--since", "2026-01-01"))
    assert (recent["Donald J. Trump"]["statements"], recent["Donald J. Trump"]["articles"]) == (2, 2)
    assert speakers_json(capsys, "--since", "2027-01-01") == []
    monkeypatch.setenv("WORKER_SPEAKERS_TOP", "2")
    assert len(speakers_json(capsys)) == 2

    code, out, _ = run(capsys, "speakers", "--top", "2")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["statements", "articles", "speaker", "type", "also"]
    assert len(lines) == 3 and lines[1].split()[:2] == ["4", "3"] and "Donald J. Trump" in lines[1]
    for bad in (["--top", "0"], ["--top", "x"], ["--since", "yesterday"]):
        code, _, err = run(capsys, "speakers", *bad)
        assert code == 2 and err


def statements_by(capsys: pytest.CaptureFixture[str], name: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "statements", "--speaker", name, "--json")
    assert code == 0, err
    return list(json.loads(out))


def test_statements_speaker_matches_any_alias(site: str, capsys: pytest.CaptureFixture[str]) -> None:
    trump = statements_by(capsys, "Donald J. Trump")
    assert len(trump) == 4 and len({r["speaker_id"] for r in trump}) == 1
    for name in ("President Trump", "trump", "MR. TRUMP", "Donald Trump", "donald"):
        assert statements_by(capsys, name) == trump, name
    assert {r["speaker"] for r in statements_by(capsys, "Walter Reed")} == {"Walter Reed"}
    assert {r["speaker"] for r in statements_by(capsys, "reed")} == {"Walter Reed", "Lou Reed"}
    cdc = statements_by(capsys, "the CDC")
    assert len(cdc) == 1 and statements_by(capsys, "Centers for Disease Control and Prevention") == cdc
    assert statements_by(capsys, "a spokesperson") == [] and statements_by(capsys, "Melania Trump") == []
    code, _, err = run(capsys, "statements", "--speaker", " ... ")
    assert code == 2 and err.startswith("worker: --speaker needs a name")


def test_reparse_keeps_the_speaker_ids(site: str, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT article_id, content, speaker_id FROM statements ORDER BY article_id, content_start"
    before = query(db_url, sql)
    speakers = query(db_url, "SELECT * FROM speakers ORDER BY id")
    code, out, _ = run(capsys, "reparse", "--all", "--json")
    assert code == 0 and json.loads(out)["articles"] == len(PAGES)
    assert query(db_url, sql) == before
    assert query(db_url, "SELECT * FROM speakers ORDER BY id") == speakers


# --- storage, without the CLI -------------------------------------------------------------------

def article(url: str, body: str, published: datetime = T0) -> ArticleRecord:
    return with_statements(ArticleRecord(
        url=url, title="T", author=None, published_at=published, language="en", text=body, summary=None,
        source="page", source_reason=None, extracted_at=T0, extractor_version="test", page_attempts=1))


def store_all(db: Database, *records: ArticleRecord) -> None:
    with db.transaction() as s:
        feed_id = add_feed(s, "https://a.test/rss")[0].id
    for n, rec in enumerate(records):
        with db.transaction() as s:
            store.record_poll(s, FeedPoll(feed_id=feed_id, checked_at=T0, status="ok",
                                          next_check_at=T0 + timedelta(minutes=30),
                                          entries=(EntryRecord(f"g{n}", rec.url, rec),)), merge_article)


def speaker_of(db: Database) -> dict[str, str | None]:
    """Each statement's speaker as written -> its speaker row's name."""
    with db.transaction() as s:
        rows = s.execute(text("SELECT st.speaker, sp.name FROM statements st "
                              "LEFT JOIN speakers sp ON sp.id = st.speaker_id"))
        return {speaker: name for speaker, name in rows}


def test_a_lone_surname_joins_the_one_known_person_and_not_one_of_two(database: Database) -> None:
    store_all(database,
              article("https://x.test/1", "“We will build the road,” Trump said at the rally on Monday."),
              article("https://x.test/2", "“The road is built,” Donald Trump said at the opening on Friday."),
              article("https://x.test/3", "“I like the new road,” Melania Trump said to reporters on Saturday."),
              article("https://x.test/4", "“The road is long,” Trump said to reporters on Sunday."))
    with database.transaction() as s:
        rows = s.execute(text("SELECT st.article_id, st.speaker, sp.name FROM statements st "
                              "LEFT JOIN speakers sp ON sp.id = st.speaker_id ORDER BY st.article_id")).all()
    # 1: nobody named Trump was known, so a speaker of its own, which "Donald Trump" (2) then became;
    # 4: two Trumps are known now and the bare name is Donald's: ambiguous, no speaker.
    assert [tuple(r)[1:] for r in rows] == [("Trump", "Donald Trump"), ("Donald Trump", "Donald Trump"),
                                           ("Melania Trump", "Melania Trump"), ("Trump", None)]


def test_a_lone_surname_shared_by_two_known_people_is_a_speaker_of_its_own(database: Database) -> None:
    store_all(database,
              article("https://x.test/1", "“We will build the road,” Walter Reed said at the meeting."),
              article("https://x.test/2", "“The song is finished,” Lou Reed said at the studio."),
              article("https://x.test/3", "“Nothing is decided yet,” Reed said on Monday."))
    assert speaker_of(database) == {"Walter Reed": "Walter Reed", "Lou Reed": "Lou Reed", "Reed": "Reed"}


def test_labels_and_pronouns_get_no_speaker_row_but_their_statements_stay(database: Database) -> None:
    body = "“We will win the match on Sunday,” Jane Doe said."
    rec = article("https://x.test/1", body)
    (jane,) = rec.statements
    odd = [dataclasses.replace(jane, speaker=name, speaker_type=kind)
           for name, kind in (("Date", "unknown"), ("URL", "unknown"), ("he", "person"), ("Photo", "unknown"))]
    rec = dataclasses.replace(rec, statements=with_speakers(body, [jane, *odd]))
    store_all(database, rec)
    with database.transaction() as s:
        rows = s.execute(text("SELECT speaker, speaker_id FROM statements ORDER BY id")).all()
        names = s.execute(text("SELECT name FROM speakers")).scalars().all()
    assert [r[0] for r in rows] == ["Jane Doe", "Date", "URL", "he", "Photo"]
    assert rows[0][1] is not None and all(r[1] is None for r in rows[1:])
    assert names == ["Jane Doe"]


def test_two_writers_creating_one_speaker_at_once_get_one_row(database: Database) -> None:
    ref = speaker_ref("Antony Blinken", "person")
    assert ref is not None
    results: dict[str, int | None] = {}

    def second() -> None:
        with database.transaction() as s:
            results["second"] = resolve(s, ref)

    with database.transaction() as s:
        results["first"] = resolve(s, ref)
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.5)  # the second writer waits on the alias (PostgreSQL) or the write lock (SQLite)
    other.join(timeout=30)
    assert results["first"] == results["second"]
    with database.transaction() as s:
        assert s.execute(text("SELECT count(*) FROM speakers")).scalar() == 1
        assert s.execute(text("SELECT count(*) FROM speaker_aliases")).scalar() == 1


def test_a_race_lost_on_the_alias_drops_the_new_row(database: Database) -> None:
    """What the loser of a race sees: the name is held when it inserts it. It keeps no row of its own."""
    ref = speaker_ref("Antony Blinken", "person")
    assert ref is not None
    with database.transaction() as s:
        held = resolve(s, ref)
    with database.transaction() as s:
        assert db_speakers._Resolver(s, [])._create(ref).id == held
    with database.transaction() as s:
        assert s.execute(text("SELECT count(*) FROM speakers")).scalar() == 1


# --- the upgrade past migration 0007 --------------------------------------------------------------

def _database_at(db_url: str, revision: str, statements: list[tuple[str, str, str]]) -> None:
    """A database at `revision` (0005 or 0006) holding articles ("url", text) and their statements
    (url, speaker, speaker_type), as the worker stored them before speakers existed."""
    engine = make_engine(db_url)
    migrate.upgrade(engine, to=revision)
    articles = sa.table("articles", *[sa.column(c) for c in (
        "id", "url", "title", "text", "source", "content_hash", "extractor_version", "page_attempts",
        "statements_version")],
        *[sa.column(c, UTCDateTime) for c in ("published_at", "extracted_at", "created_at", "updated_at")])
    rows = sa.table("statements", *[sa.column(c) for c in (
        "article_id", "speaker", "speaker_type", "cue", "content", "kind", "content_start", "content_end",
        "content_spans", "confidence", "parser_version")])
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        for url, speaker, kind in statements:
            if url not in ids:
                ids[url] = conn.execute(articles.insert().values(
                    url=url, title="Old", text="The Centers for Disease Control and Prevention (CDC) spoke.",
                    source="page", content_hash="h", extractor_version="old", page_attempts=1,
                    statements_version="quotes-3", published_at=T0, extracted_at=T0, created_at=T0,
                    updated_at=T0).returning(articles.c.id)).scalar_one()
            conn.execute(rows.insert().values(
                article_id=ids[url], speaker=speaker, speaker_type=kind, cue="said", content="The",
                kind="direct", content_start=0, content_end=3, content_spans="[[0,3]]", confidence=0.9,
                parser_version="quotes-3"))
    engine.dispose()


def test_the_upgrade_fills_in_speakers_for_stored_statements(db_url: str) -> None:
    _database_at(db_url, "0005", [
        ("https://x.test/1", "Donald J. Trump", "person"), ("https://x.test/1", "Trump", "person"),
        ("https://x.test/1", "Date", "unknown"), ("https://x.test/2", "Donald Trump", "person"),
        ("https://x.test/2", "CDC", "organisation"), ("https://x.test/3", "Walter Reed", "person"),
        ("https://x.test/3", "he", "person"),
    ])
    engine = make_engine(db_url)
    assert migrate.upgrade(engine, speaker_rules=article_speakers) == ("0005", migrate.head_revision())
    db = Database(engine)
    try:
        assert speaker_of(db) == {
            "Donald J. Trump": "Donald J. Trump", "Trump": "Donald J. Trump", "Donald Trump": "Donald J. Trump",
            "CDC": "Centers for Disease Control and Prevention", "Walter Reed": "Walter Reed",
            "Date": None, "he": None}
        with db.transaction() as s:
            aliases = set(s.execute(text("SELECT normalised FROM speaker_aliases")).scalars())
        assert aliases == {"donald trump", "centers for disease control and prevention", "cdc", "walter reed"}
    finally:
        db.close()


def test_the_migration_goes_down_and_up_again(db_url: str) -> None:
    _database_at(db_url, "0005", [("https://x.test/1", "Donald Trump", "person")])
    engine = make_engine(db_url)
    migrate.upgrade(engine, speaker_rules=article_speakers)
    config = migrate._config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    inspector = sa.inspect(engine)
    assert "speakers" not in inspector.get_table_names()
    assert "speaker_id" not in {c["name"] for c in inspector.get_columns("statements")}
    migrate.upgrade(engine, speaker_rules=article_speakers)
    db = Database(engine)
    try:
        assert speaker_of(db) == {"Donald Trump": "Donald Trump"}
    finally:
        db.close()


OLD_STATEMENTS = [("https://x.test/1", "Donald Trump", "person"), ("https://x.test/1", "Trump", "person"),
                  ("https://x.test/2", "CDC", "organisation"), ("https://x.test/2", "he", "person")]
FILLED = {"Donald Trump": "Donald Trump", "Trump": "Donald Trump",
          "CDC": "Centers for Disease Control and Prevention", "he": None}


def test_worker_db_upgrade_fills_in_a_0006_database_once(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    _database_at(db_url, "0006", OLD_STATEMENTS)
    monkeypatch.setenv("WORKER_DATABASE_URL", db_url)
    code, out, err = run(capsys, "db", "upgrade")
    assert code == 0, err
    assert f"schema 0006 -> {migrate.head_revision()}" in out
    db = Database(make_engine(db_url))
    try:
        assert speaker_of(db) == FILLED
        with db.transaction() as s:  # undone by hand: a second upgrade must not fill it in again
            s.execute(text("UPDATE statements SET speaker_id = NULL WHERE speaker = 'CDC'"))
            speakers = s.execute(text("SELECT count(*) FROM speakers")).scalar_one()
        assert run(capsys, "db", "upgrade")[0] == 0
        assert speaker_of(db) == {**FILLED, "CDC": None}
        with db.transaction() as s:
            assert s.execute(text("SELECT count(*) FROM speakers")).scalar_one() == speakers
    finally:
        db.close()


def test_a_sqlite_database_upgraded_on_first_use_gets_its_speakers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    db_url = f"sqlite:///{tmp_path / 'old.db'}"
    _database_at(db_url, "0006", OLD_STATEMENTS)
    monkeypatch.setenv("WORKER_DATABASE_URL", db_url)
    rows = by_name(speakers_json(capsys))  # `worker speakers` opens the database: SQLite upgrades
    assert {name: r["statements"] for name, r in rows.items()} == {
        "Donald Trump": 2, "Centers for Disease Control and Prevention": 1}


def test_an_upgrade_that_would_leave_stored_statements_without_speakers_is_refused(db_url: str) -> None:
    _database_at(db_url, "0006", OLD_STATEMENTS)
    engine = make_engine(db_url)
    try:
        with pytest.raises(DatabaseError, match="needs the worker's speaker rules"):
            migrate.upgrade(engine)
        with pytest.raises(DatabaseError, match="upgrade to head, or to before 0007"):
            migrate.upgrade(engine, to="0008", speaker_rules=article_speakers)
        assert migrate.current_revision(engine) == "0006"  # untouched
        assert migrate.upgrade(engine, speaker_rules=article_speakers) == ("0006", migrate.head_revision())
    finally:
        engine.dispose()


def test_an_upgrade_with_no_statements_stored_needs_no_speaker_rules(db_url: str) -> None:
    _database_at(db_url, "0006", [])
    engine = make_engine(db_url)
    try:
        assert migrate.upgrade(engine) == ("0006", migrate.head_revision())
    finally:
        engine.dispose()


def test_an_upgrade_racing_another_fills_in_speakers_once(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The speakers are filled in by the upgrade that applies 0007, not by one that read the old
    revision just before another worker upgraded the database."""
    _database_at(db_url, "0006", OLD_STATEMENTS)
    engine = make_engine(db_url)
    migrate.upgrade(engine, speaker_rules=article_speakers)
    db = Database(engine)
    try:
        with db.transaction() as s:
            s.execute(text("UPDATE statements SET speaker_id = NULL WHERE speaker = 'CDC'"))
        monkeypatch.setattr(migrate, "current_revision", lambda _engine: "0006")  # read before the other's commit
        assert migrate.upgrade(engine, speaker_rules=article_speakers) == ("0006", migrate.head_revision())
        assert speaker_of(db) == {**FILLED, "CDC": None}
    finally:
        db.close()
