"""feeds.category: one category per feed, a path such as "News/Europe", kept from OPML

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One column, not a table: a feed sits in one folder of a feed reader, and OPML nests it so.
    # Nested folders are one path, segments joined by "/"; null: no category.
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sa.Text(), nullable=True))
        batch_op.create_index("ix_feeds_category", ["category"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_index("ix_feeds_category")
        batch_op.drop_column("category")
