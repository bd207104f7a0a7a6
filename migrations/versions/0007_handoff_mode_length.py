"""handoffs.mode: 120 characters instead of 20, so a mode in the map's own words fits

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite copies the table (batch mode); no table refers to handoffs, so nothing cascades
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.alter_column(
            "mode",
            existing_type=sa.String(length=20),
            type_=sa.String(length=120),
            existing_nullable=True,
        )


def downgrade() -> None:
    # PostgreSQL refuses this while a mode is longer than 20 characters: nothing is cut off
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.alter_column(
            "mode",
            existing_type=sa.String(length=120),
            type_=sa.String(length=20),
            existing_nullable=True,
        )
