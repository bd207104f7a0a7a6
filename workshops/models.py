"""SQLAlchemy rows: facilitators and their logins, projects, workshops, organisations,
participants, statements, votes, pre-workshop survey answers, proposed statements and the
audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Facilitator(Base):
    __tablename__ = "facilitators"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(300))
    # a project lead manages every workshop and project; a facilitator only the workshops they own
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Login(Base):
    """A facilitator's login in one browser. The session cookie holds a random token, the
    database only its SHA-256; logging out deletes the row, so neither the cookie nor a copy
    of it opens anything afterwards (a signed cookie alone stays valid until it expires)."""

    __tablename__ = "logins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitators.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Project(Base):
    """A series of workshops (e.g. "Ingen ska falla mellan stolarna": WS1 and WS2 for children
    and for adults) that a project lead follows as a whole."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    workshops: Mapped[list[Workshop]] = relationship(
        back_populates="project", order_by="Workshop.date", passive_deletes=True
    )


# A breakdown (by organisation, or a tally answered by one organisation) is shown only when at
# least this many answered; a workshop may raise or lower it (never below 1).
DEFAULT_ANONYMITY_THRESHOLD = 3


class Workshop(Base):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[dt.date | None] = mapped_column(Date)
    target_group: Mapped[str] = mapped_column(String(20))
    join_code: Mapped[str] = mapped_column(String(6), unique=True)
    everyone_may_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    # "ws1" expectation mapping or "ws2" roles in the journey: decides what the pages offer
    kind: Mapped[str] = mapped_column(String(5), default="ws1")
    # phones may place roles and record handoffs only while the facilitator keeps this open
    journey_open: Mapped[bool] = mapped_column(Boolean, default=False)
    current_statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL", use_alter=True)
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("facilitators.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    anonymity_threshold: Mapped[int] = mapped_column(
        Integer,
        default=DEFAULT_ANONYMITY_THRESHOLD,
        server_default=str(DEFAULT_ANONYMITY_THRESHOLD),
    )
    # the pre-workshop survey: statements answerable ahead of time through the join link
    survey_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the facilitator's last roll call: the screens say "counting again" for a moment after it
    roll_call_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    project: Mapped[Project | None] = relationship(back_populates="workshops")

    organisations: Mapped[list[Organisation]] = relationship(
        back_populates="workshop",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Organisation.name",
    )
    statements: Mapped[list[Statement]] = relationship(
        back_populates="workshop",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Statement.position",
        foreign_keys="Statement.workshop_id",
    )
    participants: Mapped[list[Participant]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("target_group in ('children', 'adults')", name="group"),
        CheckConstraint("kind in ('ws1', 'ws2')", name="kind"),
        CheckConstraint("anonymity_threshold between 1 and 50", name="anonymity_threshold"),
    )


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    principal: Mapped[str] = mapped_column(String(20))

    workshop: Mapped[Workshop] = relationship(back_populates="organisations")

    __table_args__ = (
        UniqueConstraint("workshop_id", "name", name="uq_organisations_workshop_name"),
        CheckConstraint(
            "principal in"
            " ('region', 'municipality', 'school', 'private', 'civil_society', 'state')",
            name="principal",
        ),
    )


class Participant(Base):
    """A phone in a workshop: an organisation and an optional display name, nothing more."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    display_name: Mapped[str | None] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # When the phone first opened the live workshop (its first socket connection while the
    # survey was closed) or first voted live: it attended. Never cleared.
    present_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Set with present_at, and again when the phone answers a roll call; a roll call clears it
    # ("Räkna om": who went home at the break leaves the live count, not the attendance).
    here_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()

    @hybrid_property
    def attended(self) -> bool:
        """Was in the room at some point: the report's attendance, the dashboard's and the
        project overview's participants. Someone who only answered the survey ahead was not."""
        return self.present_at is not None

    @attended.inplace.expression
    @classmethod
    def _attended_expression(cls) -> ColumnElement[bool]:
        return cls.present_at.is_not(None)

    @hybrid_property
    def in_room(self) -> bool:
        """In the room now: the live "n of m", the projector's, console's and board's counts
        (attended, and not taken out by a roll call it has not answered)."""
        return self.here_at is not None

    @in_room.inplace.expression
    @classmethod
    def _in_room_expression(cls) -> ColumnElement[bool]:
        return cls.here_at.is_not(None)


class Statement(Base):
    """A WS1 statement about an organisation, or (topic "role") a WS2 role to validate."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    role_id: Mapped[int | None] = mapped_column(ForeignKey("workshop_roles.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(20))
    perspective: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL")
    )
    outcome: Mapped[str | None] = mapped_column(String(10))
    discussion_note: Mapped[str | None] = mapped_column(Text)

    workshop: Mapped[Workshop] = relationship(
        back_populates="statements", foreign_keys=[workshop_id]
    )
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint("topic in ('target_group', 'mandate', 'role')", name="topic"),
        CheckConstraint(
            "(topic = 'role') = (role_id is not null and organisation_id is null)",
            name="subject",
        ),
        CheckConstraint("perspective in ('own', 'others')", name="perspective"),
        CheckConstraint("state in ('draft', 'open', 'closed')", name="state"),
        CheckConstraint(
            "outcome is null or outcome in ('agreed', 'reworded', 'parked', 'action')",
            name="outcome",
        ),
    )


class Vote(Base):
    """The current answer of one participant to one statement (at most one, by constraint)."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(10))
    # WS2 role validation: why the answer (shown to the facilitator without any name)
    comment: Mapped[str | None] = mapped_column(Text)
    ballot_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("statement_id", "participant_id", name="uq_votes_statement_participant"),
        CheckConstraint("choice in ('yes', 'no', 'discuss')", name="choice"),
    )


class VoteEvent(Base):
    """Every ballot received, in order; its unique ballot id makes a retried ballot harmless."""

    __tablename__ = "vote_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[str] = mapped_column(String(64), unique=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    choice: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RateLimitHit(Base):
    """Failed attempts per key and time window, kept in the database so every process agrees."""

    __tablename__ = "rate_limit_hits"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class SurveyAnswer(Base):
    """A participant's answer to a statement in the pre-workshop survey, kept apart from the live
    vote so that the two can be compared (how answers moved in the room)."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    choice: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint(
            "statement_id", "participant_id", name="uq_survey_answers_statement_participant"
        ),
        CheckConstraint("choice in ('yes', 'no', 'discuss')", name="choice"),
    )


class StatementProposal(Base):
    """A participant's proposed statement about another organisation (others' perception),
    waiting for the facilitator to accept it into the workshop or reject it.

    The proposer's organisation is kept (others' perception must come from another organisation);
    the participant only so that they can see and withdraw their own proposals.
    """

    __tablename__ = "statement_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    proposer_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    topic: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="proposed")
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL")
    )
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    proposer_organisation: Mapped[Organisation] = relationship(
        foreign_keys=[proposer_organisation_id]
    )

    __table_args__ = (
        CheckConstraint("topic in ('target_group', 'mandate')", name="topic"),
        CheckConstraint("state in ('proposed', 'accepted', 'rejected')", name="state"),
    )


class AuditEvent(Base):
    """One facilitator action (created, opened, exported, deleted …), kept after the workshop
    is gone: the workshop is named by id and title, never through a foreign key, and nothing
    about a participant is ever written here."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitators.id", ondelete="SET NULL")
    )
    # the facilitator's name at the time, so the line still reads after the account is gone
    actor: Mapped[str] = mapped_column(String(120))
    workshop_id: Mapped[int | None] = mapped_column(Integer, index=True)
    workshop_title: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    # a short machine-readable detail (JSON text): what changed, never an answer or a name
    detail: Mapped[str | None] = mapped_column(Text)
