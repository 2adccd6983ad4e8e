"""The Alembic migrations build exactly the schema the models (and db/views.py) describe, on SQLite and
PostgreSQL, and old migrations do what they did whatever today's code says."""

from __future__ import annotations

import ast

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from db import migrate
from db.database import Database
from db.engine import make_engine
from db.migrate import MIGRATIONS, _config, current_revision, head_revision
from db.models import Base
from db.search import is_search_object
from db.types import utcnow
from db.views import VIEWS


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
def _view_definitions(conn: Connection, names: dict[str, str]) -> dict[str, str]:
    """How the database states each view (by the name given), whitespace folded."""
    if conn.dialect.name == "sqlite":
        found = {name: conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = :n"),
                                    {"n": stored}).scalar_one().split(" AS", 1)[1]
                 for name, stored in names.items()}
    else:  # PostgreSQL restates a view's SELECT in its own words: compare its words for both
        found = {name: conn.execute(text("SELECT pg_get_viewdef(CAST(:n AS regclass))"), {"n": stored}).scalar_one()
                 for name, stored in names.items()}
    return {name: " ".join(sql.split()) for name, sql in found.items()}


def test_a_fresh_upgrade_creates_the_views_of_db_views(database: Database) -> None:
    """Head is right: whatever migration last created the views created them as VIEWS says."""
    with database.engine.connect() as conn:
        created = _view_definitions(conn, {name: name for name in VIEWS})
        for name, select in VIEWS.items():
            conn.execute(text(f"CREATE VIEW expected_{name} AS{select}"))
        expected = _view_definitions(conn, {name: f"expected_{name}" for name in VIEWS})
        conn.rollback()
    assert created == expected


def test_migration_0009_keeps_a_frozen_copy_of_the_views_equal_to_db_views() -> None:
    frozen = ScriptDirectory.from_config(_config()).get_revision("0009").module.VIEWS
    assert frozen is not VIEWS, "0009 must keep its own copy, not today's db/views.py VIEWS"
    assert frozen == VIEWS, (
        "db/views.py VIEWS changed: add a migration that recreates the views from a frozen copy of the "
        "new VIEWS. 0009 keeps its copy as it is (it must go on creating what it created); move this "
        "equality check to the new migration."
    )


# What a migration may import. Not the models, rules or DDL of today's db/ and worker/: a later
# change to them would change what an old migration does to a database upgraded through it (copy
# what it needs, frozen, as 0006, 0007 and 0009 do; data that needs today's code is a data step,
# db/backfill.py). Two exceptions: db.comments only writes comments, on what exists; db.types is how a
# time is stored (0011 writes times as the models do), which no change can alter without a data
# migration of its own.
MIGRATION_IMPORTS = ("__future__", "logging", "alembic", "sqlalchemy", "db.comments", "db.types")


def test_migrations_do_not_import_todays_application_code() -> None:
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
        foreign = {m for m in imported if not any(m == a or m.startswith(a + ".") for a in MIGRATION_IMPORTS)}
        assert not foreign, f"{path.name} imports {sorted(foreign)}: see MIGRATION_IMPORTS"
