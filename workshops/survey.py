"""Use cases of the pre-workshop survey: answering ahead of time, proposed statements, and the
survey next to the live vote. Take primitives, own the commit."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from workshops import domain, survey_rules
from workshops.domain import Tally, WorkshopError
from workshops.models import (
    Organisation,
    Participant,
    Statement,
    StatementProposal,
    SurveyAnswer,
    Vote,
    Workshop,
    utcnow,
)
from workshops.services import get_workshop
from workshops.survey_rules import Movement
from workshops.voting import _upsert, count_tallies


@dataclass(frozen=True)
class SurveyItem:
    """A statement as the participant answers it, with their own answer (None: not yet)."""

    id: int
    organisation: str
    topic: str
    perspective: str
    text: str
    choice: str | None


@dataclass(frozen=True)
class ParticipantSurvey:
    workshop_id: int
    is_open: bool
    items: list[SurveyItem]

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.choice is not None)

    @property
    def total(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Proposal:
    id: int
    organisation_id: int
    organisation: str
    proposer_organisation: str
    topic: str
    text: str
    state: str
    statement_id: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Proposed:
    workshop_id: int
    id: int
    retried: bool = False


@dataclass(frozen=True)
class Comparison:
    """One statement's survey answers next to its live answers (see ``survey_rules.movement``)."""

    id: int
    organisation: str
    topic: str
    perspective: str
    text: str
    state: str
    movement: Movement


@dataclass(frozen=True)
class Overview:
    is_open: bool
    threshold: int
    respondents: int
    statements: list[Comparison]


# --- Opening and closing ---------------------------------------------------------------------


def set_survey_open(session: Session, *, workshop_id: int, is_open: bool) -> None:
    """Open the workshop's statements for answering ahead of time, or close the survey (the
    answers given stay; nobody can change them any more)."""
    workshop = get_workshop(session, workshop_id)
    if is_open and workshop.kind != "ws1":
        raise WorkshopError("error.survey_ws1_only")
    workshop.survey_open = is_open
    session.commit()


# --- The participant's side ------------------------------------------------------------------


def _participant(session: Session, participant_id: int) -> Participant:
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise WorkshopError("error.not_joined")
    return participant


def _open_workshop(session: Session, workshop_id: int) -> Workshop:
    # Read with a shared lock (PostgreSQL; SQLite serialises every write transaction anyway),
    # so an answer and the close of the survey are strictly ordered.
    workshop = session.scalar(
        select(Workshop).where(Workshop.id == workshop_id).with_for_update(read=True)
    )
    if workshop is None:
        raise WorkshopError("error.workshop_not_found")
    if not workshop.survey_open:
        raise WorkshopError("error.survey_closed")
    return workshop


def survey_statements(session: Session, workshop_id: int) -> list[Statement]:
    """The statements in the survey: WS1 statements that are not hidden and not replaced by a
    newer wording, in running order."""
    newer = aliased(Statement)
    replaced = select(newer.id).where(newer.previous_id == Statement.id).exists()
    return list(
        session.scalars(
            select(Statement)
            .where(
                Statement.workshop_id == workshop_id,
                Statement.topic.in_(domain.TOPICS),
                Statement.hidden.is_(False),
                ~replaced,
            )
            .order_by(Statement.position, Statement.id)
        )
    )


def _may_answer(statement: Statement, participant: Participant, workshop: Workshop) -> bool:
    return domain.may_answer(
        perspective=statement.perspective,
        subject_org=statement.organisation_id,
        participant_org=participant.organisation_id,
        everyone=workshop.everyone_may_answer,
    )


def participant_survey(session: Session, *, participant_id: int) -> ParticipantSurvey:
    """The statements this participant may answer (the live vote's rules) with their answers."""
    participant = _participant(session, participant_id)
    workshop = get_workshop(session, participant.workshop_id)
    mine = dict(
        session.execute(
            select(SurveyAnswer.statement_id, SurveyAnswer.choice).where(
                SurveyAnswer.participant_id == participant_id
            )
        ).all()
    )
    items = [
        SurveyItem(
            s.id,
            s.organisation.name if s.organisation else "",
            s.topic,
            s.perspective,
            s.text,
            mine.get(s.id),
        )
        for s in survey_statements(session, workshop.id)
        if _may_answer(s, participant, workshop)
    ]
    return ParticipantSurvey(workshop.id, workshop.survey_open, items)


def answer(
    session: Session, *, participant_id: int, statement_id: int, choice: str
) -> ParticipantSurvey:
    """Record (or change) a participant's survey answer while the survey is open; returns the
    participant's survey as it is now, for the progress."""
    choice = survey_rules.check_choice(choice)
    participant = _participant(session, participant_id)
    workshop = _open_workshop(session, participant.workshop_id)
    statement = session.get(Statement, statement_id)
    if statement is None or statement.workshop_id != workshop.id:
        raise WorkshopError("error.statement_not_found")
    if statement not in survey_statements(session, workshop.id):
        raise WorkshopError("error.survey_statement_unavailable")
    if not _may_answer(statement, participant, workshop):
        raise WorkshopError("error.not_eligible")
    now = utcnow()
    _upsert(
        session,
        SurveyAnswer,
        {
            "statement_id": statement_id,
            "participant_id": participant_id,
            "choice": choice,
            "updated_at": now,
        },
        index=["statement_id", "participant_id"],
        set_={"choice": choice, "updated_at": now},
    )
    session.commit()
    return participant_survey(session, participant_id=participant_id)


# --- Proposed statements ---------------------------------------------------------------------


def _proposal(row: StatementProposal) -> Proposal:
    return Proposal(
        id=row.id,
        organisation_id=row.organisation_id,
        organisation=row.organisation.name,
        proposer_organisation=row.proposer_organisation.name,
        topic=row.topic,
        text=row.text,
        state=row.state,
        statement_id=row.statement_id,
        created_at=row.created_at,
    )


def _refuse_duplicate(
    session: Session, organisation: Organisation, text: str, *, proposals: bool
) -> None:
    """A statement (or, with ``proposals``, a pending proposal) about the same organisation
    with the same wording already exists."""
    statements = session.scalars(
        select(Statement.text).where(Statement.organisation_id == organisation.id)
    )
    if (found := survey_rules.same_wording(text, statements)) is not None:
        raise WorkshopError("error.survey_duplicate_statement", org=organisation.name, text=found)
    if not proposals:
        return
    pending = session.scalars(
        select(StatementProposal.text).where(
            StatementProposal.organisation_id == organisation.id,
            StatementProposal.state == "proposed",
        )
    )
    if (found := survey_rules.same_wording(text, pending)) is not None:
        raise WorkshopError("error.survey_duplicate_proposal", org=organisation.name, text=found)


def _seen(session: Session, client_id: str, participant: Participant) -> Proposed | None:
    """A proposal sent before with this client id (a retried form): the same answer again."""
    seen = session.scalar(select(StatementProposal).where(StatementProposal.client_id == client_id))
    if seen is None:
        return None
    owner, proposal_id = seen.participant_id, seen.id
    session.rollback()
    if owner != participant.id:
        raise WorkshopError("error.bad_client_id")
    return Proposed(participant.workshop_id, proposal_id, retried=True)


def propose(
    session: Session,
    *,
    participant_id: int,
    organisation_id: int,
    topic: str,
    text: str,
    client_id: str,
) -> Proposed:
    """Propose a statement of others' perception about another organisation, for the
    facilitator to accept into the workshop. Idempotent by ``client_id``."""
    client_id = survey_rules.check_client_id(client_id)
    participant = _participant(session, participant_id)
    if (seen := _seen(session, client_id, participant)) is not None:
        return seen
    workshop = _open_workshop(session, participant.workshop_id)
    subject = session.get(Organisation, organisation_id)
    if subject is None or subject.workshop_id != workshop.id:
        raise WorkshopError("error.organisation_not_found")
    cleaned = survey_rules.check_proposal(
        subject_org=subject.id,
        proposer_org=participant.organisation_id,
        topic=topic,
        text=text,
    )
    _refuse_duplicate(session, subject, cleaned, proposals=True)
    row = StatementProposal(
        workshop_id=workshop.id,
        organisation_id=subject.id,
        proposer_organisation_id=participant.organisation_id,
        participant_id=participant.id,
        topic=topic,
        text=cleaned,
        client_id=client_id,
    )
    try:
        session.add(row)
        session.commit()
    except IntegrityError:
        # The same form arrived twice at once; the other copy won.
        session.rollback()
        if (seen := _seen(session, client_id, participant)) is not None:
            return seen
        raise
    return Proposed(workshop.id, row.id)


def my_proposals(session: Session, *, participant_id: int) -> list[Proposal]:
    """The participant's own proposals, newest first (never anyone else's)."""
    rows = session.scalars(
        select(StatementProposal)
        .where(StatementProposal.participant_id == participant_id)
        .order_by(StatementProposal.created_at.desc(), StatementProposal.id.desc())
    )
    return [_proposal(r) for r in rows]


def withdraw(session: Session, *, participant_id: int, proposal_id: int) -> None:
    """A participant takes back their own proposal while the facilitator has not decided."""
    row = session.get(StatementProposal, proposal_id)
    if row is None or row.participant_id != participant_id:
        raise WorkshopError("error.survey_not_your_proposal")
    if row.state != "proposed":
        raise WorkshopError("error.survey_proposal_decided")
    session.delete(row)
    session.commit()


def proposals(session: Session, *, workshop_id: int) -> list[Proposal]:
    """Every proposal of a workshop: the waiting ones first (oldest first), then the decided
    ones (latest decision first)."""
    get_workshop(session, workshop_id)
    rows = list(
        session.scalars(
            select(StatementProposal)
            .where(StatementProposal.workshop_id == workshop_id)
            .order_by(StatementProposal.created_at, StatementProposal.id)
        )
    )
    waiting = [r for r in rows if r.state == "proposed"]
    decided = sorted(
        (r for r in rows if r.state != "proposed"),
        key=lambda r: (r.decided_at or r.created_at, r.id),
        reverse=True,
    )
    return [_proposal(r) for r in waiting + decided]


def _waiting_proposal(session: Session, workshop_id: int, proposal_id: int) -> StatementProposal:
    row = session.scalar(
        select(StatementProposal).where(StatementProposal.id == proposal_id).with_for_update()
    )
    if row is None or row.workshop_id != workshop_id:
        raise WorkshopError("error.survey_proposal_not_found")
    if row.state != "proposed":
        raise WorkshopError("error.survey_proposal_decided")
    return row


def accept(session: Session, *, workshop_id: int, proposal_id: int, text: str | None = None) -> int:
    """Take a proposal into the workshop: a statement of others' perception about the subject
    organisation, at the end of the running order. ``text`` is the facilitator's wording (the
    proposal's own when empty). Returns the new statement's id."""
    row = _waiting_proposal(session, workshop_id, proposal_id)
    wording = domain.clean_statement_text(text if text and text.strip() else row.text)
    _refuse_duplicate(session, row.organisation, wording, proposals=False)
    last = session.scalar(
        select(func.max(Statement.position)).where(Statement.workshop_id == workshop_id)
    )
    statement = Statement(
        workshop_id=workshop_id,
        organisation_id=row.organisation_id,
        topic=row.topic,
        perspective="others",
        text=wording,
        position=(last or 0) + 1,
    )
    session.add(statement)
    session.flush()
    row.state = "accepted"
    row.statement_id = statement.id
    row.decided_at = utcnow()
    session.commit()
    return statement.id


def reject(session: Session, *, workshop_id: int, proposal_id: int) -> None:
    """Leave a proposal out of the workshop (it stays listed as rejected)."""
    row = _waiting_proposal(session, workshop_id, proposal_id)
    row.state = "rejected"
    row.decided_at = utcnow()
    session.commit()


# --- The survey next to the live vote --------------------------------------------------------


def _survey_tallies(session: Session, statement_ids: list[int]) -> dict[int, Tally]:
    rows = session.execute(
        select(SurveyAnswer.statement_id, SurveyAnswer.choice, func.count())
        .where(SurveyAnswer.statement_id.in_(statement_ids))
        .group_by(SurveyAnswer.statement_id, SurveyAnswer.choice)
    ).all()
    counts: dict[int, Counter[str]] = {sid: Counter() for sid in statement_ids}
    for sid, choice, n in rows:
        counts[sid][choice] = n
    return {sid: domain.tally(c.elements()) for sid, c in counts.items()}


def _answered_both(session: Session, statement_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per statement: how many answered in the survey and live, and how many of them changed."""
    rows = session.execute(
        select(
            SurveyAnswer.statement_id,
            func.count(),
            func.sum(case((SurveyAnswer.choice != Vote.choice, 1), else_=0)),
        )
        .join(
            Vote,
            and_(
                Vote.statement_id == SurveyAnswer.statement_id,
                Vote.participant_id == SurveyAnswer.participant_id,
            ),
        )
        .where(SurveyAnswer.statement_id.in_(statement_ids))
        .group_by(SurveyAnswer.statement_id)
    ).all()
    return {sid: (int(both), int(changed or 0)) for sid, both, changed in rows}


def overview(session: Session, workshop_id: int) -> Overview:
    """Per survey statement: how many answered ahead and live, and how the answers moved, as
    far as the workshop's anonymity threshold lets them be shown."""
    workshop = get_workshop(session, workshop_id)
    statements = survey_statements(session, workshop_id)
    ids = [s.id for s in statements]
    ahead = _survey_tallies(session, ids)
    live = count_tallies(session, ids)
    both = _answered_both(session, ids)
    respondents = session.scalar(
        select(func.count(func.distinct(SurveyAnswer.participant_id)))
        .join(Participant, Participant.id == SurveyAnswer.participant_id)
        .where(Participant.workshop_id == workshop_id)
    )
    threshold = workshop.anonymity_threshold
    return Overview(
        is_open=workshop.survey_open,
        threshold=threshold,
        respondents=respondents or 0,
        statements=[
            Comparison(
                id=s.id,
                organisation=s.organisation.name if s.organisation else "",
                topic=s.topic,
                perspective=s.perspective,
                text=s.text,
                state=s.state,
                movement=survey_rules.movement(
                    ahead[s.id],
                    live[s.id],
                    both=both.get(s.id, (0, 0))[0],
                    changed=both.get(s.id, (0, 0))[1],
                    threshold=threshold,
                ),
            )
            for s in statements
        ],
    )
