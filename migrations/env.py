"""Alembic environment: run by `worker db upgrade` (db/migrate.py) with a connection attached."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from db.models import Base
from db.search import is_search_object

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: set sqlalchemy.url or attach a connection")
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
        # The search index (migration 0006) lives outside the models.
        include_name=lambda name, type_, parents: not is_search_object(name, type_, parents),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; use `worker db upgrade`")
run_migrations()
