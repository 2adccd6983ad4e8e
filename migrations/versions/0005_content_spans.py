"""statements.content_spans: what was said, as pieces of the article's text

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # JSON text, [[start, end], ...]. A row stored so far has one piece, its whole content
    # (content = text[content_start:content_end] held for it); its article's statements_version is
    # older than the parser's, so `worker reparse` replaces it with the parser's pieces.
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_spans", sa.Text(), nullable=True))
    op.execute("UPDATE statements SET content_spans = '[[' || CAST(content_start AS VARCHAR) || ',' || "
               "CAST(content_end AS VARCHAR) || ']]'")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.alter_column("content_spans", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    # The older parser sees these rows' version as not its own, so its `worker reparse` redoes them.
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_column("content_spans")
