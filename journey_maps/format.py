"""The ``brygga.journey/1`` exchange format: parse, validate and write a journey map."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from roles.catalogue import TARGET_GROUPS, TIERS, load_catalogue

FORMAT = "brygga.journey/1"
TRANSITION_KINDS: tuple[str, ...] = ("forward", "back")
PRINCIPALS: tuple[str, ...] = (
    "region",
    "municipality",
    "school",
    "private",
    "civil_society",
    "state",
)
EVIDENCE: tuple[str, ...] = ("observed", "assumed", "proposed")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")

_TOP_REQUIRED = ("format", "title", "target_group", "stages", "roles")
_TOP_OPTIONAL = ("transitions", "placements", "handoffs", "owners", "description", "snapshot")
_TOP_KEYS = (*_TOP_REQUIRED, *_TOP_OPTIONAL)
_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # section: (required keys, optional keys)
    "stages": (("id", "label"), ("label_en", "kind")),
    "transitions": (("from", "to"), ("kind", "label", "label_en")),
    "roles": (("id",), ("label", "label_en", "tier", "professional", "coordinating")),
    "placements": (("role", "stage"), ("organisation", "principal", "notes", "placed_by", "id")),
    "handoffs": (
        ("from_stage", "from_role", "to_stage", "to_role"),
        ("acknowledged", "mode", "evidence", "notes", "id"),
    ),
    "owners": (("from", "to", "role"), ()),
}


class JourneyFormatError(ValueError):
    """A journey document is invalid; ``messages`` lists every problem found.

    >>> str(JourneyFormatError(["a", "b"]))
    'invalid journey: a; b'
    """

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("invalid journey: " + "; ".join(self.messages))


@dataclass(frozen=True)
class Stage:
    """A step of the journey; its position in ``Journey.stages`` is its order."""

    id: str
    label: str
    label_en: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Transition:
    """A directed move between two stages; ``kind`` is "forward" or "back"."""

    source: str
    target: str
    kind: str = "forward"
    label: str | None = None
    label_en: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """``(source, target)``, the transition's identity."""
        return (self.source, self.target)

    @property
    def name(self) -> str:
        """``"s1>s2"``, the prefix of the transition's finding fingerprints."""
        return f"{self.source}>{self.target}"


@dataclass(frozen=True)
class Role:
    """A functional role used in this map (catalogue role or custom)."""

    id: str
    label: str
    tier: str
    professional: bool
    label_en: str | None = None
    coordinating: bool = False


@dataclass(frozen=True)
class Placement:
    """Role ``role`` is present at stage ``stage``, optionally filled by an organisation."""

    role: str
    stage: str
    organisation: str | None = None
    principal: str | None = None
    notes: str | None = None
    placed_by: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Handoff:
    """At transition ``from_stage``→``to_stage``, ``from_role`` hands over to ``to_role``."""

    from_stage: str
    from_role: str
    to_stage: str
    to_role: str
    acknowledged: bool = False
    mode: str | None = None
    evidence: str | None = None
    notes: str | None = None
    id: str | None = None

    @property
    def transition(self) -> tuple[str, str]:
        """``(from_stage, to_stage)``."""
        return (self.from_stage, self.to_stage)


@dataclass(frozen=True)
class Owner:
    """``role`` is responsible for the handover at ``source``→``target``."""

    source: str
    target: str
    role: str


@dataclass(frozen=True)
class Journey:
    """A validated journey map. Build one with ``parse_journey``, never by hand.

    The cached properties are indexes the graph builders and analyses share.
    """

    title: str
    target_group: str
    stages: tuple[Stage, ...]
    transitions: tuple[Transition, ...]
    roles: tuple[Role, ...]
    placements: tuple[Placement, ...] = ()
    handoffs: tuple[Handoff, ...] = ()
    owners: tuple[Owner, ...] = ()
    description: str | None = None
    snapshot: str | None = None

    @cached_property
    def stage_order(self) -> dict[str, int]:
        """Stage id → position in the journey."""
        return {stage.id: index for index, stage in enumerate(self.stages)}

    @cached_property
    def stage_by_id(self) -> dict[str, Stage]:
        """Stage id → ``Stage``."""
        return {stage.id: stage for stage in self.stages}

    @cached_property
    def role_by_id(self) -> dict[str, Role]:
        """Role id → ``Role``."""
        return {role.id: role for role in self.roles}

    @cached_property
    def roles_at(self) -> dict[str, frozenset[str]]:
        """Stage id → the role ids placed there (every stage present, maybe empty)."""
        found: dict[str, set[str]] = {stage.id: set() for stage in self.stages}
        for placement in self.placements:
            found[placement.stage].add(placement.role)
        return {stage: frozenset(roles) for stage, roles in found.items()}

    @cached_property
    def principals_at(self) -> dict[tuple[str, str], frozenset[str]]:
        """``(stage, role)`` → the principals recorded on its placements."""
        found: dict[tuple[str, str], set[str]] = defaultdict(set)
        for placement in self.placements:
            principals = found[(placement.stage, placement.role)]
            if placement.principal:
                principals.add(placement.principal)
        return {key: frozenset(value) for key, value in found.items()}

    @cached_property
    def handoffs_at(self) -> dict[tuple[str, str], tuple[Handoff, ...]]:
        """Transition key → its handoffs, sorted by role ids."""
        found: dict[tuple[str, str], list[Handoff]] = {t.key: [] for t in self.transitions}
        for handoff in self.handoffs:
            found[handoff.transition].append(handoff)
        return {
            key: tuple(
                sorted(value, key=lambda h: (role_sort_key(h.from_role), role_sort_key(h.to_role)))
            )
            for key, value in found.items()
        }

    @cached_property
    def owners_at(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """Transition key → the owner role ids, sorted."""
        found: dict[tuple[str, str], list[str]] = {t.key: [] for t in self.transitions}
        for owner in self.owners:
            found[(owner.source, owner.target)].append(owner.role)
        return {key: tuple(sorted(value, key=role_sort_key)) for key, value in found.items()}

    @cached_property
    def ordered_transitions(self) -> tuple[Transition, ...]:
        """Transitions sorted by the order of their stages, never by input order."""
        order = self.stage_order
        return tuple(sorted(self.transitions, key=lambda t: (order[t.source], order[t.target])))

    @cached_property
    def role_ids(self) -> tuple[str, ...]:
        """Role ids in a stable order (catalogue numbering, then the rest)."""
        return tuple(sorted(self.role_by_id, key=role_sort_key))

    def stage_label(self, stage_id: str, lang: str = "sv") -> str:
        """The stage's label in ``lang``, falling back to Swedish."""
        stage = self.stage_by_id[stage_id]
        return (stage.label_en or stage.label) if lang == "en" else stage.label

    def role_label(self, role_id: str, lang: str = "sv") -> str:
        """The role's label in ``lang``, falling back to Swedish."""
        role = self.role_by_id[role_id]
        return (role.label_en or role.label) if lang == "en" else role.label


def role_sort_key(role_id: str) -> tuple[int, int, str]:
    """Sort role ids as the catalogue numbers them: 1 < 2 < 5 < 5B < 6 < 10 < F < custom.

    Examples
    --------
    >>> sorted(["10", "F", "5B", "2", "5", "kurator"], key=role_sort_key)
    ['2', '5', '5B', '10', 'F', 'kurator']
    """
    match = re.match(r"^(\d+)(.*)$", role_id)
    if match:
        return (0, int(match.group(1)), match.group(2))
    return (1, 0, role_id)


class _Checker:
    """Collects every problem in a document instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, message: str) -> None:
        self.problems.append(message)

    def entries(self, data: Mapping[str, Any], section: str) -> list[tuple[str, Any]]:
        value = data.get(section, [])
        if not isinstance(value, list):
            self.add(f"{section}: must be a list")
            return []
        return [(f"{section}[{index}]", entry) for index, entry in enumerate(value)]

    def keys(self, where: str, entry: Any, section: str) -> bool:
        if not isinstance(entry, dict):
            self.add(f"{where}: must be an object")
            return False
        required, optional = _KEYS[section]
        missing = [key for key in required if key not in entry]
        unknown = sorted(set(entry) - set(required) - set(optional))
        for key in missing:
            self.add(f"{where}: missing key {key!r}")
        if unknown:
            allowed = ", ".join((*required, *optional))
            self.add(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {allowed})")
        return not missing

    def ident(self, where: str, value: Any, what: str) -> bool:
        if isinstance(value, str) and _ID.match(value):
            return True
        hint = f' (write "{value}")' if isinstance(value, int) else ""
        self.add(
            f"{where}: {what} must be a string of letters, digits, '_', '.' or '-', "
            f"got {value!r}{hint}"
        )
        return False

    def text(self, where: str, entry: Mapping[str, Any], key: str, required: bool) -> None:
        value = entry.get(key)
        if value is None and not required:
            return
        if not isinstance(value, str) or not value.strip():
            self.add(f"{where}: {key!r} must be a non-empty string")

    def choice(self, where: str, value: Any, key: str, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        if value is not None and value not in allowed:
            self.add(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")

    def flag(self, where: str, entry: Mapping[str, Any], key: str) -> None:
        if key in entry and not isinstance(entry[key], bool):
            self.add(f"{where}: {key!r} must be true or false")


def _check_top(check: _Checker, data: Any) -> bool:
    if not isinstance(data, dict):
        check.add("the document must be a JSON object")
        return False
    for key in _TOP_REQUIRED:
        if key not in data:
            check.add(f"missing key {key!r}")
    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        check.add(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(_TOP_KEYS)})")
    if "format" in data and data["format"] != FORMAT:
        check.add(f"format must be {FORMAT!r}, got {data['format']!r}")
    check.text("document", data, "title", required="title" in data)
    check.choice("document", data.get("target_group"), "target_group", TARGET_GROUPS)
    for key in ("description", "snapshot"):
        check.text("document", data, key, required=False)
    return True


def _parse_stages(check: _Checker, data: Mapping[str, Any]) -> list[Stage]:
    stages: list[Stage] = []
    seen: set[str] = set()
    for where, entry in check.entries(data, "stages"):
        check.keys(where, entry, "stages")
        # a stage with a valid id counts as known even when other keys are wrong, so that one
        # mistake is reported once and not again by every placement on it
        if not isinstance(entry, dict) or "id" not in entry:
            continue
        if not check.ident(where, entry["id"], "id"):
            continue
        check.text(where, entry, "label", required="label" in entry)
        check.text(where, entry, "label_en", required=False)
        check.text(where, entry, "kind", required=False)
        if entry["id"] in seen:
            check.add(f"{where}: duplicate stage id {entry['id']!r}")
            continue
        seen.add(entry["id"])
        stages.append(
            Stage(entry["id"], str(entry.get("label")), entry.get("label_en"), entry.get("kind"))
        )
    return stages


def _parse_transitions(
    check: _Checker, data: Mapping[str, Any], stage_ids: set[str]
) -> list[Transition]:
    transitions: list[Transition] = []
    seen: set[tuple[str, str]] = set()
    known = ", ".join(sorted(stage_ids))
    for where, entry in check.entries(data, "transitions"):
        if not check.keys(where, entry, "transitions"):
            continue
        ok = True
        for end in ("from", "to"):
            if entry[end] not in stage_ids:
                check.add(f"{where}: unknown stage {entry[end]!r} in {end!r} (known: {known})")
                ok = False
        check.choice(where, entry.get("kind"), "kind", TRANSITION_KINDS)
        check.text(where, entry, "label", required=False)
        check.text(where, entry, "label_en", required=False)
        if not ok:
            continue
        if entry["from"] == entry["to"]:
            check.add(f"{where}: a transition must join two different stages")
            continue
        key = (entry["from"], entry["to"])
        if key in seen:
            check.add(f"{where}: duplicate transition {key[0]}>{key[1]}")
            continue
        seen.add(key)
        transitions.append(
            Transition(
                key[0],
                key[1],
                entry.get("kind") or "forward",
                entry.get("label"),
                entry.get("label_en"),
            )
        )
    return transitions


def _parse_roles(check: _Checker, data: Mapping[str, Any], target_group: str) -> list[Role]:
    catalogue = load_catalogue(target_group if target_group in TARGET_GROUPS else "children")
    roles: list[Role] = []
    seen: set[str] = set()
    for where, raw in check.entries(data, "roles"):
        bare = isinstance(raw, (str, int)) and not isinstance(raw, bool)
        entry = {"id": raw} if bare else raw
        if not check.keys(where, entry, "roles") or not check.ident(where, entry["id"], "id"):
            continue
        if entry["id"] in catalogue:
            known = catalogue.get(entry["id"])
            entry = {
                "label": known.name_sv,
                "label_en": known.name_en,
                "tier": known.tier,
                "professional": known.professional,
                "coordinating": known.coordinating,
                **entry,
            }
        else:
            for key in ("label", "tier"):
                if key not in entry:
                    check.add(
                        f"{where}: role {entry['id']!r} is not in the catalogue: give {key!r}"
                    )
        check.text(where, entry, "label", required="label" in entry)
        check.text(where, entry, "label_en", required=False)
        check.choice(where, entry.get("tier"), "tier", TIERS)
        check.flag(where, entry, "professional")
        check.flag(where, entry, "coordinating")
        if entry["id"] in seen:
            check.add(f"{where}: duplicate role id {entry['id']!r}")
            continue
        seen.add(entry["id"])
        roles.append(
            Role(
                id=entry["id"],
                label=str(entry.get("label", "")),
                tier=str(entry.get("tier", "primary")),
                professional=bool(entry.get("professional", True)),
                label_en=entry.get("label_en"),
                coordinating=bool(entry.get("coordinating", False)),
            )
        )
    return roles


def _known(check: _Checker, where: str, value: Any, known: set[str], what: str) -> bool:
    if value in known:
        return True
    listing = ", ".join(sorted(known, key=role_sort_key)) or "none"
    check.add(f"{where}: unknown {what} {value!r} (known: {listing})")
    return False


def _parse_placements(
    check: _Checker, data: Mapping[str, Any], stage_ids: set[str], role_ids: set[str]
) -> list[Placement]:
    placements: list[Placement] = []
    seen: set[tuple[str, str, str | None]] = set()
    for where, entry in check.entries(data, "placements"):
        if not check.keys(where, entry, "placements"):
            continue
        ok = _known(check, where, entry["role"], role_ids, "role")
        ok = _known(check, where, entry["stage"], stage_ids, "stage") and ok
        check.choice(where, entry.get("principal"), "principal", PRINCIPALS)
        for name in ("organisation", "notes", "placed_by", "id"):
            check.text(where, entry, name, required=False)
        key = (entry["role"], entry["stage"], entry.get("organisation"))
        if ok and key in seen:
            by = f" by {key[2]!r}" if key[2] else ""
            check.add(f"{where}: duplicate placement of role {key[0]!r} at {key[1]!r}{by}")
            continue
        seen.add(key)
        placements.append(
            Placement(
                entry["role"],
                entry["stage"],
                entry.get("organisation"),
                entry.get("principal"),
                entry.get("notes"),
                entry.get("placed_by"),
                entry.get("id"),
            )
        )
    return placements


def _parse_handoffs(
    check: _Checker,
    data: Mapping[str, Any],
    transitions: set[tuple[str, str]],
    placed: set[tuple[str, str]],
    stage_ids: set[str],
    role_ids: set[str],
) -> list[Handoff]:
    handoffs: list[Handoff] = []
    seen: set[tuple[str, str, str, str]] = set()
    for where, entry in check.entries(data, "handoffs"):
        if not check.keys(where, entry, "handoffs"):
            continue
        ok = True
        for side in ("from", "to"):
            stage, role = entry[f"{side}_stage"], entry[f"{side}_role"]
            good = _known(check, where, stage, stage_ids, f"{side}_stage")
            good = _known(check, where, role, role_ids, f"{side}_role") and good
            if good and (stage, role) not in placed:
                check.add(f"{where}: role {role!r} is not placed on stage {stage!r}")
            ok = ok and good and (stage, role) in placed
        key = (entry["from_stage"], entry["to_stage"])
        if ok and key not in transitions:
            check.add(f"{where}: there is no transition {key[0]}>{key[1]} to hand over across")
            ok = False
        check.flag(where, entry, "acknowledged")
        check.choice(where, entry.get("evidence"), "evidence", EVIDENCE)
        for name in ("mode", "notes", "id"):
            check.text(where, entry, name, required=False)
        ident = (entry["from_stage"], entry["from_role"], entry["to_stage"], entry["to_role"])
        if ok and ident in seen:
            check.add(f"{where}: duplicate handoff {ident[1]}@{ident[0]} → {ident[3]}@{ident[2]}")
            continue
        seen.add(ident)
        handoffs.append(
            Handoff(
                *ident,
                acknowledged=bool(entry.get("acknowledged", False)),
                mode=entry.get("mode"),
                evidence=entry.get("evidence"),
                notes=entry.get("notes"),
                id=entry.get("id"),
            )
        )
    return handoffs


def _parse_owners(
    check: _Checker, data: Mapping[str, Any], transitions: set[tuple[str, str]], role_ids: set[str]
) -> list[Owner]:
    owners: list[Owner] = []
    seen: set[tuple[str, str, str]] = set()
    for where, entry in check.entries(data, "owners"):
        if not check.keys(where, entry, "owners"):
            continue
        ok = _known(check, where, entry["role"], role_ids, "role")
        if (entry["from"], entry["to"]) not in transitions:
            check.add(f"{where}: unknown transition {entry['from']}>{entry['to']}")
            ok = False
        ident = (entry["from"], entry["to"], entry["role"])
        if ok and ident in seen:
            check.add(f"{where}: duplicate owner {ident[2]!r} of {ident[0]}>{ident[1]}")
            continue
        seen.add(ident)
        owners.append(Owner(*ident))
    return owners


def parse_journey(data: Any) -> Journey:
    """Validate a decoded ``brygga.journey/1`` document and build a ``Journey``.

    Parameters
    ----------
    data : dict
        The decoded JSON document.

    Returns
    -------
    Journey

    Raises
    ------
    JourneyFormatError
        Listing every problem (wrong format, missing or unknown keys, duplicate or unknown ids,
        a handoff whose ends are not placed on the stages it joins...), never just the first.

    Examples
    --------
    >>> doc = {"format": "brygga.journey/1", "title": "Exempel", "target_group": "children",
    ...        "stages": [{"id": "s1", "label": "Oro"}, {"id": "s2", "label": "Första kontakt"}],
    ...        "transitions": [{"from": "s1", "to": "s2"}],
    ...        "roles": ["3", {"id": "4"}],
    ...        "placements": [{"role": "3", "stage": "s1"}, {"role": "4", "stage": "s2"}],
    ...        "handoffs": [{"from_stage": "s1", "from_role": "3", "to_stage": "s2",
    ...                      "to_role": "4", "mode": "remiss"}]}
    >>> journey = parse_journey(doc)
    >>> journey.role_by_id["4"].label, journey.handoffs[0].acknowledged
    ('Den som bedömer och styr vidare (eller tillbaka)', False)
    >>> parse_journey({**doc, "format": "x", "roles": ["3"]})
    Traceback (most recent call last):
    ...
    journey_maps.format.JourneyFormatError: invalid journey: format must be 'brygga.journey/1', ...
    """
    check = _Checker()
    if not _check_top(check, data):
        raise JourneyFormatError(check.problems)
    stages = _parse_stages(check, data)
    stage_ids = {stage.id for stage in stages}
    transitions = _parse_transitions(check, data, stage_ids)
    roles = _parse_roles(check, data, str(data.get("target_group")))
    role_ids = {role.id for role in roles}
    placements = _parse_placements(check, data, stage_ids, role_ids)
    transition_keys = {t.key for t in transitions}
    placed = {(p.stage, p.role) for p in placements}
    handoffs = _parse_handoffs(check, data, transition_keys, placed, stage_ids, role_ids)
    owners = _parse_owners(check, data, transition_keys, role_ids)
    if check.problems:
        raise JourneyFormatError(check.problems)
    return Journey(
        title=data["title"],
        target_group=data["target_group"],
        stages=tuple(stages),
        transitions=tuple(transitions),
        roles=tuple(roles),
        placements=tuple(placements),
        handoffs=tuple(handoffs),
        owners=tuple(owners),
        description=data.get("description"),
        snapshot=data.get("snapshot"),
    )


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
    journey_maps.format.JourneyFormatError: invalid journey: cannot read /nonexistent.json: ...
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
