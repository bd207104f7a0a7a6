"""Use cases for phones building the journey: place roles, react, record handoffs.

Every write carries a client-made id, so a write retried after a dropped connection changes
nothing and succeeds again (the same rule as WS1 ballots).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from journey_maps.model import MODE_LIMIT
from journey_maps.rows import (
    Handoff,
    JourneyStage,
    JourneyTransition,
    PlacementReaction,
    RolePlacement,
)
from roles.models import WorkshopRole
from workshops.domain import WorkshopError
from workshops.models import Organisation, Participant, Workshop, utcnow

NOTE_LIMIT = 1000
HANDOFF_MODES: tuple[str, ...] = (
    "referral",
    "phone",
    "sip",
    "meeting",
    "letter",
    "digital",
    "other",
)
Row = TypeVar("Row", RolePlacement, Handoff)
REACTIONS: tuple[str, ...] = ("agree", "dispute")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")


@dataclass(frozen=True)
class Written:
    """The outcome of a phone's write: which workshop changed, the row, whether a retry."""

    workshop_id: int
    id: int
    retried: bool = False


def check_client_id(value: object) -> str:
    """A client-made id: 8-64 url-safe characters.

    >>> check_client_id("p-1234abcd")
    'p-1234abcd'
    >>> check_client_id("x")
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.bad_client_id
    """
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise WorkshopError("error.bad_client_id")
    return value


def clean_note(text: object) -> str | None:
    """A participant's free text: trimmed, at most 1000 characters, None when empty.

    >>> clean_note("  väntetid  "), clean_note(None), clean_note("")
    ('väntetid', None, None)
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise WorkshopError("error.bad_payload")
    cleaned = text.strip()
    if len(cleaned) > NOTE_LIMIT:
        raise WorkshopError("error.note_too_long", limit=NOTE_LIMIT)
    return cleaned or None


def _participant(session: Session, participant_id: int) -> Participant:
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise WorkshopError("error.not_joined")
    return participant


def _open_workshop(session: Session, participant: Participant) -> Workshop:
    workshop = session.get(Workshop, participant.workshop_id)
    if workshop is None:
        raise WorkshopError("error.workshop_not_found")
    if not workshop.journey_open:
        raise WorkshopError("error.journey_closed")
    return workshop


def _role(session: Session, workshop_id: int, role_id: int) -> WorkshopRole:
    role = session.get(WorkshopRole, role_id)
    if role is None or role.workshop_id != workshop_id or not role.included:
        raise WorkshopError("error.role_not_found")
    return role


def _stage(session: Session, workshop_id: int, stage_id: int) -> JourneyStage:
    stage = session.get(JourneyStage, stage_id)
    if stage is None or stage.workshop_id != workshop_id or stage.removed_at is not None:
        raise WorkshopError("error.stage_not_found")
    return stage


def _organisation_for(
    session: Session, participant: Participant, role: WorkshopRole, organisation_id: int | None
) -> int | None:
    """Who fills the role: as given, else the participant's own organisation for a
    professional role, and nobody for the person and their network."""
    if organisation_id is None:
        return participant.organisation_id if role.professional else None
    org = session.get(Organisation, organisation_id)
    if org is None or org.workshop_id != participant.workshop_id:
        raise WorkshopError("error.organisation_not_found")
    return org.id


def active_placement(
    session: Session, *, role_id: int, stage_id: int, organisation_id: int | None = None
) -> RolePlacement | None:
    """The active placement of a role on a stage (for one organisation, if given)."""
    query = select(RolePlacement).where(
        RolePlacement.role_id == role_id,
        RolePlacement.stage_id == stage_id,
        RolePlacement.removed_at.is_(None),
    )
    if organisation_id is not None:
        query = query.where(RolePlacement.organisation_id == organisation_id)
    return session.scalars(query.order_by(RolePlacement.id)).first()


def _same(
    session: Session, role_id: int, stage_id: int, organisation_id: int | None
) -> RolePlacement | None:
    return session.scalars(
        select(RolePlacement).where(
            RolePlacement.role_id == role_id,
            RolePlacement.stage_id == stage_id,
            RolePlacement.removed_at.is_(None),
            RolePlacement.organisation_id.is_(None)
            if organisation_id is None
            else RolePlacement.organisation_id == organisation_id,
        )
    ).first()


def place_role(
    session: Session,
    *,
    participant_id: int,
    role_id: int,
    stage_id: int,
    client_id: str,
    organisation_id: int | None = None,
    needs: str | None = None,
    obstacles: str | None = None,
) -> Written:
    """Place a role on a stage, filled by an organisation, with what it needs and its obstacles.

    The same role, stage and organisation placed already is refused with a clear message (the
    participant can agree with that placement instead).
    """
    participant = _participant(session, participant_id)
    seen = session.scalar(select(RolePlacement).where(RolePlacement.client_id == client_id))
    if seen is not None:
        return _retried(session, seen.participant_id, participant, seen.id)
    _open_workshop(session, participant)
    wid = participant.workshop_id
    role = _role(session, wid, role_id)
    stage = _stage(session, wid, stage_id)
    org_id = _organisation_for(session, participant, role, organisation_id)
    same = _same(session, role.id, stage.id, org_id)
    if same is not None:
        if same.client_id == client_id:  # this very write, committed by its twin meanwhile
            return _retried(session, same.participant_id, participant, same.id)
        raise WorkshopError("error.duplicate_placement", role=role.name_sv, stage=stage.label)
    placement = RolePlacement(
        workshop_id=wid,
        role_id=role.id,
        stage_id=stage.id,
        organisation_id=org_id,
        needs=clean_note(needs),
        obstacles=clean_note(obstacles),
        participant_id=participant.id,
        placed_by_org_id=participant.organisation_id,
        client_id=client_id,
    )
    return _insert(session, placement, participant, RolePlacement, client_id, role, stage)


def _insert(
    session: Session,
    row: Row,
    participant: Participant,
    model: type[Row],
    client_id: str,
    role: WorkshopRole,
    stage: JourneyStage,
) -> Written:
    wid = participant.workshop_id
    try:
        session.add(row)
        session.commit()
    except IntegrityError:
        # Either the same write arrived twice at once, or another phone placed the same thing.
        session.rollback()
        seen = session.scalar(select(model).where(model.client_id == client_id))
        if seen is not None:
            return _retried(session, seen.participant_id, participant, seen.id)
        key = "error.duplicate_placement" if model is RolePlacement else "error.duplicate_handoff"
        raise WorkshopError(key, role=role.name_sv, stage=stage.label) from None
    return Written(wid, row.id)


def _retried(session: Session, owner: int | None, participant: Participant, row_id: int) -> Written:
    wid = participant.workshop_id
    session.rollback()
    if owner != participant.id:
        raise WorkshopError("error.bad_client_id")
    return Written(wid, row_id, retried=True)


def _own_row(session: Session, model: type[Row], row_id: int, participant_id: int) -> Row:
    row = session.get(model, row_id)
    if row is None or row.participant_id != participant_id:
        raise WorkshopError("error.not_yours")
    return row


def withdraw_placement(session: Session, *, participant_id: int, placement_id: int) -> Written:
    """A participant takes back their own placement (not while a handoff leans on it)."""
    participant = _participant(session, participant_id)
    _open_workshop(session, participant)
    placement = _own_row(session, RolePlacement, placement_id, participant.id)
    if placement.removed_at is None:
        if _handoffs_leaning_on(session, placement):
            raise WorkshopError("error.placement_has_handoffs")
        placement.removed_at = utcnow()
    session.commit()
    return Written(participant.workshop_id, placement_id)


def _handoffs_leaning_on(session: Session, placement: RolePlacement) -> list[Handoff]:
    """Active handoffs whose end is this role on this stage, and no other placement holds it."""
    others = session.scalar(
        select(RolePlacement.id).where(
            RolePlacement.role_id == placement.role_id,
            RolePlacement.stage_id == placement.stage_id,
            RolePlacement.removed_at.is_(None),
            RolePlacement.id != placement.id,
        )
    )
    if others is not None:
        return []
    found = []
    for handoff, transition in session.execute(
        select(Handoff, JourneyTransition)
        .join(JourneyTransition, JourneyTransition.id == Handoff.transition_id)
        .where(Handoff.workshop_id == placement.workshop_id, Handoff.removed_at.is_(None))
    ):
        if (transition.source_id, handoff.from_role_id) == (
            placement.stage_id,
            placement.role_id,
        ) or (transition.target_id, handoff.to_role_id) == (placement.stage_id, placement.role_id):
            found.append(handoff)
    return found


def react(session: Session, *, participant_id: int, placement_id: int, kind: str | None) -> Written:
    """Agree with or dispute a placement (``kind`` None takes the reaction back)."""
    participant = _participant(session, participant_id)
    _open_workshop(session, participant)
    placement = session.get(RolePlacement, placement_id)
    if (
        placement is None
        or placement.workshop_id != participant.workshop_id
        or placement.removed_at is not None
    ):
        raise WorkshopError("error.placement_not_found")
    if kind is not None and kind not in REACTIONS:
        raise WorkshopError("error.bad_reaction")
    existing = session.scalar(
        select(PlacementReaction).where(
            PlacementReaction.placement_id == placement_id,
            PlacementReaction.participant_id == participant.id,
        )
    )
    if kind is None:
        if existing is not None:
            session.delete(existing)
    elif existing is not None:
        existing.kind = kind
    else:
        session.add(
            PlacementReaction(
                placement_id=placement_id,
                participant_id=participant.id,
                organisation_id=participant.organisation_id,
                kind=kind,
            )
        )
    try:
        session.commit()
    except IntegrityError:  # the same reaction twice at once: the first one stands
        session.rollback()
    return Written(participant.workshop_id, placement_id)


def check_mode(mode: str | None, *, kept: str | None = None) -> None:
    """A handoff's mode must be one of ``HANDOFF_MODES`` or ``kept``, the mode it has already
    (an imported map may say how in its own words), and never longer than ``MODE_LIMIT``.

    >>> check_mode("remiss", kept="remiss")
    >>> check_mode("x" * 121)
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.handoff_mode_too_long
    """
    if mode is None:
        return
    if len(mode) > MODE_LIMIT:
        raise WorkshopError("error.handoff_mode_too_long", limit=MODE_LIMIT)
    if mode not in HANDOFF_MODES and mode != kept:
        raise WorkshopError("error.bad_handoff_mode")


def record_handoff(
    session: Session,
    *,
    participant_id: int,
    transition_id: int,
    from_role_id: int,
    to_role_id: int,
    client_id: str,
    mode: str | None = None,
    acknowledged: bool = False,
    notes: str | None = None,
) -> Written:
    """At a transition, role A hands over to role B: both must be placed on the stages it joins."""
    participant = _participant(session, participant_id)
    check_mode(mode)
    seen = session.scalar(select(Handoff).where(Handoff.client_id == client_id))
    if seen is not None:
        return _retried(session, seen.participant_id, participant, seen.id)
    _open_workshop(session, participant)
    wid = participant.workshop_id
    transition = session.get(JourneyTransition, transition_id)
    if transition is None or transition.workshop_id != wid or transition.removed_at is not None:
        raise WorkshopError("error.transition_not_found")
    source = _stage(session, wid, transition.source_id)
    target = _stage(session, wid, transition.target_id)
    giver = _role(session, wid, from_role_id)
    taker = _role(session, wid, to_role_id)
    for role, stage in ((giver, source), (taker, target)):
        if active_placement(session, role_id=role.id, stage_id=stage.id) is None:
            raise WorkshopError(
                "error.handoff_end_not_placed", role=role.name_sv, stage=stage.label
            )
    duplicate = session.scalar(
        select(Handoff).where(
            Handoff.transition_id == transition.id,
            Handoff.from_role_id == giver.id,
            Handoff.to_role_id == taker.id,
            Handoff.removed_at.is_(None),
        )
    )
    if duplicate is not None:
        if duplicate.client_id == client_id:  # this very write, committed by its twin meanwhile
            return _retried(session, duplicate.participant_id, participant, duplicate.id)
        raise WorkshopError("error.duplicate_handoff", role=giver.name_sv, stage=source.label)
    handoff = Handoff(
        workshop_id=wid,
        transition_id=transition.id,
        from_role_id=giver.id,
        to_role_id=taker.id,
        mode=mode,
        acknowledged=bool(acknowledged),
        notes=clean_note(notes),
        participant_id=participant.id,
        placed_by_org_id=participant.organisation_id,
        client_id=client_id,
    )
    return _insert(session, handoff, participant, Handoff, client_id, giver, source)


def withdraw_handoff(session: Session, *, participant_id: int, handoff_id: int) -> Written:
    """A participant takes back a handoff they recorded."""
    participant = _participant(session, participant_id)
    _open_workshop(session, participant)
    handoff = _own_row(session, Handoff, handoff_id, participant.id)
    if handoff.removed_at is None:
        handoff.removed_at = utcnow()
    session.commit()
    return Written(participant.workshop_id, handoff_id)


def my_entries(session: Session, *, participant_id: int) -> dict[str, object]:
    """What a phone entered itself (to let it take things back): ids and reactions."""
    placements = session.scalars(
        select(RolePlacement.id).where(
            RolePlacement.participant_id == participant_id, RolePlacement.removed_at.is_(None)
        )
    )
    handoffs = session.scalars(
        select(Handoff.id).where(
            Handoff.participant_id == participant_id, Handoff.removed_at.is_(None)
        )
    )
    reactions = session.execute(
        select(PlacementReaction.placement_id, PlacementReaction.kind).where(
            PlacementReaction.participant_id == participant_id
        )
    )
    return {
        "placements": sorted(placements),
        "handoffs": sorted(handoffs),
        "reactions": {str(pid): kind for pid, kind in reactions},
    }
