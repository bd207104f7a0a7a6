"""Validation of a ``brygga.workshop/1`` archive (pure): every problem found, never just the first.

``check_archive`` reads a decoded document and raises ``ArchiveError`` listing each problem with
its place (``statements[3].answers[0]: unknown organisation 'o9'``), or returns the parsed
journey map (or None) when the document is sound. The importer writes nothing until this has
passed, so a broken file leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from journey_maps.model import Journey
from journey_maps.validate import JourneyFormatError, parse_journey
from roles.catalogue import TIERS
from workshops.domain import (
    ANONYMITY_THRESHOLD_MAX,
    CHOICES,
    OUTCOMES,
    PERSPECTIVES,
    PRINCIPALS,
    TARGET_GROUPS,
    TOPICS,
    WORKSHOP_KINDS,
)

FORMAT = "brygga.workshop/1"
STATES = ("draft", "open", "closed")
PROPOSAL_STATES = ("proposed", "accepted", "rejected")
REVISION_REASONS = ("edited", "validation")
TRIAGE_STATUSES = ("confirmed", "dismissed", "fixed")
# placeholders are rows: a cap keeps a hand-made file from asking for millions of them
MAX_PARTICIPANTS = 5000
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")

# section: (required keys, optional keys); what a key's value must be is checked below
KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "document": (
        ("format", "workshop", "organisations", "statements"),
        ("exported_at", "proposals", "roles", "journey"),
    ),
    "workshop": (
        ("title", "kind", "target_group", "anonymity_threshold"),
        ("date", "everyone_may_answer", "survey_open", "journey_open", "current_statement"),
    ),
    "organisation": (("id", "name", "principal"), ("participants",)),
    "statement": (
        ("id", "topic", "perspective", "text"),
        (
            "organisation",
            "role",
            "hidden",
            "state",
            "revealed",
            "opened_at",
            "closed_at",
            "previous",
            "outcome",
            "note",
            "answers",
            "survey",
            "comments",
        ),
    ),
    "answers": (("organisation",), ("yes", "no", "discuss")),
    "comment": (("choice", "text"), ()),
    "proposal": (
        ("organisation", "proposer", "topic", "text"),
        ("state", "statement", "created_at", "decided_at"),
    ),
    "role": (
        ("code", "name_sv", "tier"),
        (
            "catalogue_code",
            "catalogue_version",
            "name_en",
            "does_sv",
            "does_en",
            "examples_sv",
            "examples_en",
            "professional",
            "coordinating",
            "included",
            "revisions",
        ),
    ),
    "revision": (
        ("name_sv", "name_en", "reason"),
        ("does_sv", "does_en", "statement", "created_at"),
    ),
    "journey": (("map",), ("reactions", "triage")),
    "reaction": (("placement", "organisation"), ("agree", "dispute")),
    "triage": (("fingerprint", "status"), ("reason",)),
}


class ArchiveError(ValueError):
    """A workshop archive cannot be imported; ``messages`` lists every problem found.

    >>> str(ArchiveError(["a", "b"]))
    'invalid workshop archive: a; b'
    """

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("invalid workshop archive: " + "; ".join(self.messages))


def parse_moment(value: str) -> dt.datetime:
    """A stored moment (naive UTC) from its archive form.

    >>> parse_moment("2026-05-04T10:15:00Z")
    datetime.datetime(2026, 5, 4, 10, 15)
    """
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def moment_text(moment: dt.datetime | None) -> str | None:
    """A stored (naive UTC) moment as the archive writes it.

    >>> moment_text(dt.datetime(2026, 5, 4, 10, 15))
    '2026-05-04T10:15:00Z'
    """
    return moment.isoformat() + "Z" if moment is not None else None


def lines(text: str) -> list[str]:
    r"""Stored examples (one per line) as a list, exactly as stored.

    >>> lines("kurator\nskolsköterska"), lines("")
    (['kurator', 'skolsköterska'], [])
    """
    return text.split("\n") if text else []


def fingerprint_stages(fingerprint: str) -> list[str]:
    """The stage ids a finding's fingerprint names: ``s1>s2:…`` (a transition), ``stage:s1:…``
    or ``loop:s1>s2>s3:…``; ``role:…``, ``roles:…`` and ``journey:…`` name none.

    >>> fingerprint_stages("s1>s2:no_owner"), fingerprint_stages("role:4:unplaced_role")
    (['s1', 's2'], [])
    >>> fingerprint_stages("loop:s3>s2:loop_without_holder")
    ['s3', 's2']
    """
    parts = fingerprint.split(":")
    if parts[0] in ("role", "roles", "journey"):
        return []
    index = 1 if parts[0] in ("stage", "loop") else 0
    return parts[index].split(">") if index < len(parts) else []


def rename_fingerprint(fingerprint: str, stages: Mapping[str, str]) -> str | None:
    """A fingerprint with its stage ids renamed; None when it names a stage that ``stages``
    does not know (a verdict on a stage that was removed).

    >>> names = {"s12": "s1", "s13": "s2"}
    >>> rename_fingerprint("s12>s13:single_point:4", names)
    's1>s2:single_point:4'
    >>> rename_fingerprint("stage:s13:empty_stage", names), rename_fingerprint("role:4:x", names)
    ('stage:s2:empty_stage', 'role:4:x')
    >>> rename_fingerprint("s12>s99:unbridged", names) is None
    True
    """
    ids = fingerprint_stages(fingerprint)
    if not ids:
        return fingerprint
    if any(s not in stages for s in ids):
        return None
    parts = fingerprint.split(":")
    index = 1 if parts[0] in ("stage", "loop") else 0
    parts[index] = ">".join(stages[s] for s in ids)
    return ":".join(parts)


# --- The checker -------------------------------------------------------------------------------


class _Check:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def entry(self, where: str, value: Any, section: str) -> bool:
        """An object with its required keys and no unknown ones."""
        if not isinstance(value, dict):
            self.add(where, "must be an object")
            return False
        required, optional = KEYS[section]
        for key in required:
            if key not in value:
                self.add(where, f"missing key {key!r}")
        unknown = sorted(set(value) - set(required) - set(optional))
        if unknown:
            allowed = ", ".join((*required, *optional))
            self.add(where, f"unknown key(s) {', '.join(unknown)} (allowed: {allowed})")
        return all(key in value for key in required)

    def items(self, where: str, value: Any) -> list[tuple[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(where, "must be a list")
            return []
        return [(f"{where}[{i}]", item) for i, item in enumerate(value)]

    def text(
        self, where: str, value: Any, *, limit: int, empty: bool = False, null: bool = False
    ) -> None:
        if value is None and null:
            return
        if not isinstance(value, str) or (not empty and not value.strip()):
            self.add(where, "must be a non-empty string" if not empty else "must be a string")
        elif len(value) > limit:
            self.add(where, f"is longer than {limit} characters")

    def flag(self, where: str, value: Any) -> None:
        if value is not None and not isinstance(value, bool):
            self.add(where, "must be true or false")

    def number(self, where: str, value: Any, *, low: int = 0, high: int | None = None) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, f"must be a whole number, got {value!r}")
            return False
        if value < low or (high is not None and value > high):
            self.add(
                where, f"must be from {low}" + (f" to {high}" if high else "") + f", got {value}"
            )
            return False
        return True

    def choice(self, where: str, value: Any, allowed: Sequence[str], *, null: bool = False) -> None:
        if value is None and null:
            return
        if value not in allowed:
            self.add(where, f"{value!r} is not one of {', '.join(allowed)}")

    def ident(self, where: str, value: Any, seen: set[str]) -> bool:
        if not isinstance(value, str) or not _ID.match(value):
            self.add(where, f"must be a string of letters, digits, '_', '.' or '-', got {value!r}")
            return False
        if value in seen:
            self.add(where, f"duplicate id {value!r}")
            return False
        seen.add(value)
        return True

    def ref(self, where: str, value: Any, known: Mapping[str, Any], what: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, str) or value not in known:
            self.add(where, f"unknown {what} {value!r}")
            return False
        return True

    def moment(self, where: str, value: Any) -> None:
        if value is None:
            return
        try:
            parse_moment(value)
        except (TypeError, ValueError):
            self.add(where, f"must be a time such as '2026-05-04T10:15:00Z', got {value!r}")

    def day(self, where: str, value: Any) -> None:
        if value is None:
            return
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.add(where, f"must be a date such as '2026-05-04', got {value!r}")


# --- The sections ------------------------------------------------------------------------------


def check_archive(document: Any) -> Journey | None:
    """Validate a decoded ``brygga.workshop/1`` document; return its journey map (or None).

    Raises ``ArchiveError`` listing every problem: wrong format or version, missing or unknown
    keys, values of the wrong kind, and broken references (a statement about an unknown
    organisation, answers from more people than took part, a rewording chain that loops...).

    >>> check_archive({"format": "brygga.workshop/2"})
    Traceback (most recent call last):
    ...
    reports.archive_check.ArchiveError: invalid workshop archive: format must be \
'brygga.workshop/1', got 'brygga.workshop/2' (a file from another version of Brygga)
    """
    check = _Check()
    if not isinstance(document, dict):
        raise ArchiveError(["the file must hold one JSON object"])
    fmt = document.get("format")
    if fmt != FORMAT:
        hint = ""
        if isinstance(fmt, str) and fmt.startswith("brygga.journey/"):
            hint = " (a journey map: import it on a WS2 workshop's map files page)"
        elif isinstance(fmt, str) and fmt.startswith("brygga."):
            hint = " (a file from another version of Brygga)"
        raise ArchiveError([f"format must be {FORMAT!r}, got {fmt!r}{hint}"])
    check.entry("", document, "document")
    check.moment("exported_at", document.get("exported_at"))
    lists: dict[str, list[Any]] = {}
    for key in ("organisations", "statements", "proposals", "roles"):
        value = document.get(key)
        if value is not None and not isinstance(value, list):
            check.add(key, "must be a list")
            value = None
        lists[key] = value or []
    orgs = _organisations(check, lists["organisations"])
    roles = _roles_keys(check, lists["roles"])
    statements = _statement_ids(check, lists["statements"])
    _workshop(check, document.get("workshop"), statements)
    _statements(check, lists["statements"], orgs, roles, statements)
    _proposals(check, lists["proposals"], orgs, statements)
    _revisions(check, lists["roles"], statements)
    journey = _journey(check, document, lists["organisations"], orgs, roles)
    if check.problems:
        raise ArchiveError(check.problems)
    return journey


def _workshop(check: _Check, data: Any, statements: Mapping[str, Any]) -> None:
    check.entry("workshop", data, "workshop")
    if not isinstance(data, dict):
        return
    if "title" in data:
        check.text("workshop.title", data["title"], limit=200)
    if "kind" in data:
        check.choice("workshop.kind", data["kind"], WORKSHOP_KINDS)
    if "target_group" in data:
        check.choice("workshop.target_group", data["target_group"], TARGET_GROUPS)
    if "anonymity_threshold" in data:
        check.number(
            "workshop.anonymity_threshold",
            data["anonymity_threshold"],
            low=1,
            high=ANONYMITY_THRESHOLD_MAX,
        )
    check.day("workshop.date", data.get("date"))
    for key in ("everyone_may_answer", "survey_open", "journey_open"):
        check.flag(f"workshop.{key}", data.get(key))
    check.ref("workshop.current_statement", data.get("current_statement"), statements, "statement")


def _organisations(check: _Check, data: Any) -> dict[str, int]:
    """Organisation id → how many took part for it. An organisation with a valid id counts as
    known even when another of its keys is wrong, so that one mistake is reported once."""
    known: dict[str, int] = {}
    ids: set[str] = set()
    names: set[str] = set()
    for where, entry in check.items("organisations", data):
        complete = check.entry(where, entry, "organisation")
        if not isinstance(entry, dict) or not check.ident(f"{where}.id", entry.get("id"), ids):
            continue
        people = entry.get("participants", 0)
        valid = check.number(f"{where}.participants", people, high=MAX_PARTICIPANTS)
        known[entry["id"]] = people if valid else 0
        if not complete:
            continue
        check.text(f"{where}.name", entry["name"], limit=120)
        name = str(entry["name"]).casefold()
        if name in names:
            check.add(f"{where}.name", f"duplicate organisation {entry['name']!r}")
        names.add(name)
        check.choice(f"{where}.principal", entry["principal"], PRINCIPALS)
    if sum(known.values()) > MAX_PARTICIPANTS:
        check.add("organisations", f"more than {MAX_PARTICIPANTS} participants in all")
    return known


def _roles_keys(check: _Check, data: Any) -> dict[str, Any]:
    """Role code → its entry; the roles' own keys are checked here, revisions later."""
    known: dict[str, Any] = {}
    codes: set[str] = set()
    for where, entry in check.items("roles", data):
        if not check.entry(where, entry, "role"):
            continue
        if check.ident(f"{where}.code", entry["code"], codes):
            if len(entry["code"]) > 12:
                check.add(f"{where}.code", "is longer than 12 characters")
            known[entry["code"]] = entry
        check.text(f"{where}.catalogue_code", entry.get("catalogue_code"), limit=12, null=True)
        if entry.get("catalogue_version") is not None:
            check.number(f"{where}.catalogue_version", entry["catalogue_version"], low=1)
        check.text(f"{where}.name_sv", entry["name_sv"], limit=200)
        check.text(f"{where}.name_en", entry.get("name_en"), limit=200, null=True)
        for key in ("does_sv", "does_en"):
            check.text(f"{where}.{key}", entry.get(key, ""), limit=10_000, empty=True)
        for key in ("examples_sv", "examples_en"):
            for at, line in check.items(f"{where}.{key}", entry.get(key)):
                check.text(at, line, limit=2000, empty=True)
        check.choice(f"{where}.tier", entry["tier"], TIERS)
        for key in ("professional", "coordinating", "included"):
            check.flag(f"{where}.{key}", entry.get(key))
    return known


def _statement_ids(check: _Check, data: Any) -> dict[str, Any]:
    known: dict[str, Any] = {}
    ids: set[str] = set()
    for where, entry in check.items("statements", data):
        if isinstance(entry, dict) and check.ident(f"{where}.id", entry.get("id"), ids):
            known[entry["id"]] = entry
    return known


def _statements(
    check: _Check,
    data: Any,
    orgs: Mapping[str, int],
    roles: Mapping[str, Any],
    known: Mapping[str, Any],
) -> None:
    successors: dict[str, str] = {}
    previous: dict[str, str] = {}
    validated: dict[str, str] = {}
    for where, entry in check.items("statements", data):
        if not check.entry(where, entry, "statement"):
            continue
        topic, org, role = entry["topic"], entry.get("organisation"), entry.get("role")
        check.choice(f"{where}.topic", topic, (*TOPICS, "role"))
        check.choice(f"{where}.perspective", entry["perspective"], PERSPECTIVES)
        check.text(f"{where}.text", entry["text"], limit=2000)
        check.ref(f"{where}.organisation", org, orgs, "organisation")
        if check.ref(f"{where}.role", role, roles, "role"):
            if role in validated:
                check.add(f"{where}.role", f"role {role!r} is validated by {validated[role]!r} too")
            validated[role] = entry["id"]
        if topic == "role" and (role is None or org is not None):
            check.add(where, "a role statement names a 'role' and no 'organisation'")
        if topic != "role" and (org is None or role is not None):
            check.add(where, "a statement about an organisation names an 'organisation', no 'role'")
        for key in ("hidden", "revealed"):
            check.flag(f"{where}.{key}", entry.get(key))
        check.choice(f"{where}.state", entry.get("state", "draft"), STATES)
        for key in ("opened_at", "closed_at"):
            check.moment(f"{where}.{key}", entry.get(key))
        check.choice(f"{where}.outcome", entry.get("outcome"), OUTCOMES, null=True)
        check.text(f"{where}.note", entry.get("note"), limit=2000, null=True)
        before = entry.get("previous")
        if before is not None:
            if before == entry["id"]:
                check.add(f"{where}.previous", "a statement cannot reword itself")
            elif check.ref(f"{where}.previous", before, known, "statement"):
                if before in successors:
                    check.add(
                        f"{where}.previous",
                        f"{before!r} is reworded as {successors[before]!r} already",
                    )
                successors[before] = entry["id"]
                previous[entry["id"]] = before
        votes = _answers(check, f"{where}.answers", entry.get("answers"), orgs)
        _answers(check, f"{where}.survey", entry.get("survey"), orgs)
        _comments(check, f"{where}.comments", entry.get("comments"), votes)
    looped: set[str] = set()
    for start in previous:
        seen = {start}
        at = previous.get(start)
        while at is not None and at not in looped:
            if at in seen:
                check.add(
                    "statements", f"the rewording chain through {start!r} goes round in a loop"
                )
                looped |= seen
                break
            seen.add(at)
            at = previous.get(at)


def _answers(check: _Check, where: str, data: Any, orgs: Mapping[str, int]) -> Counter[str]:
    """Check answers per organisation; returns the statement's tally."""
    tally: Counter[str] = Counter()
    seen: set[str] = set()
    for at, entry in check.items(where, data):
        if not check.entry(at, entry, "answers"):
            continue
        counts = {c: entry.get(c, 0) for c in CHOICES}
        if not all(check.number(f"{at}.{c}", n) for c, n in counts.items()):
            continue
        org = entry["organisation"]
        if not check.ref(f"{at}.organisation", org, orgs, "organisation"):
            continue
        if org in seen:
            check.add(f"{at}.organisation", f"{org!r} answers twice")
        seen.add(org)
        total = sum(counts.values())
        if total > orgs[org]:
            check.add(at, f"{total} answers from {org!r}, but only {orgs[org]} took part for it")
        tally.update(counts)
    return tally


def _comments(check: _Check, where: str, data: Any, votes: Counter[str]) -> None:
    used: Counter[str] = Counter()
    for at, entry in check.items(where, data):
        if not check.entry(at, entry, "comment"):
            continue
        check.text(f"{at}.text", entry["text"], limit=2000)
        choice = entry["choice"]
        if choice not in CHOICES:
            check.add(f"{at}.choice", f"{choice!r} is not one of {', '.join(CHOICES)}")
            continue
        used[choice] += 1
        if used[choice] > votes[choice]:
            check.add(at, f"more comments with {choice!r} than answers {choice!r}")


def _proposals(
    check: _Check, data: Any, orgs: Mapping[str, int], statements: Mapping[str, Any]
) -> None:
    for where, entry in check.items("proposals", data):
        if not check.entry(where, entry, "proposal"):
            continue
        check.ref(f"{where}.organisation", entry["organisation"], orgs, "organisation")
        check.ref(f"{where}.proposer", entry["proposer"], orgs, "organisation")
        check.choice(f"{where}.topic", entry["topic"], TOPICS)
        check.text(f"{where}.text", entry["text"], limit=2000)
        check.choice(f"{where}.state", entry.get("state", "proposed"), PROPOSAL_STATES)
        check.ref(f"{where}.statement", entry.get("statement"), statements, "statement")
        for key in ("created_at", "decided_at"):
            check.moment(f"{where}.{key}", entry.get(key))


def _revisions(check: _Check, data: Any, statements: Mapping[str, Any]) -> None:
    for where, role in check.items("roles", data):
        if not isinstance(role, dict):
            continue
        for at, entry in check.items(f"{where}.revisions", role.get("revisions")):
            if not check.entry(at, entry, "revision"):
                continue
            for key in ("name_sv", "name_en"):
                check.text(f"{at}.{key}", entry[key], limit=200)
            for key in ("does_sv", "does_en"):
                check.text(f"{at}.{key}", entry.get(key, ""), limit=10_000, empty=True)
            check.choice(f"{at}.reason", entry["reason"], REVISION_REASONS)
            check.ref(f"{at}.statement", entry.get("statement"), statements, "statement")
            check.moment(f"{at}.created_at", entry.get("created_at"))


def _journey(
    check: _Check,
    document: Mapping[str, Any],
    organisations: list[Any],
    orgs: Mapping[str, int],
    roles: Mapping[str, Any],
) -> Journey | None:
    data = document.get("journey")
    if data is None or not check.entry("journey", data, "journey"):
        return None
    try:
        journey = parse_journey(data["map"])
    except JourneyFormatError as exc:
        for message in exc.messages:
            check.add("journey.map", message)
        return None
    names = {
        str(o.get("name")): o for o in organisations if isinstance(o, dict) and o.get("id") in orgs
    }
    workshop = document.get("workshop")
    if isinstance(workshop, dict) and journey.target_group != workshop.get("target_group"):
        check.add("journey.map", "its target_group differs from the workshop's")
    for i, role in enumerate(journey.roles):
        if role.id not in roles:
            check.add(f"journey.map.roles[{i}]", f"role {role.id!r} is not among 'roles'")
    # names and kinds too long for the tables were listed by parse_journey already
    placements: dict[str, int] = {}
    for i, p in enumerate(journey.placements):
        where = f"journey.map.placements[{i}]"
        if p.organisation is not None:
            org = names.get(p.organisation)
            if org is None:
                check.add(where, f"organisation {p.organisation!r} is not among 'organisations'")
            elif p.principal not in (None, org.get("principal")):
                check.add(where, f"principal {p.principal!r} differs from the organisation's")
        if p.placed_by is not None and p.placed_by not in names:
            check.add(where, f"placed_by {p.placed_by!r} is not among 'organisations'")
        if p.id is not None:
            placements[p.id] = i
    # a handoff's mode longer than MODE_LIMIT is among parse_journey's problems above
    _reactions(check, data.get("reactions"), placements, orgs)
    _triage(check, data.get("triage"), {s.id for s in journey.stages})
    return journey


def _reactions(
    check: _Check, data: Any, placements: Mapping[str, int], orgs: Mapping[str, int]
) -> None:
    seen: set[tuple[str, str]] = set()
    for where, entry in check.items("journey.reactions", data):
        if not check.entry(where, entry, "reaction"):
            continue
        counts = [entry.get("agree", 0), entry.get("dispute", 0)]
        ok = all(
            check.number(f"{where}.{k}", n)
            for k, n in zip(("agree", "dispute"), counts, strict=True)
        )
        placed = check.ref(f"{where}.placement", entry["placement"], placements, "placement")
        org = entry["organisation"]
        if not check.ref(f"{where}.organisation", org, orgs, "organisation") or not placed:
            continue
        if (entry["placement"], org) in seen:
            check.add(where, f"{org!r} reacts to {entry['placement']!r} twice")
        seen.add((entry["placement"], org))
        if ok and sum(counts) > orgs[org]:
            check.add(
                where, f"{sum(counts)} reactions from {org!r}, but only {orgs[org]} took part"
            )


def _triage(check: _Check, data: Any, stages: set[str]) -> None:
    seen: set[str] = set()
    for where, entry in check.items("journey.triage", data):
        if not check.entry(where, entry, "triage"):
            continue
        fingerprint = entry["fingerprint"]
        check.text(f"{where}.fingerprint", fingerprint, limit=200)
        if not isinstance(fingerprint, str):
            continue
        if fingerprint in seen:
            check.add(f"{where}.fingerprint", f"duplicate verdict on {fingerprint!r}")
        seen.add(fingerprint)
        unknown = [s for s in fingerprint_stages(fingerprint) if s not in stages]
        if unknown:
            check.add(f"{where}.fingerprint", f"names unknown stage(s) {', '.join(unknown)}")
        check.choice(f"{where}.status", entry["status"], TRIAGE_STATUSES)
        check.text(f"{where}.reason", entry.get("reason"), limit=1000, null=True)
        if entry["status"] == "dismissed" and not entry.get("reason"):
            check.add(where, "a dismissed finding needs a 'reason'")
