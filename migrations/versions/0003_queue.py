"""daemon: feed scheduling reasons and leases, the durable page queue, host pauses

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 09:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_check_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("server_wait_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("disabled_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "page_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_page_jobs_article_id_articles"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], name=op.f("fk_page_jobs_feed_id_feeds"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_jobs")),
        sa.UniqueConstraint("article_id", name=op.f("uq_page_jobs_article_id")),
    )
    op.create_index(op.f("ix_page_jobs_state_next_attempt_at"), "page_jobs", ["state", "next_attempt_at"])

    op.create_table(
        "host_pauses",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_host_pauses")),
    )


def downgrade() -> None:
    op.drop_table("host_pauses")
    op.drop_index(op.f("ix_page_jobs_state_next_attempt_at"), table_name="page_jobs")
    op.drop_table("page_jobs")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        for column in ("lease_until", "lease_owner", "disabled_reason", "server_wait_until",
                       "next_check_reason"):
            batch_op.drop_column(column)
