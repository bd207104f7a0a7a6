"""Use case: load a ``brygga.journey/1`` document into a workshop that has no map yet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from journey_maps.board import split_notes
from journey_maps.format import JourneyFormatError, parse_journey
from journey_maps.model import LABEL_LIMIT, Journey
from journey_maps.rows import (
    Handoff,
    JourneyStage,
    JourneyTransition,
    RolePlacement,
    TransitionOwner,
)
from roles.models import WorkshopRole
from roles.services import seed_roles
from workshops.domain import PRINCIPALS, WorkshopError
from workshops.models import Organisation, Workshop


def import_journey(session: Session, *, workshop_id: int, document: Any) -> dict[str, int]:
    """Replace an empty workshop map with the document's stages, roles, placements, handoffs
    and owners; returns how many of each were created.

    All or nothing: a document that does not validate raises ``JourneyFormatError`` listing
    every problem, and a workshop where participants have placed roles is refused.
    Organisations named in placements are added to the workshop when missing; roles the
    catalogue does not know become the workshop's own roles.
    """
    journey = parse_journey(document)
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise WorkshopError("error.workshop_not_found")
    placed = session.scalar(
        select(func.count())
        .select_from(RolePlacement)
        .where(RolePlacement.workshop_id == workshop_id)
    )
    if placed:
        raise WorkshopError("error.import_needs_empty_map")
    seed_roles(session, workshop_id=workshop_id)  # idempotent; commits only catalogue roles
    try:
        orgs = _organisations(session, workshop_id, journey)
    except JourneyFormatError:
        session.rollback()
        raise
    for stage in session.scalars(
        select(JourneyStage).where(JourneyStage.workshop_id == workshop_id)
    ):
        session.delete(stage)  # transitions go with them (ON DELETE CASCADE)
    session.flush()
    stages = _stages(session, workshop_id, journey)
    transitions = _transitions(session, workshop_id, journey, stages)
    roles = _roles(session, workshop_id, journey)
    for p in journey.placements:
        needs, obstacles = split_notes(p.notes)
        session.add(
            RolePlacement(
                workshop_id=workshop_id,
                role_id=roles[p.role],
                stage_id=stages[p.stage],
                organisation_id=orgs.get(p.organisation or ""),
                needs=needs,
                obstacles=obstacles,
                placed_by_org_id=orgs.get(p.placed_by or ""),
            )
        )
    for h in journey.handoffs:
        session.add(
            Handoff(
                workshop_id=workshop_id,
                transition_id=transitions[h.transition],
                from_role_id=roles[h.from_role],
                to_role_id=roles[h.to_role],
                mode=h.mode,  # no longer than MODE_LIMIT: parse_journey checked it
                acknowledged=h.acknowledged,
                notes=h.notes,
            )
        )
    for o in journey.owners:
        session.add(
            TransitionOwner(transition_id=transitions[(o.source, o.target)], role_id=roles[o.role])
        )
    session.commit()
    return {
        "stages": len(stages),
        "transitions": len(transitions),
        "placements": len(journey.placements),
        "handoffs": len(journey.handoffs),
        "owners": len(journey.owners),
    }


def _stages(session: Session, workshop_id: int, journey: Journey) -> dict[str, int]:
    ids = {}
    for position, s in enumerate(journey.stages, start=1):
        row = JourneyStage(
            workshop_id=workshop_id,
            label=s.label,  # the lengths were checked with the rest of the file
            label_en=s.label_en or None,
            kind=s.kind or None,
            position=position,
        )
        session.add(row)
        session.flush()
        ids[s.id] = row.id
    return ids


def _transitions(
    session: Session, workshop_id: int, journey: Journey, stages: dict[str, int]
) -> dict[tuple[str, str], int]:
    ids = {}
    for t in journey.transitions:
        row = JourneyTransition(
            workshop_id=workshop_id,
            source_id=stages[t.source],
            target_id=stages[t.target],
            kind=t.kind,
            label=t.label,
            label_en=t.label_en,
        )
        session.add(row)
        session.flush()
        ids[t.key] = row.id
    return ids


def _roles(session: Session, workshop_id: int, journey: Journey) -> dict[str, int]:
    have = {
        r.code: r
        for r in session.scalars(
            select(WorkshopRole).where(WorkshopRole.workshop_id == workshop_id)
        )
    }
    position = max((r.position for r in have.values()), default=0)
    ids = {}
    for role in journey.roles:
        row = have.get(role.id)
        if row is None:
            position += 1
            row = WorkshopRole(
                workshop_id=workshop_id,
                code=role.id[:12],
                name_sv=role.label[:200],
                name_en=(role.label_en or role.label)[:200],
                tier=role.tier,
                professional=role.professional,
                coordinating=role.coordinating,
                position=position,
            )
            session.add(row)
            session.flush()
        row.included = True
        ids[role.id] = row.id
    return ids


def _organisations(session: Session, workshop_id: int, journey: Journey) -> dict[str, int]:
    """Organisation name → row id; missing ones are added with the principal the map gives."""
    have = {
        o.name.casefold(): o
        for o in session.scalars(
            select(Organisation).where(Organisation.workshop_id == workshop_id)
        )
    }
    wanted: dict[str, str | None] = {}
    for p in journey.placements:
        if p.organisation:
            wanted[p.organisation] = wanted.get(p.organisation) or p.principal
    unknown = sorted(n for n, pr in wanted.items() if n.casefold() not in have and not pr)
    if unknown:
        raise JourneyFormatError(
            [
                f"organisation {name!r} is new to the workshop and has no principal"
                for name in unknown
            ]
        )
    ids: dict[str, int] = {}
    for name, principal in wanted.items():
        org = have.get(name.casefold())
        if org is None:
            if principal not in PRINCIPALS:
                raise JourneyFormatError(
                    [f"organisation {name!r}: unknown principal {principal!r}"]
                )
            if len(name) > LABEL_LIMIT:  # as long as the organisation form allows, never cut
                raise JourneyFormatError(
                    [f"organisation {name!r}: at most {LABEL_LIMIT} characters allowed"]
                )
            org = Organisation(workshop_id=workshop_id, name=name, principal=principal)
            session.add(org)
            session.flush()
            have[name.casefold()] = org
        ids[name] = org.id
    for p in journey.placements:  # who placed it, when that organisation is in the workshop
        if p.placed_by and p.placed_by.casefold() in have:
            ids[p.placed_by] = have[p.placed_by.casefold()].id
    return ids
