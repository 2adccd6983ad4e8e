"""articles.provisional: the feed's text standing in until the queued page is first tried, a column
instead of a source_reason sentence that code compared; feed-text articles from before the queue
(0003) without a job get one, since polls no longer queue pages of entries they know

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.comments import write_comments
from db.types import UTCDateTime, utcnow

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PROVISIONAL_REASON = "page not fetched yet"  # what source_reason said of such an article until now
RETRY_LIMIT = 3  # page_retry_limit's default: an article tried this often was given up for good

articles = sa.table("articles", sa.column("id", sa.Integer()), sa.column("source", sa.String()),
                    sa.column("source_reason", sa.Text()), sa.column("page_attempts", sa.Integer()),
                    sa.column("provisional", sa.Boolean()))
entries = sa.table("feed_entries", sa.column("id", sa.Integer()), sa.column("feed_id", sa.Integer()),
                   sa.column("article_id", sa.Integer()), sa.column("link", sa.Text()))
jobs = sa.table("page_jobs", sa.column("article_id", sa.Integer()), sa.column("feed_id", sa.Integer()),
                sa.column("url", sa.Text()), sa.column("state", sa.String()),
                sa.column("attempts", sa.Integer()),
                sa.column("next_attempt_at", sa.DateTime(timezone=True)),
                sa.column("created_at", sa.DateTime(timezone=True)),
                sa.column("updated_at", sa.DateTime(timezone=True)))


def upgrade() -> None:
    # Not batch mode: SQLite adds a column in place, so the views and search triggers stay as they are.
    op.add_column("articles", sa.Column("provisional", sa.Boolean(), server_default=sa.text("false"),
                                        nullable=False))
    op.execute(articles.update().where(articles.c.source_reason == PROVISIONAL_REASON)
               .values(provisional=sa.true()))
    _queue_orphans()
    write_comments(op.get_bind())  # PostgreSQL: the new column's comment (db/comments.py)


def _queue_orphans() -> None:
    """Until now every poll queued the page of each entry whose article held the feed's text with
    fewer than page_retry_limit attempts (a no-op when it was queued already); the queue owns that
    now, so articles stored before it existed get their job here, with the attempts they had."""
    other = entries.alias("e1")
    first_link = (sa.select(sa.func.min(other.c.id)).where(other.c.article_id == articles.c.id,
                                                           other.c.link.is_not(None))
                  .scalar_subquery())
    has_job = sa.select(jobs.c.article_id).where(jobs.c.article_id == articles.c.id).exists()
    now = sa.bindparam("now", value=utcnow(), type_=UTCDateTime())  # stored as the models store times
    orphans = (sa.select(articles.c.id, entries.c.feed_id, entries.c.link, sa.literal("pending"),
                         articles.c.page_attempts, now, now, now)
               .select_from(articles.join(entries, entries.c.id == first_link))
               .where(articles.c.source == "feed", articles.c.page_attempts < RETRY_LIMIT, ~has_job))
    op.execute(jobs.insert().from_select(["article_id", "feed_id", "url", "state", "attempts",
                                          "next_attempt_at", "created_at", "updated_at"], orphans))


def downgrade() -> None:
    op.drop_column("articles", "provisional")
