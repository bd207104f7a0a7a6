"""SQLAlchemy rows of a workshop's journey map (named rows.py: model.py is the pure data)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from db import Base
from journey_maps.model import MODE_LIMIT
from workshops.models import utcnow


def _workshop_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)


class JourneyStage(Base):
    """A column of the board; ``removed_at`` set means removed and restorable."""

    __tablename__ = "journey_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = _workshop_fk()
    label: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str | None] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer, default=0)
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class JourneyTransition(Base):
    """A directed move between two stages, forward or back ("referred back", "contact lost")."""

    __tablename__ = "journey_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = _workshop_fk()
    source_id: Mapped[int] = mapped_column(ForeignKey("journey_stages.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("journey_stages.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default="forward")
    label: Mapped[str | None] = mapped_column(String(120))
    label_en: Mapped[str | None] = mapped_column(String(120))
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("source_id", "target_id", name="uq_journey_transitions_ends"),
        CheckConstraint("kind in ('forward', 'back')", name="kind"),
        CheckConstraint("source_id <> target_id", name="not_a_loop"),
    )


class RolePlacement(Base):
    """A role placed on a stage, filled by an organisation, as one participant sees it."""

    __tablename__ = "role_placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = _workshop_fk()
    role_id: Mapped[int] = mapped_column(ForeignKey("workshop_roles.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("journey_stages.id", ondelete="CASCADE"))
    # who fills the role there; None for the person and their everyday network (roles 1, 2)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    needs: Mapped[str | None] = mapped_column(Text)
    obstacles: Mapped[str | None] = mapped_column(Text)
    # who placed it: kept so they can take it back; shown to others only as an organisation
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    placed_by_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("role_placements.id", ondelete="SET NULL")
    )

    __table_args__ = (
        Index(
            "uq_role_placements_active",
            "role_id",
            "stage_id",
            func.coalesce(organisation_id, 0),
            unique=True,
            sqlite_where=removed_at.is_(None),
            postgresql_where=removed_at.is_(None),
        ),
    )


class PlacementReaction(Base):
    """A participant agrees with a placement or disputes it (one reaction each)."""

    __tablename__ = "placement_reactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("role_placements.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("placement_id", "participant_id", name="uq_reactions_once"),
        CheckConstraint("kind in ('agree', 'dispute')", name="kind"),
    )


class Handoff(Base):
    """At a transition, one role hands over to another: how, and whether it is confirmed."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = _workshop_fk()
    transition_id: Mapped[int] = mapped_column(
        ForeignKey("journey_transitions.id", ondelete="CASCADE")
    )
    from_role_id: Mapped[int] = mapped_column(ForeignKey("workshop_roles.id", ondelete="CASCADE"))
    to_role_id: Mapped[int] = mapped_column(ForeignKey("workshop_roles.id", ondelete="CASCADE"))
    mode: Mapped[str | None] = mapped_column(String(MODE_LIMIT))
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    placed_by_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index(
            "uq_handoffs_active",
            "transition_id",
            "from_role_id",
            "to_role_id",
            unique=True,
            sqlite_where=removed_at.is_(None),
            postgresql_where=removed_at.is_(None),
        ),
    )


class JourneyEdit(Base):
    """A facilitator's change to what participants entered, with the state before it.

    Every edit, merge and removal writes one; undoing it puts ``before`` back. That is the way
    back the product promises: nothing a participant entered is lost by a facilitator edit.
    """

    __tablename__ = "journey_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = _workshop_fk()
    entity: Mapped[str] = mapped_column(String(12))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))
    before: Mapped[str] = mapped_column(Text)  # JSON
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitators.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("entity in ('placement', 'handoff', 'stage', 'transition')", name="entity"),
    )


class TransitionOwner(Base):
    """A role responsible for the handover at a transition (set by the facilitator)."""

    __tablename__ = "transition_owners"

    transition_id: Mapped[int] = mapped_column(
        ForeignKey("journey_transitions.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_roles.id", ondelete="CASCADE"), primary_key=True
    )


class FindingTriage(Base):
    """The facilitator's verdict on a finding, kept by fingerprint so it survives recomputation:
    the same gap found again after more placements keeps its verdict."""

    __tablename__ = "finding_triage"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = _workshop_fk()
    fingerprint: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitators.id", ondelete="SET NULL")
    )
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("workshop_id", "fingerprint", name="uq_finding_triage_fingerprint"),
        CheckConstraint("status in ('confirmed', 'dismissed', 'fixed')", name="status"),
    )


class JourneySnapshot(Base):
    """A workshop's map frozen at one moment (as-is *nuläge*, to-be *målbild* or another
    version): the ``brygga.journey/1`` document as it was, so later placements leave it be."""

    __tablename__ = "journey_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = _workshop_fk()
    kind: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(120))
    document: Mapped[str] = mapped_column(Text)  # JSON, brygga.journey/1
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitators.id", ondelete="SET NULL")
    )

    __table_args__ = (CheckConstraint("kind in ('as_is', 'to_be', 'other')", name="kind"),)
