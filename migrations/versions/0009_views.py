"""views statement_details and article_feeds; on PostgreSQL a comment on every table, view and column

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 03:00:00.000000

The views read articles, statements, speakers, feeds and feed_entries. A later migration that
rebuilds one of these on SQLite (batch mode) must call db.views.drop_views before the batch and
db.views.create_views after it: the rename at the end of a rebuild fails while a view names the
table. On PostgreSQL the same holds for dropping or retyping a column a view selects. See db/views.py.
"""

from __future__ import annotations

from alembic import op

from db.comments import write_comments
from db.views import create_views, drop_views

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    create_views(connection)
    write_comments(connection)


def downgrade() -> None:
    # The comments stay: they describe the tables, whatever the revision.
    drop_views(op.get_bind())
