"""docs/schema.md for SQL users: its example queries run as written on SQLite and PostgreSQL against
a small ingested database and find rows; the views show what they promise; PostgreSQL carries a
comment on every table, view and column; config/datasette.yml holds the same queries, which run
through Datasette itself; a later SQLite batch migration keeps the views when it follows db/views.py."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from schema_site import DATASETTE_YML, build_news, doc_examples
from server import LocalServer
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from db.comments import COLUMNS
from db.views import VIEWS


def rows(db_url: str, sql: str) -> list[dict[str, Any]]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        found = [dict(r._mapping) for r in conn.execute(text(sql))]
    engine.dispose()
    return found


@pytest.fixture
def news(
    http_server: LocalServer, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    build_news(http_server, db_url, monkeypatch)
    capsys.readouterr()
    return db_url


def test_ten_examples_run_as_written(news: str) -> None:
    examples = doc_examples()
    assert len(examples) == 10
    dialect = "sqlite" if news.startswith("sqlite") else "postgresql"
    for example in examples:
        assert rows(news, example.query(dialect)), f"no rows: {example.title}"


def test_views(news: str, http_server: LocalServer) -> None:
    details = rows(news, "SELECT * FROM statement_details ORDER BY statement_id")
    assert set(details[0]) == set(COLUMNS["statement_details"])
    bridge = next(d for d in details if d["content"].startswith("The bridge will carry"))
    assert (bridge["speaker"], bridge["speaker_name"], bridge["speaker_entity_type"]) == (
        "Jane Doe",
        "Jane Doe",
        "person",
    )
    assert bridge["article_url"] == http_server.url("/news/bridge")
    assert bridge["stored_at"] is not None and bridge["published_at"] is not None
    # listed by both feeds; the first feed is the one whose entry came first
    first = rows(
        news,
        f"SELECT f.url FROM feed_entries e JOIN feeds f ON f.id = e.feed_id "
        f"WHERE e.article_id = {bridge['article_id']} ORDER BY e.id LIMIT 1",
    )[0]["url"]
    assert bridge["feed_url"] == first
    feeds = rows(
        news, f"SELECT * FROM article_feeds WHERE article_id = {bridge['article_id']} ORDER BY feed_id"
    )
    assert set(feeds[0]) == set(COLUMNS["article_feeds"])
    assert [f["feed_category"] for f in feeds] == ["News/Local", "Culture"]
    assert all(
        f["guid"] == f["link"] == http_server.url("/news/bridge") and f["first_seen_at"] for f in feeds
    )
    assert len(rows(news, "SELECT * FROM statement_details")) == len(rows(news, "SELECT id FROM statements"))


@pytest.mark.postgres
def test_every_table_view_and_column_has_a_comment_on_postgresql(postgres_schema_url: str) -> None:
    from db.database import Database

    Database.open(postgres_schema_url, upgrade=True).close()
    missing = rows(
        postgres_schema_url,
        """
        SELECT c.relname AS name, a.attname AS col FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'v') AND c.relname <> 'alembic_version'
          AND col_description(c.oid, a.attnum) IS NULL""",
    )
    assert missing == []
    uncommented = rows(
        postgres_schema_url,
        """
        SELECT c.relname AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
        WHERE c.relkind IN ('r', 'v') AND c.relname <> 'alembic_version' AND obj_description(c.oid, 'pg_class') IS NULL""",
    )
    assert uncommented == []
    views = rows(
        postgres_schema_url,
        "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()",
    )
    assert {v["table_name"] for v in views} == set(VIEWS)


def _canned() -> dict[str, dict[str, str]]:
    config = yaml.safe_load(DATASETTE_YML.read_text(encoding="utf-8"))
    return dict(config["databases"]["news"]["queries"])


def test_datasette_queries_are_the_doc_examples() -> None:
    doc = {e.title: "\n".join(e.query("sqlite").splitlines()[1:]).strip() for e in doc_examples()}
    assert {q["title"]: q["sql"].strip() for q in _canned().values()} == doc


@pytest.mark.slow
def test_canned_queries_run_in_datasette(
    http_server: LocalServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datasette.app import Datasette

    path = tmp_path / "news.db"
    build_news(http_server, f"sqlite:///{path}", monkeypatch)
    capsys.readouterr()
    metadata = yaml.safe_load(DATASETTE_YML.read_text(encoding="utf-8"))

    async def run_all() -> dict[str, tuple[int, Any]]:
        ds = Datasette([str(path)], metadata=metadata)
        results = {}
        for name in _canned():
            response = await ds.client.get(f"/news/{name}.json?_shape=array")
            results[name] = (response.status_code, response.json())
        return results

    for name, (status, body) in asyncio.run(run_all()).items():
        assert status == 200, (name, body)
        assert isinstance(body, list) and body, f"{name}: no rows"


def test_a_sqlite_batch_rebuild_keeps_the_views_when_it_follows_db_views(database: Any, db_url: str) -> None:
    """What db/views.py tells a later migration to do, done: drop the views, rebuild a table they
    read (as Alembic's batch mode does on SQLite), create the views again."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the rebuild is SQLite's batch mode")
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    def rebuild(conn: Any) -> None:
        with Operations(MigrationContext.configure(conn)).batch_alter_table(
            "articles", recreate="always"
        ) as batch:
            batch.alter_column("title", existing_type=None)

    with (
        pytest.raises(OperationalError, match="error in view statement_details"),
        database.engine.begin() as conn,
    ):
        rebuild(conn)  # with the views in place, the rename that ends the rebuild fails
    with database.engine.begin() as conn:
        for name in VIEWS:
            conn.execute(text(f"DROP VIEW {name}"))
        rebuild(conn)
        for name, select in VIEWS.items():  # a migration: from its frozen copy, equal to VIEWS today
            conn.execute(text(f"CREATE VIEW {name} AS{select}"))
    assert set(VIEWS) <= set(inspect(database.engine).get_view_names())
    assert rows(db_url, "SELECT count(*) AS n FROM statement_details")[0]["n"] == 0
