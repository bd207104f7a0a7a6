"""participants.here_at: who is in the room now, apart from who attended

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("participants", sa.Column("here_at", sa.DateTime(), nullable=True))
    # Everyone who attended is in the room until the facilitator's first roll call
    op.execute("UPDATE participants SET here_at = present_at")


def downgrade() -> None:
    # A plain DROP COLUMN, as in 0004 (a batch rebuild would cascade to the votes on SQLite)
    op.drop_column("participants", "here_at")
