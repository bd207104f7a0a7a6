"""Use cases for the facilitator tidying the board: edit, merge, remove, and undo any of it.

Every change writes a ``JourneyEdit`` with the rows as they were, so whatever a participant
entered can always be put back.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from journey_maps.placing import _handoffs_leaning_on, check_mode, clean_note
from journey_maps.rows import (
    Handoff,
    JourneyEdit,
    JourneyStage,
    JourneyTransition,
    PlacementReaction,
    RolePlacement,
)
from journey_maps.stages import log_edit
from workshops.domain import WorkshopError
from workshops.models import Organisation, utcnow
from workshops.services import in_workshop

PLACEMENT_FIELDS = ("stage_id", "organisation_id", "needs", "obstacles", "removed_at")
PLACEMENT_FIELDS_ALL = (*PLACEMENT_FIELDS, "merged_into_id")
HANDOFF_FIELDS = ("mode", "acknowledged", "notes", "removed_at")


def _snapshot(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(row, name)
        out[name] = value.isoformat() if isinstance(value, dt.datetime) else value
    return out


def _restore(row: Any, before: dict[str, Any]) -> None:
    for name, value in before.items():
        if name.endswith("_at") and isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        setattr(row, name, value)


def get_placement(session: Session, workshop_id: int, placement_id: int) -> RolePlacement:
    return in_workshop(
        session, RolePlacement, placement_id, workshop_id, "error.placement_not_found"
    )


def get_handoff(session: Session, workshop_id: int, handoff_id: int) -> Handoff:
    return in_workshop(session, Handoff, handoff_id, workshop_id, "error.handoff_not_found")


def _commit_or_duplicate(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise WorkshopError("error.edit_makes_duplicate") from None


def edit_placement(
    session: Session,
    *,
    workshop_id: int,
    placement_id: int,
    stage_id: int,
    organisation_id: int | None,
    needs: str | None,
    obstacles: str | None,
    facilitator_id: int | None = None,
) -> None:
    """Move a placement, change who fills it or tidy its notes (the old values are kept)."""
    placement = get_placement(session, workshop_id, placement_id)
    stage = session.get(JourneyStage, stage_id)
    if stage is None or stage.workshop_id != workshop_id or stage.removed_at is not None:
        raise WorkshopError("error.stage_not_found")
    if organisation_id is not None:
        org = session.get(Organisation, organisation_id)
        if org is None or org.workshop_id != workshop_id:
            raise WorkshopError("error.organisation_not_found")
    before = _snapshot(placement, PLACEMENT_FIELDS)
    if stage.id != placement.stage_id and _handoffs_leaning_on(session, placement):
        raise WorkshopError("error.placement_has_handoffs")
    placement.stage_id = stage.id
    placement.organisation_id = organisation_id
    placement.needs = clean_note(needs)
    placement.obstacles = clean_note(obstacles)
    if _snapshot(placement, PLACEMENT_FIELDS) == before:
        session.rollback()
        return
    log_edit(
        session,
        workshop_id=workshop_id,
        entity="placement",
        row_id=placement.id,
        action="edit",
        before=before,
        facilitator_id=facilitator_id,
    )
    _commit_or_duplicate(session)


def remove_placement(
    session: Session, *, workshop_id: int, placement_id: int, facilitator_id: int | None = None
) -> int:
    """Take a placement off the board, with the handoffs that lean on it; returns how many
    handoffs went with it. One undo brings all of them back."""
    placement = get_placement(session, workshop_id, placement_id)
    if placement.removed_at is not None:
        return 0
    now = utcnow()
    leaning = _handoffs_leaning_on(session, placement)
    before = _snapshot(placement, PLACEMENT_FIELDS) | {
        "handoffs": [h.id for h in leaning],
    }
    placement.removed_at = now
    for handoff in leaning:
        handoff.removed_at = now
    log_edit(
        session,
        workshop_id=workshop_id,
        entity="placement",
        row_id=placement.id,
        action="remove",
        before=before,
        facilitator_id=facilitator_id,
    )
    session.commit()
    return len(leaning)


def merge_placements(
    session: Session,
    *,
    workshop_id: int,
    keep_id: int,
    merge_ids: list[int],
    facilitator_id: int | None = None,
) -> None:
    """Fold placements of the same role on the same stage into one: their notes and
    reactions join the kept one, and each folded placement can be brought back by undo."""
    keep = get_placement(session, workshop_id, keep_id)
    others = [get_placement(session, workshop_id, i) for i in merge_ids if i != keep_id]
    if not others:
        raise WorkshopError("error.merge_needs_two")
    if keep.removed_at is not None or any(p.removed_at is not None for p in others):
        raise WorkshopError("error.placement_not_found")
    if any((p.role_id, p.stage_id) != (keep.role_id, keep.stage_id) for p in others):
        raise WorkshopError("error.merge_different_roles")
    log_edit(
        session,
        workshop_id=workshop_id,
        entity="placement",
        row_id=keep.id,
        action="edit",
        before=_snapshot(keep, PLACEMENT_FIELDS),
        facilitator_id=facilitator_id,
    )
    now = utcnow()
    for other in others:
        log_edit(
            session,
            workshop_id=workshop_id,
            entity="placement",
            row_id=other.id,
            action="merge",
            before=_snapshot(other, PLACEMENT_FIELDS_ALL),
            facilitator_id=facilitator_id,
        )
        keep.needs = _joined(keep.needs, other.needs)
        keep.obstacles = _joined(keep.obstacles, other.obstacles)
        other.removed_at = now
        other.merged_into_id = keep.id
        _move_reactions(session, other.id, keep.id)
    session.commit()


def _joined(first: str | None, second: str | None) -> str | None:
    """Two notes as one, without repeating one that is already there.

    >>> _joined("väntetid", "väntetid"), _joined(None, "remiss"), _joined("a", "b")
    ('väntetid', 'remiss', 'a\\nb')
    """
    if not second or second == first:
        return first
    if not first:
        return second
    return f"{first}\n{second}"


def _move_reactions(session: Session, source_id: int, target_id: int) -> None:
    """Copy reactions onto the kept placement (the originals stay, for an undo)."""
    have = set(
        session.scalars(
            select(PlacementReaction.participant_id).where(
                PlacementReaction.placement_id == target_id
            )
        )
    )
    for reaction in session.scalars(
        select(PlacementReaction).where(PlacementReaction.placement_id == source_id)
    ):
        if reaction.participant_id not in have:
            session.add(
                PlacementReaction(
                    placement_id=target_id,
                    participant_id=reaction.participant_id,
                    organisation_id=reaction.organisation_id,
                    kind=reaction.kind,
                )
            )


def edit_handoff(
    session: Session,
    *,
    workshop_id: int,
    handoff_id: int,
    mode: str | None,
    acknowledged: bool,
    notes: str | None,
    facilitator_id: int | None = None,
) -> None:
    handoff = get_handoff(session, workshop_id, handoff_id)
    # an imported map may carry a mode in its own words; it may stay as it is
    check_mode(mode, kept=handoff.mode)
    before = _snapshot(handoff, HANDOFF_FIELDS)
    handoff.mode, handoff.acknowledged, handoff.notes = mode, acknowledged, clean_note(notes)
    log_edit(
        session,
        workshop_id=workshop_id,
        entity="handoff",
        row_id=handoff.id,
        action="edit",
        before=before,
        facilitator_id=facilitator_id,
    )
    session.commit()


def remove_handoff(
    session: Session, *, workshop_id: int, handoff_id: int, facilitator_id: int | None = None
) -> None:
    handoff = get_handoff(session, workshop_id, handoff_id)
    if handoff.removed_at is not None:
        return
    log_edit(
        session,
        workshop_id=workshop_id,
        entity="handoff",
        row_id=handoff.id,
        action="remove",
        before=_snapshot(handoff, HANDOFF_FIELDS),
        facilitator_id=facilitator_id,
    )
    handoff.removed_at = utcnow()
    session.commit()


_ROWS: dict[str, type[Any]] = {
    "placement": RolePlacement,
    "handoff": Handoff,
    "stage": JourneyStage,
    "transition": JourneyTransition,
}


def undo(session: Session, *, workshop_id: int, edit_id: int) -> JourneyEdit:
    """Put back what an edit changed; refused when that would duplicate a live entry."""
    edit = session.get(JourneyEdit, edit_id)
    if edit is None or edit.workshop_id != workshop_id:
        raise WorkshopError("error.edit_not_found")
    if edit.undone_at is not None:
        return edit
    row = session.get(_ROWS[edit.entity], edit.entity_id)
    if row is None:
        raise WorkshopError("error.edit_not_found")
    before = json.loads(edit.before)
    handoff_ids = before.pop("handoffs", [])
    _restore(row, before)
    for handoff in session.scalars(select(Handoff).where(Handoff.id.in_(handoff_ids))):
        handoff.removed_at = None
    edit.undone_at = utcnow()
    _commit_or_duplicate(session)
    return edit


def edit_log(session: Session, *, workshop_id: int, limit: int = 50) -> list[JourneyEdit]:
    """The facilitator's latest changes to the board, newest first."""
    return list(
        session.scalars(
            select(JourneyEdit)
            .where(JourneyEdit.workshop_id == workshop_id)
            .order_by(JourneyEdit.id.desc())
            .limit(limit)
        )
    )
