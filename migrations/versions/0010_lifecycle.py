"""article_pages (kept raw pages, for `worker reprocess --extract`) and article_tombstones (URLs
`worker prune` deleted, so ingest does not store them again)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.comments import write_comments

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A table of its own, not a column of articles: pages are large and read only by reprocess, so
    # scanning articles (listing, export, search) never reads them.
    op.create_table(
        "article_pages",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("encoding", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("html_zlib", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_article_pages_article_id_articles"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_pages")),
    )
    op.create_table(
        "article_tombstones",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_article_tombstones")),
    )
    op.create_index("ix_article_tombstones_pruned_at", "article_tombstones", ["pruned_at"], unique=False)
    # PostgreSQL: the new tables' comments. Today's db/comments.py rather than a frozen copy, on
    # purpose: comments change no schema and write_comments only touches what exists at this
    # revision, so a later change to db/comments.py cannot break this migration.
    write_comments(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_article_tombstones_pruned_at", table_name="article_tombstones")
    op.drop_table("article_tombstones")
    op.drop_table("article_pages")
