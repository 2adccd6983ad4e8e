"""speakers and speaker_aliases; statements.speaker_id, filled in for the statements stored so far

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from db.search import restore_sqlite_objects

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BACKFILL_BATCH = 500  # articles whose statements are matched to speakers per round


def upgrade() -> None:
    op.create_table(
        "speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("forename", sa.Text(), nullable=True),
        sa.Column("surname", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speakers")),
    )
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speakers_forename"), ["forename"], unique=False)
        batch_op.create_index(batch_op.f("ix_speakers_surname"), ["surname"], unique=False)

    op.create_table(
        "speaker_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("normalised", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["speaker_id"], ["speakers.id"],
                                name=op.f("fk_speaker_aliases_speaker_id_speakers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker_aliases")),
        sa.UniqueConstraint("normalised", name=op.f("uq_speaker_aliases_normalised")),
    )
    with op.batch_alter_table("speaker_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speaker_aliases_speaker_id"), ["speaker_id"], unique=False)

    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("speaker_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_statements_speaker_id"), ["speaker_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_statements_speaker_id_speakers"), "speakers",
                                    ["speaker_id"], ["id"], ondelete="SET NULL")
    _restore_search()
    _backfill()


def _backfill() -> None:
    """Match the statements stored so far to speakers, by the rules new statements are stored with
    (worker/speakers, applied by db/speakers), an article's statements together."""
    from db.speakers import speaker_ids
    from worker.speakers import article_speakers

    session = Session(bind=op.get_bind())
    after = 0
    while True:
        articles = session.execute(sa.text(
            "SELECT id, text FROM articles WHERE id > :after AND id IN (SELECT article_id FROM statements) "
            "ORDER BY id LIMIT :n"), {"after": after, "n": BACKFILL_BATCH}).all()
        if not articles:
            break
        after = articles[-1][0]
        for article_id, text in articles:
            rows = session.execute(sa.text(
                "SELECT id, speaker, speaker_type FROM statements WHERE article_id = :a "
                "ORDER BY content_start, id"), {"a": article_id}).all()
            refs = article_speakers([(speaker, kind) for _, speaker, kind in rows], text or "")
            for (statement_id, _, _), speaker_id in zip(rows, speaker_ids(session, refs), strict=True):
                if speaker_id is not None:
                    session.execute(sa.text("UPDATE statements SET speaker_id = :s WHERE id = :i"),
                                    {"s": speaker_id, "i": statement_id})
    session.flush()


def _restore_search() -> None:
    """On SQLite the batch rebuild of `statements` drops its search triggers (migration 0006): put
    them back. PostgreSQL alters the table in place and keeps its index."""
    if op.get_bind().dialect.name == "sqlite":
        restore_sqlite_objects(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_statements_speaker_id_speakers"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_statements_speaker_id"))
        batch_op.drop_column("speaker_id")
    _restore_search()
    with op.batch_alter_table("speaker_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speaker_aliases_speaker_id"))
    op.drop_table("speaker_aliases")
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speakers_surname"))
        batch_op.drop_index(batch_op.f("ix_speakers_forename"))
    op.drop_table("speakers")
