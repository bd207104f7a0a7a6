"""The ``brygga.journey/1`` exchange format: parse, validate and write a journey map."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from journey_maps.model import (
    EVIDENCE,
    FORMAT,
    PRINCIPALS,
    TRANSITION_KINDS,
    Handoff,
    Journey,
    Owner,
    Placement,
    Role,
    Stage,
    Transition,
    role_sort_key,
)
from journey_maps.validate import JourneyFormatError, parse_journey

# the data classes (model) and the parser (validate) are re-exported: callers need one import
__all__ = [
    "DEFAULT_STAGES",
    "DEFAULT_TRANSITIONS",
    "EVIDENCE",
    "FORMAT",
    "PRINCIPALS",
    "TRANSITION_KINDS",
    "Handoff",
    "Journey",
    "JourneyFormatError",
    "Owner",
    "Placement",
    "Role",
    "Stage",
    "Transition",
    "default_journey",
    "example_journey",
    "journey_to_dict",
    "load_journey",
    "parse_journey",
    "role_sort_key",
    "with_handoff",
    "with_placement",
    "without_role",
]


def _compact(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if value is not None}


def journey_to_dict(journey: Journey) -> dict[str, Any]:
    """The journey as a ``brygga.journey/1`` document (roles written out in full).

    ``parse_journey(journey_to_dict(j)) == j`` for every journey, and writing what was read
    gives the same document again.

    Examples
    --------
    >>> journey = example_journey()
    >>> doc = journey_to_dict(journey)
    >>> doc["format"], sorted(doc["roles"][0])
    ('brygga.journey/1', ['coordinating', 'id', 'label', 'label_en', 'professional', 'tier'])
    >>> parse_journey(doc) == journey and journey_to_dict(parse_journey(doc)) == doc
    True
    """
    document: dict[str, Any] = {
        "format": FORMAT,
        "title": journey.title,
        "target_group": journey.target_group,
    }
    document.update(_compact({"description": journey.description, "snapshot": journey.snapshot}))
    document["stages"] = [
        _compact({"id": s.id, "label": s.label, "label_en": s.label_en, "kind": s.kind})
        for s in journey.stages
    ]
    document["transitions"] = [
        _compact(
            {"from": t.source, "to": t.target, "kind": t.kind}
            | {"label": t.label, "label_en": t.label_en}
        )
        for t in journey.transitions
    ]
    document["roles"] = [
        _compact(
            {"id": r.id, "label": r.label, "tier": r.tier, "professional": r.professional}
            | {"coordinating": r.coordinating, "label_en": r.label_en}
        )
        for r in journey.roles
    ]
    document["placements"] = [
        _compact(
            {"role": p.role, "stage": p.stage, "organisation": p.organisation}
            | {"principal": p.principal, "notes": p.notes, "placed_by": p.placed_by, "id": p.id}
        )
        for p in journey.placements
    ]
    document["handoffs"] = [
        _compact(
            {"from_stage": h.from_stage, "from_role": h.from_role, "to_stage": h.to_stage}
            | {"to_role": h.to_role, "acknowledged": h.acknowledged, "mode": h.mode}
            | {"evidence": h.evidence, "notes": h.notes, "id": h.id}
        )
        for h in journey.handoffs
    ]
    document["owners"] = [
        {"from": o.source, "to": o.target, "role": o.role} for o in journey.owners
    ]
    return document


def load_journey(path: str | Path) -> Journey:
    """Read and validate a journey file; JSON syntax errors become ``JourneyFormatError``.

    Examples
    --------
    >>> load_journey("/nonexistent.json")
    Traceback (most recent call last):
    ...
    journey_maps.validate.JourneyFormatError: invalid journey: cannot read /nonexistent.json: ...
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise JourneyFormatError([f"cannot read {path}: {exc}"]) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JourneyFormatError([f"{path}: not valid JSON: {exc}"]) from exc
    return parse_journey(data)


def _rebuilt(journey: Journey, **changes: Any) -> Journey:
    """Apply ``changes`` and validate the result through the one parser."""
    return parse_journey(journey_to_dict(replace(journey, **changes)))


def with_placement(journey: Journey, placement: Placement) -> Journey:
    """The journey with one more placement (validated).

    Examples
    --------
    >>> journey = with_placement(example_journey(), Placement("8", "s3", "BUP", "region"))
    >>> "8" in journey.roles_at["s3"]
    True
    """
    return _rebuilt(journey, placements=(*journey.placements, placement))


def with_handoff(journey: Journey, handoff: Handoff) -> Journey:
    """The journey with one more handoff (validated: its ends must be placed).

    Examples
    --------
    >>> journey = with_handoff(example_journey(), Handoff("s1", "2", "s2", "3"))
    >>> [h.to_role for h in journey.handoffs_at[("s1", "s2")]]
    ['3']
    """
    return _rebuilt(journey, handoffs=(*journey.handoffs, handoff))


def without_role(journey: Journey, role_id: str) -> Journey:
    """The journey as if ``role_id`` were gone: its placements, handoffs and ownerships too.

    Examples
    --------
    >>> journey = without_role(example_journey(), "4")
    >>> "4" in journey.role_by_id, sorted(journey.roles_at["s3"])
    (False, ['1', '2'])
    """
    if role_id not in journey.role_by_id:
        raise JourneyFormatError([f"unknown role {role_id!r}"])
    return _rebuilt(
        journey,
        roles=tuple(r for r in journey.roles if r.id != role_id),
        placements=tuple(p for p in journey.placements if p.role != role_id),
        handoffs=tuple(h for h in journey.handoffs if role_id not in (h.from_role, h.to_role)),
        owners=tuple(o for o in journey.owners if o.role != role_id),
    )


# The default stage template (PRODUCT.md), editable per workshop: id, sv, en, kind.
DEFAULT_STAGES: tuple[tuple[str, str, str, str], ...] = (
    ("s1", "Oro / tidiga tecken", "Concern / early signs", "concern"),
    ("s2", "Första kontakt", "First contact", "first_contact"),
    ("s3", "Bedömning och styrning vidare", "Assessment and referral", "assessment"),
    (
        "s4",
        "Utredning (klinisk eller myndighet)",
        "Clinical or statutory investigation",
        "investigation",
    ),
    (
        "s5",
        "Insats / behandling / stöd i vardagen",
        "Intervention / treatment / everyday support",
        "intervention",
    ),
    ("s6", "Samordning (SIP)", "Coordination (SIP)", "coordination"),
    ("s7", "Uppföljning och avslut", "Follow-up and closure", "follow_up"),
)
# Forward steps, then the backward moves: from, to, kind, sv, en.
DEFAULT_TRANSITIONS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    *((f"s{i}", f"s{i + 1}", "forward", None, None) for i in range(1, 7)),
    ("s3", "s2", "back", "Hänvisas tillbaka", "Referred back"),
    ("s5", "s2", "back", "Kontakten tappas", "Contact lost"),
)


def default_journey(title: str = "Patientresan", target_group: str = "children") -> Journey:
    """A journey with the default stages and transitions and no roles yet.

    Examples
    --------
    >>> journey = default_journey()
    >>> [s.label for s in journey.stages][:3]
    ['Oro / tidiga tecken', 'Första kontakt', 'Bedömning och styrning vidare']
    >>> [(t.name, t.kind, t.label_en) for t in journey.transitions if t.kind == "back"]
    [('s3>s2', 'back', 'Referred back'), ('s5>s2', 'back', 'Contact lost')]
    """
    return parse_journey(
        {
            "format": FORMAT,
            "title": title,
            "target_group": target_group,
            "stages": [
                {"id": i, "label": sv, "label_en": en, "kind": kind}
                for i, sv, en, kind in DEFAULT_STAGES
            ],
            "transitions": [
                _compact({"from": a, "to": b, "kind": kind, "label": sv, "label_en": en})
                for a, b, kind, sv, en in DEFAULT_TRANSITIONS
            ],
            "roles": [],
        }
    )


def example_journey() -> Journey:
    """A three-stage map used by the examples in this package's docstrings.

    School health (municipality) meets the child at s1 and s2 and refers to BUP (region), whose
    assessor (role 4) takes over at s3; s3 can refer back to s2.

    Examples
    --------
    >>> journey = example_journey()
    >>> [t.name for t in journey.ordered_transitions]
    ['s1>s2', 's2>s3', 's3>s2']
    """
    place = [
        ("1", "s1", None, None), ("1", "s2", None, None), ("1", "s3", None, None),
        ("2", "s1", None, None), ("2", "s3", None, None),
        ("3", "s1", "Elevhälsa", "municipality"), ("3", "s2", "Elevhälsa", "municipality"),
        ("4", "s3", "BUP", "region"),
    ]  # fmt: skip
    return parse_journey(
        {
            "format": FORMAT,
            "title": "Exempel",
            "target_group": "children",
            "stages": [
                {"id": "s1", "label": "Oro / tidiga tecken", "label_en": "Concern"},
                {"id": "s2", "label": "Första kontakt", "label_en": "First contact"},
                {"id": "s3", "label": "Bedömning", "label_en": "Assessment"},
            ],
            "transitions": [
                {"from": "s1", "to": "s2"},
                {"from": "s2", "to": "s3"},
                {"from": "s3", "to": "s2", "kind": "back", "label": "Hänvisas tillbaka"},
            ],
            "roles": ["1", "2", "3", "4", "8"],
            "placements": [
                _compact({"role": r, "stage": s, "organisation": o, "principal": p})
                for r, s, o, p in place
            ],
            "handoffs": [
                {
                    "from_stage": "s2",
                    "from_role": "3",
                    "to_stage": "s3",
                    "to_role": "4",
                    "acknowledged": False,
                    "mode": "remiss",
                },
            ],
            "owners": [],
        }
    )
