"""speakers and speaker_aliases; statements.speaker_id

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 02:00:00.000000

The schema only: the speakers of the statements stored before this revision are filled in by
db/migrate.py `upgrade` once the schema is at head (db/backfill.py), since matching them needs
today's speaker rules and models, which a migration must not call.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


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


def _sqlite_statement_triggers() -> list[str]:
    """Migration 0006's search triggers on `statements`, from its frozen DDL: not today's db/search.py,
    whose triggers may name columns this revision lacks."""
    search = context.script.get_revision("0006").module
    return [s for s in search.SQLITE_UP if s.startswith("CREATE TRIGGER statements_fts_")]


def _restore_search() -> None:
    """On SQLite the batch rebuild of `statements` drops its search triggers (migration 0006): put
    them back. PostgreSQL alters the table in place and keeps its index."""
    if op.get_bind().dialect.name == "sqlite":
        for statement in _sqlite_statement_triggers():
            op.execute(statement)


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
