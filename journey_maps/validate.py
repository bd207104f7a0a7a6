"""Validation of a ``brygga.journey/1`` document: every problem reported, never just the first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from journey_maps.model import (
    EVIDENCE,
    FORMAT,
    KIND_LIMIT,
    LABEL_LIMIT,
    MODE_LIMIT,
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
from roles.catalogue import TARGET_GROUPS, TIERS, load_catalogue

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

    def longest(self, where: str, entry: Mapping[str, Any], key: str, limit: int) -> None:
        value = entry.get(key)
        if isinstance(value, str) and len(value) > limit:
            self.add(f"{where}: {key!r} is {len(value)} characters long, at most {limit} allowed")

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
        for key, limit in (("label", LABEL_LIMIT), ("label_en", LABEL_LIMIT), ("kind", KIND_LIMIT)):
            check.longest(where, entry, key, limit)
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
        check.longest(where, entry, "label", LABEL_LIMIT)
        check.longest(where, entry, "label_en", LABEL_LIMIT)
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
        check.longest(where, entry, "mode", MODE_LIMIT)
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
    journey_maps.validate.JourneyFormatError: invalid journey: format must be 'brygga.journey/1'...
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
