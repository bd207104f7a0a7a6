"""Reading a workshop's journey: the ``brygga.journey/1`` document and the live board's state."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from journey_maps.analysis import gap_report
from journey_maps.format import FORMAT, parse_journey
from journey_maps.model import Journey
from journey_maps.report import report_to_dict
from journey_maps.rows import (
    Handoff,
    PlacementReaction,
    RolePlacement,
    TransitionOwner,
)
from journey_maps.stages import stages, transitions
from journey_maps.triage import triage_map, with_triage
from roles.models import WorkshopRole
from workshops.domain import WorkshopError, recount_left_ms
from workshops.models import Organisation, Participant, Workshop, utcnow
from workshops.voting import role_card


def stage_key(stage_id: int) -> str:
    """The id a stage has in the exchange format and the analysis.

    >>> stage_key(12)
    's12'
    """
    return f"s{stage_id}"


def placement_counts(session: Session, workshop_ids: list[int]) -> dict[int, int]:
    """How many roles are placed on the board (not withdrawn) in each of ``workshop_ids``;
    a workshop with none is left out. One grouped read for a whole dashboard."""
    if not workshop_ids:
        return {}
    rows = session.execute(
        select(RolePlacement.workshop_id, func.count())
        .where(RolePlacement.workshop_id.in_(workshop_ids), RolePlacement.removed_at.is_(None))
        .group_by(RolePlacement.workshop_id)
    )
    return {wid: n for wid, n in rows}


class _Rows:
    """Everything the journey of one workshop is made of, read once."""

    def __init__(self, session: Session, workshop_id: int) -> None:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            raise WorkshopError("error.workshop_not_found")
        self.workshop = workshop
        self.stages = stages(session, workshop_id)
        self.transitions = transitions(session, workshop_id)
        stage_ids = {s.id for s in self.stages}
        transition_ids = {t.id for t in self.transitions}
        self.roles = list(
            session.scalars(
                select(WorkshopRole)
                .where(WorkshopRole.workshop_id == workshop_id)
                .order_by(WorkshopRole.position, WorkshopRole.id)
            )
        )
        self.role_by_id = {r.id: r for r in self.roles}
        self.orgs = {
            o.id: o
            for o in session.scalars(
                select(Organisation).where(Organisation.workshop_id == workshop_id)
            )
        }
        self.placements = [
            p
            for p in session.scalars(
                select(RolePlacement)
                .where(RolePlacement.workshop_id == workshop_id, RolePlacement.removed_at.is_(None))
                .order_by(RolePlacement.id)
            )
            if p.stage_id in stage_ids
        ]
        placed = {(p.role_id, p.stage_id) for p in self.placements}
        stage_of = {t.id: (t.source_id, t.target_id) for t in self.transitions}
        self.handoffs: list[Handoff] = []
        self.dangling: list[Handoff] = []
        for h in session.scalars(
            select(Handoff)
            .where(Handoff.workshop_id == workshop_id, Handoff.removed_at.is_(None))
            .order_by(Handoff.id)
        ):
            if h.transition_id not in transition_ids:
                continue
            source, target = stage_of[h.transition_id]
            ends_placed = (h.from_role_id, source) in placed and (h.to_role_id, target) in placed
            (self.handoffs if ends_placed else self.dangling).append(h)
        self.owners: dict[int, list[int]] = defaultdict(list)
        for owner in session.scalars(
            select(TransitionOwner).where(TransitionOwner.transition_id.in_(transition_ids))
        ):
            self.owners[owner.transition_id].append(owner.role_id)
        self.reactions: dict[int, Counter[str]] = defaultdict(Counter)
        for pid, kind, n in session.execute(
            select(PlacementReaction.placement_id, PlacementReaction.kind, func.count())
            .where(PlacementReaction.placement_id.in_([p.id for p in self.placements]))
            .group_by(PlacementReaction.placement_id, PlacementReaction.kind)
        ):
            self.reactions[pid][kind] = n
        self.participants = (
            session.scalar(
                select(func.count())
                .select_from(Participant)
                .where(Participant.workshop_id == workshop_id, Participant.in_room)
            )
            or 0
        )

    def shown_roles(self) -> list[WorkshopRole]:
        used = {p.role_id for p in self.placements}
        return [r for r in self.roles if r.included or r.id in used]

    def org_name(self, org_id: int | None) -> str | None:
        org = self.orgs.get(org_id or -1)
        return org.name if org else None


NEEDS, OBSTACLES = "Behov: ", "Hinder: "


def join_notes(needs: str | None, obstacles: str | None) -> str | None:
    r"""A placement's needs and obstacles as the one ``notes`` text of the exchange format.

    >>> join_notes("Tid", "Väntetid")
    'Behov: Tid\nHinder: Väntetid'
    >>> join_notes(None, None) is None
    True
    """
    parts = [label + text for label, text in ((NEEDS, needs), (OBSTACLES, obstacles)) if text]
    return "\n".join(parts) or None


def split_notes(notes: str | None) -> tuple[str | None, str | None]:
    r"""``join_notes`` read back; text in another form counts as needs.

    >>> split_notes(join_notes("Tid\nmer tid", "Väntetid"))
    ('Tid\nmer tid', 'Väntetid')
    >>> split_notes("Vårdnadshavare märker det först.")
    ('Vårdnadshavare märker det först.', None)
    """
    if not notes:
        return None, None
    head, sep, obstacles = notes.partition("\n" + OBSTACLES)
    if not sep and notes.startswith(OBSTACLES):
        return None, notes[len(OBSTACLES) :]
    needs = head[len(NEEDS) :] if head.startswith(NEEDS) else head
    return needs or None, obstacles if sep else None


def _document(rows: _Rows) -> dict[str, Any]:
    stage_of = {t.id: t for t in rows.transitions}
    code = {r.id: r.code for r in rows.roles}
    return {
        "format": FORMAT,
        "title": rows.workshop.title,
        "target_group": rows.workshop.target_group,
        "stages": [
            {"id": stage_key(s.id), "label": s.label}
            | ({"label_en": s.label_en} if s.label_en else {})
            | ({"kind": s.kind} if s.kind else {})
            for s in rows.stages
        ],
        "transitions": [
            {"from": stage_key(t.source_id), "to": stage_key(t.target_id), "kind": t.kind}
            | ({"label": t.label} if t.label else {})
            | ({"label_en": t.label_en} if t.label_en else {})
            for t in rows.transitions
        ],
        "roles": [
            {
                "id": r.code,
                "label": r.name_sv,
                "label_en": r.name_en,
                "tier": r.tier,
                "professional": r.professional,
                "coordinating": r.coordinating,
            }
            for r in rows.shown_roles()
        ],
        "placements": [
            {"role": code[p.role_id], "stage": stage_key(p.stage_id), "id": f"p{p.id}"}
            | _org_fields(rows, p)
            for p in rows.placements
        ],
        "handoffs": [
            {
                "from_stage": stage_key(stage_of[h.transition_id].source_id),
                "from_role": code[h.from_role_id],
                "to_stage": stage_key(stage_of[h.transition_id].target_id),
                "to_role": code[h.to_role_id],
                "acknowledged": h.acknowledged,
                "id": f"h{h.id}",
            }
            | ({"mode": h.mode} if h.mode else {})
            | ({"notes": h.notes} if h.notes else {})
            for h in rows.handoffs
        ],
        "owners": [
            {"from": stage_key(t.source_id), "to": stage_key(t.target_id), "role": code[r]}
            for t in rows.transitions
            for r in sorted(rows.owners.get(t.id, []))
        ],
    }


def _org_fields(rows: _Rows, placement: RolePlacement) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    org = rows.orgs.get(placement.organisation_id or -1)
    if org is not None:
        fields.update(organisation=org.name, principal=org.principal)
    notes = join_notes(placement.needs, placement.obstacles)
    if notes:
        fields["notes"] = notes
    placer = rows.org_name(placement.placed_by_org_id)
    if placer:
        fields["placed_by"] = placer
    return fields


def journey_document(session: Session, workshop_id: int) -> dict[str, Any]:
    """The workshop's map as a ``brygga.journey/1`` document (removed entries left out).

    Stage ids are ``s<row id>``; roles keep their codes ("4", "5B", custom "E1").
    """
    return _document(_Rows(session, workshop_id))


def workshop_journey(session: Session, workshop_id: int) -> Journey:
    """The workshop's map, validated, ready for the analysis and the diagram."""
    return parse_journey(journey_document(session, workshop_id))


def board_state(
    session: Session, workshop_id: int, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """What the board, the projector and the phones show: the map and its gap analysis
    (``now``: the clock, for tests)."""
    rows = _Rows(session, workshop_id)
    document = _document(rows)
    analysis = report_to_dict(gap_report(parse_journey(document))) if rows.stages else None
    if analysis is not None:
        analysis["findings"] = with_triage(analysis["findings"], triage_map(session, workshop_id))
    label = {s.id: s.label for s in rows.stages}
    return {
        "workshop_id": rows.workshop.id,
        "title": rows.workshop.title,
        "journey_open": rows.workshop.journey_open,
        "participants": rows.participants,
        # after a roll call the count settles for a moment: the screens show "…" meanwhile
        "recounting_ms": recount_left_ms(rows.workshop.roll_call_at, now or utcnow()),
        "stages": [
            {"id": s.id, "key": stage_key(s.id), "label": s.label, "label_en": s.label_en}
            for s in rows.stages
        ],
        "transitions": [
            {
                "id": t.id,
                "key": f"{stage_key(t.source_id)}>{stage_key(t.target_id)}",
                "from_id": t.source_id,
                "to_id": t.target_id,
                "from_label": label[t.source_id],
                "to_label": label[t.target_id],
                "kind": t.kind,
                "label": t.label,
                "label_en": t.label_en,
                "owners": sorted(rows.owners.get(t.id, [])),
            }
            for t in rows.transitions
        ],
        "roles": [role_card(r) for r in rows.shown_roles()],
        "organisations": [
            {"id": o.id, "name": o.name, "principal": o.principal}
            for o in sorted(rows.orgs.values(), key=lambda o: o.name.casefold())
        ],
        "placements": [
            {
                "id": p.id,
                "role_id": p.role_id,
                "stage_id": p.stage_id,
                "organisation_id": p.organisation_id,
                "organisation": rows.org_name(p.organisation_id),
                "principal": rows.orgs[p.organisation_id].principal
                if p.organisation_id in rows.orgs
                else None,
                "placed_by": rows.org_name(p.placed_by_org_id),
                "needs": p.needs,
                "obstacles": p.obstacles,
                "agree": rows.reactions[p.id]["agree"],
                "dispute": rows.reactions[p.id]["dispute"],
            }
            for p in rows.placements
        ],
        "handoffs": [_handoff_view(rows, h, placed=True) for h in rows.handoffs]
        + [_handoff_view(rows, h, placed=False) for h in rows.dangling],
        "analysis": analysis,
    }


def _handoff_view(rows: _Rows, h: Handoff, *, placed: bool) -> dict[str, Any]:
    return {
        "id": h.id,
        "transition_id": h.transition_id,
        "from_role_id": h.from_role_id,
        "to_role_id": h.to_role_id,
        "mode": h.mode,
        "acknowledged": h.acknowledged,
        "notes": h.notes,
        "placed_by": rows.org_name(h.placed_by_org_id),
        # a handoff whose end was taken off the board stays stored but is left out of the map
        "counted": placed,
    }
