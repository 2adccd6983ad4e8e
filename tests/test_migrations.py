"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from db import migrate
from db.database import Database
from db.engine import make_engine
from db.migrate import current_revision, head_revision
from db.models import Base
from db.search import is_search_object
from db.types import utcnow


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        # The search index (migration 0006) lives outside the models.
        opts = {"include_name": lambda name, type_, parents: not is_search_object(name, type_, parents)}
        assert compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata) == []
    assert current_revision(database.engine) == head_revision()


def test_queue_tables_exist(database: Database) -> None:
    insp = inspect(database.engine)
    assert {"page_jobs", "host_pauses"} <= set(insp.get_table_names())
    feed_columns = {c["name"] for c in insp.get_columns("feeds")}
    assert {"next_check_reason", "server_wait_until", "disabled_reason", "lease_owner", "lease_until"} <= feed_columns


def test_0011_turns_the_provisional_sentence_into_a_column_and_queues_pre_queue_feed_texts(db_url: str) -> None:
    engine = make_engine(db_url)
    assert migrate.upgrade(engine, to="0010") == (None, "0010")
    now = utcnow()
    with engine.begin() as conn:
        feed_id = conn.execute(text("INSERT INTO feeds (url, enabled, error_count, created_at) "
                                    "VALUES ('https://x.test/rss', true, 0, :n) RETURNING id"), {"n": now}).scalar()
        ids = {}
        for name, source, reason, attempts in [("waiting", "feed", "page not fetched yet", 0),
                                               ("orphan", "feed", "page fetch failed: HTTP 503", 1),
                                               ("given-up", "feed", "page fetch failed: HTTP 404", 3),
                                               ("page", "page", None, 1)]:
            ids[name] = conn.execute(text(
                "INSERT INTO articles (url, text, source, source_reason, content_hash, extracted_at, "
                "extractor_version, created_at, updated_at, page_attempts) VALUES "
                "(:u, 't', :s, :r, 'h', :n, 'v', :n, :n, :a) RETURNING id"),
                {"u": f"https://x.test/{name}", "s": source, "r": reason, "n": now, "a": attempts}).scalar()
            conn.execute(text("INSERT INTO feed_entries (feed_id, article_id, guid, link, first_seen_at) "
                              "VALUES (:f, :a, :g, :l, :n)"),
                         {"f": feed_id, "a": ids[name], "g": name, "l": f"https://x.test/{name}", "n": now})
        conn.execute(text("INSERT INTO page_jobs (article_id, feed_id, url, state, attempts, next_attempt_at, "
                          "created_at, updated_at) VALUES (:a, :f, 'https://x.test/waiting', 'pending', 0, :n, "
                          ":n, :n)"), {"a": ids["waiting"], "f": feed_id, "n": now})
    assert migrate.upgrade(engine) == ("0010", migrate.head_revision())
    with engine.connect() as conn:
        provisional: dict[str, bool] = dict(conn.execute(text("SELECT url, provisional FROM articles")).all())
        jobs = conn.execute(text("SELECT article_id, url, state, attempts FROM page_jobs ORDER BY id")).all()
    assert {url for url, flag in provisional.items() if flag} == {"https://x.test/waiting"}
    assert [tuple(job) for job in jobs] == [(ids["waiting"], "https://x.test/waiting", "pending", 0),
                                            (ids["orphan"], "https://x.test/orphan", "pending", 1)]
    engine.dispose()
