"""SQLAlchemy rows: a workshop's own copy of the roles, and the wording each replaced."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db import Base
from workshops.models import utcnow


class WorkshopRole(Base):
    """A functional role as this workshop uses it.

    Catalogue roles are copied in when the workshop is prepared, so a facilitator can adjust the
    texts for one workshop without touching the versioned catalogue; custom roles have no
    ``catalogue_code``. Examples are stored one per line.
    """

    __tablename__ = "workshop_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(12))
    catalogue_code: Mapped[str | None] = mapped_column(String(12))
    catalogue_version: Mapped[int | None] = mapped_column(Integer)
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    does_sv: Mapped[str] = mapped_column(Text, default="")
    does_en: Mapped[str] = mapped_column(Text, default="")
    examples_sv: Mapped[str] = mapped_column(Text, default="")
    examples_en: Mapped[str] = mapped_column(Text, default="")
    tier: Mapped[str] = mapped_column(String(10))
    professional: Mapped[bool] = mapped_column(Boolean, default=True)
    coordinating: Mapped[bool] = mapped_column(Boolean, default=False)
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("workshop_id", "code", name="uq_workshop_roles_code"),
        CheckConstraint("tier in ('primary', 'secondary')", name="tier"),
    )


class RoleRevision(Base):
    """The wording a role had before the facilitator changed it (the way back)."""

    __tablename__ = "role_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_roles.id", ondelete="CASCADE"), index=True
    )
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    does_sv: Mapped[str] = mapped_column(Text)
    does_en: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(20))  # "edited" | "validation"
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
