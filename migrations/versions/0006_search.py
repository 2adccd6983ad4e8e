"""full-text search: FTS5 tables and triggers on SQLite; tsvector columns, GIN and pg_trgm on PostgreSQL

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 01:30:00.000000

Kept in step by the database itself, in the writer's transaction: on SQLite by triggers on
`articles` and `statements` (external-content FTS5 tables, so the text is stored once), on
PostgreSQL by STORED generated columns. Nothing here is in db/models.py; db/search.py queries it,
repairs it and tells Alembic's comparison to leave it alone (`is_search_object`).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# Frozen copies of the DDL in db/search.py (a test checks that the two agree).
SQLITE_UP = (
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE statements_fts USING fts5(content, content='statements', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF id, title, text ON articles "
    "WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.text IS NOT new.text BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER statements_fts_insert AFTER INSERT ON statements BEGIN "
    "INSERT INTO statements_fts(rowid, content) VALUES (new.id, new.content); END",
    "CREATE TRIGGER statements_fts_delete AFTER DELETE ON statements BEGIN "
    "INSERT INTO statements_fts(statements_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "CREATE TRIGGER statements_fts_update AFTER UPDATE OF id, content ON statements "
    "WHEN old.id IS NOT new.id OR old.content IS NOT new.content BEGIN "
    "INSERT INTO statements_fts(statements_fts, rowid, content) VALUES ('delete', old.id, old.content); "
    "INSERT INTO statements_fts(rowid, content) VALUES (new.id, new.content); END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    "INSERT INTO statements_fts(statements_fts) VALUES ('rebuild')",
)

SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS statements_fts_insert",
    "DROP TRIGGER IF EXISTS statements_fts_delete",
    "DROP TRIGGER IF EXISTS statements_fts_update",
    "DROP TABLE IF EXISTS articles_fts",
    "DROP TABLE IF EXISTS statements_fts",
)

# tsvector holds at most 1 MB: the first 100,000 characters are indexed, which no news text
# passes and no hostile one can turn into more than that.
POSTGRESQL_UP = (
    "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, left(coalesce(title, ''), 1000)), 'A') || "
    "setweight(to_tsvector('english'::regconfig, left(text, 100000)), 'B')) STORED",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    "ALTER TABLE statements ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "to_tsvector('english'::regconfig, left(content, 100000))) STORED",
    "CREATE INDEX ix_statements_search_vector ON statements USING gin (search_vector)",
)

POSTGRESQL_DOWN = (
    "DROP INDEX IF EXISTS ix_statements_speaker_trgm",
    "DROP INDEX IF EXISTS ix_statements_search_vector",
    "ALTER TABLE statements DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
)

TRGM_SCHEMA = (
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = 'pg_trgm'"
)


def _trigram_schema(bind: sa.Connection) -> str | None:
    """The schema pg_trgm lives in, creating it in `public` when it is not installed: an extension
    belongs to the whole database, so never to a schema of ours that could be dropped with it."""
    schema = bind.execute(sa.text(TRGM_SCHEMA)).scalar()
    if schema is not None:
        return str(schema)
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
    except sa.exc.DBAPIError as exc:
        log.warning(
            "pg_trgm is not available (%s); speaker filters work without their index. "
            "Install it and run `worker db reindex` to add the index.",
            str(exc.orig).strip(),
        )
    found = bind.execute(sa.text(TRGM_SCHEMA)).scalar()
    return None if found is None else str(found)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    for statement in POSTGRESQL_UP:
        op.execute(statement)
    schema = _trigram_schema(bind)
    if schema is not None:
        quoted = bind.dialect.identifier_preparer.quote_identifier(schema)
        op.execute(
            "CREATE INDEX ix_statements_speaker_trgm ON statements "
            f"USING gin (lower(speaker) {quoted}.gin_trgm_ops)"
        )


def downgrade() -> None:
    # pg_trgm stays: other schemas of the database may use it.
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_DOWN:
        op.execute(statement)
