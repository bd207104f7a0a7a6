"""Use cases for privacy: a participant withdraws their answers; workshops past the retention
period are listed and deleted; old audit lines are pruned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from journey_maps.rows import Handoff, JourneyEdit, RolePlacement
from workshops import audit, retention, services
from workshops.domain import WorkshopError
from workshops.models import Participant, StatementProposal, Workshop

# --- A participant withdraws -----------------------------------------------------------------


@dataclass(frozen=True)
class Withdrawn:
    workshop_id: int
    kind: str  # "ws1" or "ws2": which live topics to push


def without_note(joined: str | None, note: str | None) -> str | None:
    """A merged note with one contributor's part taken out again (merges join with a newline).

    >>> without_note("väntetid\\nremiss", "remiss"), without_note("väntetid", "väntetid")
    ('väntetid', None)
    >>> without_note("a\\nb\\nc", "b"), without_note("a", "x"), without_note(None, "x")
    ('a\\nc', 'a', None)
    """
    if not joined or not note:
        return joined
    if joined == note:
        return None
    if joined.startswith(f"{note}\n"):
        return joined[len(note) + 1 :]
    if joined.endswith(f"\n{note}"):
        return joined[: -len(note) - 1]
    return joined.replace(f"\n{note}\n", "\n", 1)


def withdraw_participant(session: Session, *, participant_id: int) -> Withdrawn:
    """Delete a participant and everything they entered: votes and their history, survey
    answers, proposals, journey placements, handoffs and reactions, role comments (which are
    part of votes), and the facilitator's edit log of their rows.

    Aggregates already published in a report version stay as published: they name nobody.
    What others entered is kept: a placement a facilitator merged into theirs comes back, and
    their note is taken out of one that theirs was merged into.
    """
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise WorkshopError("error.not_joined")
    workshop = services.get_workshop(session, participant.workshop_id)
    placements = list(
        session.scalars(select(RolePlacement).where(RolePlacement.participant_id == participant_id))
    )
    placement_ids = [p.id for p in placements]
    handoff_ids = list(
        session.scalars(select(Handoff.id).where(Handoff.participant_id == participant_id))
    )
    _unmerge(session, placements)
    session.execute(
        delete(JourneyEdit).where(
            or_(
                (JourneyEdit.entity == "placement") & JourneyEdit.entity_id.in_(placement_ids),
                (JourneyEdit.entity == "handoff") & JourneyEdit.entity_id.in_(handoff_ids),
            )
        )
    )
    session.execute(delete(Handoff).where(Handoff.id.in_(handoff_ids)))
    session.execute(delete(RolePlacement).where(RolePlacement.id.in_(placement_ids)))
    session.execute(
        delete(StatementProposal).where(StatementProposal.participant_id == participant_id)
    )
    # votes, vote_events, survey_answers and placement_reactions go by ON DELETE CASCADE
    session.execute(delete(Participant).where(Participant.id == participant_id))
    session.commit()
    return Withdrawn(workshop.id, workshop.kind)


def _unmerge(session: Session, placements: list[RolePlacement]) -> None:
    """Undo the facilitator's merges that involve these placements, as far as others' words go:
    placements merged into one of them come back; their notes leave placements they joined."""
    ids = [p.id for p in placements]
    if not ids:
        return
    merged_in = session.scalars(
        select(RolePlacement).where(
            RolePlacement.merged_into_id.in_(ids), RolePlacement.id.not_in(ids)
        )
    )
    for other in merged_in:
        if not _active_twin(session, other, ids):
            other.removed_at = None
        other.merged_into_id = None
    for mine in placements:
        if mine.merged_into_id is None or mine.merged_into_id in ids:
            continue
        kept = session.get(RolePlacement, mine.merged_into_id)
        if kept is not None:
            kept.needs = without_note(kept.needs, mine.needs)
            kept.obstacles = without_note(kept.obstacles, mine.obstacles)
    session.flush()


def _active_twin(session: Session, row: RolePlacement, leaving: list[int]) -> bool:
    """Another active placement of the same role, stage and organisation (one may exist once)."""
    return bool(
        session.scalar(
            select(func.count())
            .select_from(RolePlacement)
            .where(
                RolePlacement.role_id == row.role_id,
                RolePlacement.stage_id == row.stage_id,
                func.coalesce(RolePlacement.organisation_id, 0) == (row.organisation_id or 0),
                RolePlacement.removed_at.is_(None),
                RolePlacement.id.not_in([*leaving, row.id]),
            )
        )
    )


# --- Retention -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueWorkshop:
    id: int
    title: str
    date: dt.date | None
    created_at: dt.datetime
    participants: int


def due_workshops(session: Session, *, today: dt.date, days: int) -> list[DueWorkshop]:
    """The workshops older than the retention period (none when ``days`` is 0), oldest first."""
    if days <= 0:
        return []
    counts = (
        select(Participant.workshop_id, func.count().label("n"))
        .group_by(Participant.workshop_id)
        .subquery()
    )
    rows = session.execute(
        select(Workshop.id, Workshop.title, Workshop.date, Workshop.created_at, counts.c.n)
        .outerjoin(counts, counts.c.workshop_id == Workshop.id)
        .order_by(Workshop.id)
    ).all()
    due = [
        DueWorkshop(wid, title, date, created, n or 0)
        for wid, title, date, created, n in rows
        if retention.due_for_deletion(date, created, today=today, days=days)
    ]
    return sorted(due, key=lambda w: retention.reference_date(w.date, w.created_at))


def delete_due_workshops(
    session: Session, *, today: dt.date, days: int, actor: str
) -> list[DueWorkshop]:
    """Delete every workshop past the retention period; each deletion leaves an audit line."""
    due = due_workshops(session, today=today, days=days)
    for workshop in due:
        audit.record(
            session,
            action="retention.delete_workshop",
            actor=actor,
            workshop_id=workshop.id,
            workshop_title=workshop.title,
            detail={"retention_days": days},
        )
        services.delete_workshop(session, workshop_id=workshop.id)  # commits the line with it
    return due


def prune_audit(session: Session, *, now: dt.datetime, days: int) -> int:
    """Delete the audit lines older than ``days`` (0 keeps them all); how many went."""
    cutoff = retention.audit_cutoff(now, days)
    if cutoff is None:
        return 0
    removed = audit.prune(session, before=cutoff)
    session.commit()
    return removed


def expired_audit_lines(session: Session, *, now: dt.datetime, days: int) -> int:
    cutoff = retention.audit_cutoff(now, days)
    return 0 if cutoff is None else audit.count_before(session, before=cutoff)
