"""logins: a facilitator's login in one browser, so that logging out ends it on the server

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Logins from before this revision held no token: their cookies open nothing any more, so
    # every facilitator logs in once again after the upgrade.
    op.create_table(
        "logins",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitators.id"],
            name=op.f("fk_logins_facilitator_id_facilitators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_logins")),
    )
    op.create_index(op.f("ix_logins_facilitator_id"), "logins", ["facilitator_id"])


def downgrade() -> None:
    # the cookies' tokens are then ignored; each login stays valid until its cookie expires
    op.drop_index(op.f("ix_logins_facilitator_id"), table_name="logins")
    op.drop_table("logins")
