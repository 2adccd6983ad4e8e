"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from db.database import Database
from db.migrate import current_revision, head_revision
from db.models import Base
from db.search import is_search_object


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
