"""Use cases for a workshop's journey: stages and transitions, from the template or scratch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from journey_maps.format import DEFAULT_STAGES, DEFAULT_TRANSITIONS, TRANSITION_KINDS
from journey_maps.rows import (
    Handoff,
    JourneyEdit,
    JourneyStage,
    JourneyTransition,
    RolePlacement,
    TransitionOwner,
)
from roles.models import WorkshopRole
from workshops.domain import WorkshopError
from workshops.models import Workshop, utcnow
from workshops.services import in_workshop

LABEL_LIMIT = 120


def _workshop(session: Session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise WorkshopError("error.workshop_not_found")
    return workshop


def clean_label(label: str | None, *, required: bool = True) -> str | None:
    """A stage or transition label: spaces folded, at most 120 characters.

    >>> clean_label("  Första   kontakt "), clean_label("", required=False)
    ('Första kontakt', None)
    >>> clean_label(" ")
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.stage_label_required
    """
    text = " ".join((label or "").split())
    if not text:
        if required:
            raise WorkshopError("error.stage_label_required")
        return None
    if len(text) > LABEL_LIMIT:
        raise WorkshopError("error.stage_label_too_long", limit=LABEL_LIMIT)
    return text


def required_label(label: str | None) -> str:
    """A label that must be there (see ``clean_label``)."""
    return clean_label(label) or ""


def stages(session: Session, workshop_id: int, *, removed: bool = False) -> list[JourneyStage]:
    """The active stages in journey order (or, with ``removed``, the removed ones)."""
    query = select(JourneyStage).where(JourneyStage.workshop_id == workshop_id)
    query = query.where(
        JourneyStage.removed_at.is_not(None) if removed else JourneyStage.removed_at.is_(None)
    )
    return list(session.scalars(query.order_by(JourneyStage.position, JourneyStage.id)))


def has_stages(session: Session, workshop_id: int) -> bool:
    """Whether the workshop has a map to speak of: at least one active stage."""
    query = select(JourneyStage.id).where(
        JourneyStage.workshop_id == workshop_id, JourneyStage.removed_at.is_(None)
    )
    return session.scalar(query.limit(1)) is not None


def transitions(
    session: Session, workshop_id: int, *, removed: bool = False
) -> list[JourneyTransition]:
    """Transitions whose two stages are active: the live ones, or those removed on their own."""
    active = {s.id for s in stages(session, workshop_id)}
    query = select(JourneyTransition).where(JourneyTransition.workshop_id == workshop_id)
    query = query.where(
        JourneyTransition.removed_at.is_not(None)
        if removed
        else JourneyTransition.removed_at.is_(None)
    )
    return [
        t
        for t in session.scalars(query.order_by(JourneyTransition.id))
        if t.source_id in active and t.target_id in active
    ]


def get_stage(session: Session, workshop_id: int, stage_id: int) -> JourneyStage:
    return in_workshop(session, JourneyStage, stage_id, workshop_id, "error.stage_not_found")


def get_transition(session: Session, workshop_id: int, transition_id: int) -> JourneyTransition:
    return in_workshop(
        session, JourneyTransition, transition_id, workshop_id, "error.transition_not_found"
    )


def log_edit(
    session: Session,
    *,
    workshop_id: int,
    entity: str,
    row_id: int,
    action: str,
    before: dict[str, Any],
    facilitator_id: int | None,
) -> None:
    """Record a facilitator's change with the row's values before it (the way back)."""
    session.add(
        JourneyEdit(
            workshop_id=workshop_id,
            entity=entity,
            entity_id=row_id,
            action=action,
            before=json.dumps(before),
            facilitator_id=facilitator_id,
        )
    )


def soft_remove(
    session: Session,
    row: JourneyStage | JourneyTransition | Handoff,
    *,
    entity: str,
    facilitator_id: int | None,
) -> None:
    """Mark a row removed, logged so that an undo (or a restore) brings it back; commits."""
    row.removed_at = utcnow()
    log_edit(
        session,
        workshop_id=row.workshop_id,
        entity=entity,
        row_id=row.id,
        action="remove",
        before={"removed_at": None},
        facilitator_id=facilitator_id,
    )
    session.commit()


def seed_default_journey(session: Session, *, workshop_id: int) -> int:
    """Give a workshop without stages the default template (PRODUCT.md); returns stages added."""
    _workshop(session, workshop_id)
    if session.scalar(select(JourneyStage.id).where(JourneyStage.workshop_id == workshop_id)):
        return 0
    ids: dict[str, int] = {}
    for position, (key, label, label_en, kind) in enumerate(DEFAULT_STAGES, start=1):
        stage = JourneyStage(
            workshop_id=workshop_id, label=label, label_en=label_en, kind=kind, position=position
        )
        session.add(stage)
        session.flush()
        ids[key] = stage.id
    for source, target, move, move_sv, move_en in DEFAULT_TRANSITIONS:
        session.add(
            JourneyTransition(
                workshop_id=workshop_id,
                source_id=ids[source],
                target_id=ids[target],
                kind=move,
                label=move_sv,
                label_en=move_en,
            )
        )
    session.commit()
    return len(ids)


def add_stage(
    session: Session,
    *,
    workshop_id: int,
    label: str,
    label_en: str | None = None,
    link_from_last: bool = True,
) -> int:
    """Append a stage; by default the last stage gets a forward transition to it."""
    _workshop(session, workshop_id)
    current = stages(session, workshop_id)
    stage = JourneyStage(
        workshop_id=workshop_id,
        label=required_label(label),
        label_en=clean_label(label_en, required=False),
        position=1 + max((s.position for s in current), default=0),
    )
    session.add(stage)
    session.flush()
    if link_from_last and current:
        session.add(
            JourneyTransition(workshop_id=workshop_id, source_id=current[-1].id, target_id=stage.id)
        )
    session.commit()
    return stage.id


def rename_stage(
    session: Session, *, workshop_id: int, stage_id: int, label: str, label_en: str | None
) -> None:
    stage = get_stage(session, workshop_id, stage_id)
    stage.label = required_label(label)
    stage.label_en = clean_label(label_en, required=False)
    session.commit()


def move_stage(session: Session, *, workshop_id: int, stage_id: int, offset: int) -> None:
    """Move a stage left (-1) or right (+1) in the journey's order."""
    ordered = stages(session, workshop_id)
    index = next((i for i, s in enumerate(ordered) if s.id == stage_id), None)
    if index is None:
        raise WorkshopError("error.stage_not_found")
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    for position, stage in enumerate(ordered, start=1):
        stage.position = position
    session.commit()


@dataclass(frozen=True)
class StageImpact:
    """What a stage's removal would hide: participants' placements and handoffs on it."""

    placements: int
    handoffs: int

    @property
    def any(self) -> bool:
        return bool(self.placements or self.handoffs)


def stage_impact(session: Session, *, workshop_id: int, stage_id: int) -> StageImpact:
    get_stage(session, workshop_id, stage_id)
    placements = session.scalar(
        select(func.count())
        .select_from(RolePlacement)
        .where(RolePlacement.stage_id == stage_id, RolePlacement.removed_at.is_(None))
    )
    joined = select(JourneyTransition.id).where(
        (JourneyTransition.source_id == stage_id) | (JourneyTransition.target_id == stage_id)
    )
    handoffs = session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(Handoff.transition_id.in_(joined), Handoff.removed_at.is_(None))
    )
    return StageImpact(placements or 0, handoffs or 0)


def remove_stage(
    session: Session,
    *,
    workshop_id: int,
    stage_id: int,
    confirmed: bool = False,
    facilitator_id: int | None = None,
) -> None:
    """Remove a stage; its placements and handoffs stay stored and come back with a restore.

    A stage holding participants' work is removed only once the facilitator has confirmed.
    """
    stage = get_stage(session, workshop_id, stage_id)
    if stage.removed_at is not None:
        return
    impact = stage_impact(session, workshop_id=workshop_id, stage_id=stage_id)
    if impact.any and not confirmed:
        raise WorkshopError(
            "error.stage_removal_unconfirmed",
            placements=impact.placements,
            handoffs=impact.handoffs,
        )
    soft_remove(session, stage, entity="stage", facilitator_id=facilitator_id)


def restore_stage(session: Session, *, workshop_id: int, stage_id: int) -> None:
    """Bring a removed stage back where it was, with everything placed on it."""
    stage = get_stage(session, workshop_id, stage_id)
    stage.removed_at = None
    session.commit()


def _check_kind(kind: str) -> str:
    if kind not in TRANSITION_KINDS:
        raise WorkshopError("error.bad_transition_kind")
    return kind


def add_transition(
    session: Session,
    *,
    workshop_id: int,
    source_id: int,
    target_id: int,
    kind: str = "forward",
    label: str | None = None,
    label_en: str | None = None,
) -> int:
    """Join two stages; "back" marks moves like "referred back" or "contact lost".

    Adding a transition that was removed restores it (with its handoffs).
    """
    source = get_stage(session, workshop_id, source_id)
    target = get_stage(session, workshop_id, target_id)
    if source.removed_at is not None or target.removed_at is not None:
        raise WorkshopError("error.stage_not_found")
    if source.id == target.id:
        raise WorkshopError("error.transition_to_itself")
    existing = session.scalar(
        select(JourneyTransition).where(
            JourneyTransition.source_id == source.id, JourneyTransition.target_id == target.id
        )
    )
    if existing is not None and existing.removed_at is None:
        raise WorkshopError("error.transition_exists", source=source.label, target=target.label)
    transition = existing or JourneyTransition(
        workshop_id=workshop_id, source_id=source.id, target_id=target.id
    )
    transition.kind = _check_kind(kind)
    transition.label = clean_label(label, required=False)
    transition.label_en = clean_label(label_en, required=False)
    transition.removed_at = None
    session.add(transition)
    session.commit()
    return transition.id


def remove_transition(
    session: Session, *, workshop_id: int, transition_id: int, facilitator_id: int | None = None
) -> None:
    """Remove a transition; its handoffs stay stored and return with a restore."""
    transition = get_transition(session, workshop_id, transition_id)
    if transition.removed_at is not None:
        return
    soft_remove(session, transition, entity="transition", facilitator_id=facilitator_id)


def restore_transition(session: Session, *, workshop_id: int, transition_id: int) -> None:
    transition = get_transition(session, workshop_id, transition_id)
    transition.removed_at = None
    session.commit()


def set_owners(
    session: Session, *, workshop_id: int, transition_id: int, role_ids: list[int]
) -> None:
    """The roles responsible for the handover at a transition (replaces the previous set)."""
    transition = get_transition(session, workshop_id, transition_id)
    roles = set(role_ids)
    known = set(
        session.scalars(
            select(WorkshopRole.id).where(
                WorkshopRole.workshop_id == workshop_id, WorkshopRole.id.in_(roles)
            )
        )
    )
    if known != roles:
        raise WorkshopError("error.role_not_found")
    for owner in session.scalars(
        select(TransitionOwner).where(TransitionOwner.transition_id == transition.id)
    ):
        session.delete(owner)
    session.flush()
    session.add_all(TransitionOwner(transition_id=transition.id, role_id=r) for r in sorted(roles))
    session.commit()


def set_journey_open(session: Session, *, workshop_id: int, is_open: bool) -> None:
    """Let phones place roles and record handoffs, or stop them (the board stays visible)."""
    workshop = _workshop(session, workshop_id)
    workshop.journey_open = is_open
    session.commit()
