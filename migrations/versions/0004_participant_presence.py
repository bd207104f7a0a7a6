"""participants.present_at: a phone is in the room once it opened the live workshop

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("participants", sa.Column("present_at", sa.DateTime(), nullable=True))
    # Until now everyone who joined was counted as in the room. Keep that for everyone except
    # those who answered the survey and never voted live: they may never have been there.
    op.execute(
        "UPDATE participants SET present_at = joined_at"
        " WHERE EXISTS (SELECT 1 FROM votes WHERE votes.participant_id = participants.id)"
        " OR NOT EXISTS"
        " (SELECT 1 FROM survey_answers WHERE survey_answers.participant_id = participants.id)"
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch rebuild of the table would drop it first,
    # and with foreign keys on that cascades to every vote and answer of every participant.
    op.drop_column("participants", "present_at")
