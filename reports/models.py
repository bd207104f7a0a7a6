"""SQLAlchemy rows: published report versions, verification links and verifiers' notes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db import Base
from workshops.models import utcnow


class ReportVersion(Base):
    """A published version of a workshop's report: the report document frozen as JSON.

    Verifiers always read the latest version; what changed since the version they last saw is
    computed by comparing the two documents item by item.
    """

    __tablename__ = "report_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("workshop_id", "number", name="uq_report_versions_workshop_number"),
    )


class ReportVersionPdf(Base):
    """A published version laid out as a PDF, kept so that it is laid out once (a second or more
    of CPU each time) and downloads as the same file every time. ``key`` is the hash of what the
    layout reads (``reports.render.layout_key``): a copy in another language or for another
    organisation, or after the report's template or stylesheet changed, is another row. It
    holds nothing its version does not, and goes with it (and so with the workshop)."""

    __tablename__ = "report_version_pdfs"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("version_id", "key", name="uq_report_version_pdfs_version_key"),
    )


class VerificationLink(Base):
    """A secret link for one invited organisation to read the report and comment, without an
    account. Only the token's hash is stored; a link expires and can be revoked."""

    __tablename__ = "verification_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # the report version the verifier saw last, to show what changed since
    last_seen_version: Mapped[int | None] = mapped_column(Integer)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class VerificationNote(Base):
    """A verifier's comment on one report item, or a proposed correction of its text, and the
    facilitator's decision on it."""

    __tablename__ = "verification_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    link_id: Mapped[int] = mapped_column(
        ForeignKey("verification_links.id", ondelete="CASCADE"), index=True
    )
    version_number: Mapped[int] = mapped_column(Integer)
    item_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="open")
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("kind in ('comment', 'correction')", name="kind"),
        CheckConstraint("state in ('open', 'accepted', 'rejected')", name="state"),
    )
