"""views statement_details and article_feeds; on PostgreSQL a comment on every table, view and column

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 03:00:00.000000

The views read articles, statements, speakers, feeds and feed_entries. A later migration that
rebuilds one of these on SQLite (batch mode) must drop the views before the batch and create them
after it, from a frozen copy like VIEWS below: the rename at the end of a rebuild fails while a view
names the table. On PostgreSQL the same holds for dropping or retyping a column a view selects. See
db/views.py.
"""

from __future__ import annotations

from alembic import op

from db.comments import write_comments

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# A frozen copy of db/views.py VIEWS as this revision creates them: what 0009 does must not change
# when VIEWS does (a view selecting a column a later migration adds would fail here). While no later
# migration recreates the views, tests/test_migrations.py keeps this copy equal to VIEWS.
VIEWS: dict[str, str] = {
    "statement_details": """
SELECT s.id AS statement_id, s.article_id, s.speaker, s.speaker_type, s.speaker_id,
       p.name AS speaker_name, p.type AS speaker_entity_type,
       s.role, s.cue, s.kind, s.content, s.confidence,
       a.title AS article_title, a.url AS article_url, a.published_at, a.created_at AS stored_at,
       f.url AS feed_url, f.title AS feed_title
FROM statements s
JOIN articles a ON a.id = s.article_id
LEFT JOIN speakers p ON p.id = s.speaker_id
LEFT JOIN feed_entries e ON e.id = (SELECT min(e1.id) FROM feed_entries e1 WHERE e1.article_id = s.article_id)
LEFT JOIN feeds f ON f.id = e.feed_id""",
    "article_feeds": """
SELECT a.id AS article_id, a.url AS article_url, a.title AS article_title, a.published_at,
       f.id AS feed_id, f.url AS feed_url, f.title AS feed_title, f.category AS feed_category,
       e.guid, e.link, e.first_seen_at
FROM feed_entries e
JOIN articles a ON a.id = e.article_id
JOIN feeds f ON f.id = e.feed_id""",
}


def upgrade() -> None:
    for name, select in VIEWS.items():
        op.execute(f"DROP VIEW IF EXISTS {name}")
        op.execute(f"CREATE VIEW {name} AS{select}")
    # Today's db/comments.py, not a frozen copy, on purpose: it only writes comments (no schema
    # change), and only on the tables, views and columns that exist at this revision, so it cannot
    # fail on what a later migration adds; each later migration that adds objects writes theirs.
    write_comments(op.get_bind())


def downgrade() -> None:
    # The comments stay: they describe the tables, whatever the revision.
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
