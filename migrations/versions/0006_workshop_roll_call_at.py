"""workshops.roll_call_at: when the facilitator last counted the room again

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("workshops", sa.Column("roll_call_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN, as in 0004 and 0005 (a batch rebuild would cascade on SQLite)
    op.drop_column("workshops", "roll_call_at")
