"""host pauses per origin (scheme, host, port), with the URL that caused each

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 22:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Pauses keyed by host name cannot be told apart by port or scheme; they last minutes to hours,
    # so the ones in force are dropped rather than guessed at (the server repeats its Retry-After).
    op.execute("DELETE FROM host_pauses")
    with op.batch_alter_table("host_pauses", schema=None) as batch_op:
        batch_op.alter_column("host", new_column_name="origin", existing_type=sa.String(length=255),
                              existing_nullable=False)
        batch_op.add_column(sa.Column("url", sa.Text(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM host_pauses")
    with op.batch_alter_table("host_pauses", schema=None) as batch_op:
        batch_op.drop_column("url")
        batch_op.alter_column("origin", new_column_name="host", existing_type=sa.String(length=255),
                              existing_nullable=False)
