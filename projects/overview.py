"""Pure: a project's figures per target group side by side, and its recurring expectation gaps."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journey_maps.report import SEVERITIES, Figures
from workshops.domain import TARGET_GROUPS, normalise_text, slug


@dataclass(frozen=True)
class GapSeen:
    """One expectation gap in one workshop: others' perception of an organisation that the
    organisation answered No to. Only disclosed statements (answered by at least the workshop's
    anonymity threshold) ever become one."""

    workshop_id: int
    workshop: str
    target_group: str
    organisation: str
    topic: str
    text: str
    no: int
    total: int


@dataclass(frozen=True)
class RecurringGap:
    """An expectation gap met more than once in a project, with every place it was met."""

    text: str
    seen: tuple[GapSeen, ...]

    @property
    def organisations(self) -> tuple[str, ...]:
        """The organisations it was attributed to, each once, alphabetically."""
        names: dict[str, str] = {}
        for gap in self.seen:
            names.setdefault(normalise_text(gap.organisation), gap.organisation)
        return tuple(sorted(names.values(), key=str.casefold))

    @property
    def workshops(self) -> int:
        return len({gap.workshop_id for gap in self.seen})

    @property
    def target_groups(self) -> tuple[str, ...]:
        groups = {gap.target_group for gap in self.seen}
        return tuple(g for g in TARGET_GROUPS if g in groups)

    @property
    def same_organisation(self) -> bool:
        """Whether one organisation answered No to it in two or more workshops."""
        workshops: dict[str, set[int]] = defaultdict(set)
        for gap in self.seen:
            workshops[normalise_text(gap.organisation)].add(gap.workshop_id)
        return any(len(ids) >= 2 for ids in workshops.values())


def recurring_gaps(gaps: Iterable[GapSeen]) -> list[RecurringGap]:
    """Expectation gaps that recur across a project: the same wording (compared with
    ``normalise_text``) answered No to by the same organisation in two or more workshops, or
    by two or more organisations. Most workshops first, then most organisations, then by text.

    Examples
    --------
    >>> def gap(wid, org, text, group="children"):
    ...     return GapSeen(wid, f"WS1 {wid}", group, org, "mandate", text, 3, 4)
    >>> found = recurring_gaps([
    ...     gap(1, "Habilitering", "Stödsamtal"),
    ...     gap(2, "habilitering", "stödsamtal.", "adults"),
    ...     gap(2, "BUP", "Utredning", "adults"),
    ...     gap(1, "IFO", "Utredning"),
    ...     gap(1, "IFO", "Hembesök"),
    ... ])
    >>> [(r.text, r.organisations, r.workshops, r.same_organisation) for r in found]
    [('Utredning', ('BUP', 'IFO'), 2, False), ('Stödsamtal', ('Habilitering',), 2, True)]
    >>> found[1].target_groups
    ('children', 'adults')

    A gap met once, or twice for the same organisation in one workshop, does not recur:

    >>> recurring_gaps([gap(1, "IFO", "Hembesök"), gap(1, "IFO", "hembesök")])
    []
    """
    groups: dict[str, list[GapSeen]] = defaultdict(list)
    for gap in gaps:
        groups[normalise_text(gap.text)].append(gap)
    found = []
    for seen in groups.values():
        places = {(g.workshop_id, normalise_text(g.organisation)) for g in seen}
        if len(places) >= 2:
            found.append(RecurringGap(seen[0].text, tuple(seen)))
    return sorted(
        found, key=lambda r: (-r.workshops, -len(r.organisations), normalise_text(r.text))
    )


# --- Figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JourneyFigures:
    """A WS2 map's figures from the gap analysis (``journey_maps.report.Figures``), in counts so
    that several maps can be added up."""

    forward_transitions: int
    bridged: int
    robust: int
    owned: int
    findings_by_severity: tuple[tuple[str, int], ...]

    @property
    def gaps(self) -> int:
        """Forward transitions that no role bridges (grade "gap", k = 0)."""
        return self.forward_transitions - self.bridged

    @property
    def findings(self) -> int:
        return sum(n for _, n in self.findings_by_severity)

    def severity(self, level: str) -> int:
        """How many findings have one severity.

        >>> JourneyFigures(6, 5, 2, 1, (("critical", 1), ("high", 3))).severity("high")
        3
        """
        return dict(self.findings_by_severity).get(level, 0)

    @classmethod
    def of(cls, figures: Figures) -> JourneyFigures:
        """The counts of a map's gap analysis (``journey_maps.report.Figures``)."""
        return cls(
            forward_transitions=figures.forward_transitions,
            bridged=figures.bridged,
            robust=figures.robust,
            owned=figures.owned,
            findings_by_severity=figures.findings_by_severity,
        )


# The levels the gap analysis gives a finding (journey_maps/analysis.py): "low" is on the scale
# (journey_maps.report.SEVERITIES) but no finding has it.
FINDING_SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "info")


def severity_levels(figures: Iterable[JourneyFigures | None]) -> tuple[str, ...]:
    """The overview's severity columns: the levels the analysis gives and any other level a
    map has findings at, most severe first, so that they add up to the number of findings.

    >>> a = JourneyFigures(6, 5, 2, 1, (("critical", 1), ("high", 3), ("low", 0), ("info", 4)))
    >>> severity_levels([a, None])
    ('critical', 'high', 'medium', 'info')
    >>> severity_levels([JourneyFigures(1, 1, 0, 0, (("low", 2),))])
    ('critical', 'high', 'medium', 'low', 'info')
    """
    found = {level for f in figures if f for level, n in f.findings_by_severity if n}
    return tuple(s for s in SEVERITIES if s in FINDING_SEVERITIES or s in found)


@dataclass(frozen=True)
class WorkshopFigures:
    """What the overview knows of one workshop: disclosed figures only.

    ``own_answers`` holds, per subject organisation, the Yes answers and all answers to its own
    description (for the agreement); ``journey`` is None for a WS1 workshop.
    """

    id: int
    title: str
    kind: str
    target_group: str
    date: dt.date | None
    participants: int
    organisations: tuple[str, ...]
    threshold: int
    answered: int
    gaps: int
    withheld: int
    own_answers: tuple[tuple[str, int, int], ...] = ()
    journey: JourneyFigures | None = None


def report_figures(
    document: Mapping[str, Any], workshop_id: int, *, journey: JourneyFigures | None = None
) -> tuple[WorkshopFigures, list[GapSeen]]:
    """One workshop's figures and expectation gaps as its report document
    (``reports.document``, ``brygga.report/1``) has them: a published version's are those of
    the day it was published, so an overview made from the reports agrees with them. The
    document withholds what too few answered, so only disclosed figures come out, as from
    ``projects.services``; a reworded statement counts in its new wording only. ``journey``
    is the map's figures, from the document's journey part (``reports.journey_part``).

    >>> tally = lambda yes, no: {"yes": yes, "no": no, "discuss": 0, "total": yes + no}
    >>> item = lambda key, text, t, **more: {"key": key, "text": text, "topic": "mandate",
    ...     "tally": t, "withheld": t is None, "reworded": False, **more}
    >>> document = {
    ...     "workshop": {"title": "WS1 Barn", "date": "2026-05-04", "kind": "ws1",
    ...                  "target_group": "children", "anonymity_threshold": 3},
    ...     "attendance": {"participants": 7, "organisations": [{"name": "BUP"}, {"name": "IFO"}]},
    ...     "ws1": {"organisations": [{"name": "BUP",
    ...         "own": [item("statement:1", "Utreder", tally(3, 1)),
    ...                 item("statement:2", "Gammal", tally(0, 4), reworded=True),
    ...                 item("statement:3", "Få svar", None)],
    ...         "others": [item("statement:4", "Hembesök", tally(1, 3))]}],
    ...         "gaps": [{"key": "statement:4", "organisation": "BUP", "text": "Hembesök"}],
    ...         "withheld": 1, "answered": 4}}
    >>> figures, gaps = report_figures(document, 12)
    >>> figures.title, figures.date, figures.participants, figures.organisations
    ('WS1 Barn', datetime.date(2026, 5, 4), 7, ('BUP', 'IFO'))
    >>> figures.answered, figures.gaps, figures.withheld, figures.own_answers
    (3, 1, 1, (('BUP', 3, 4),))
    >>> [(g.workshop_id, g.organisation, g.text, g.no, g.total) for g in gaps]
    [(12, 'BUP', 'Hembesök', 3, 4)]
    """
    workshop = document["workshop"]
    attendance = document.get("attendance") or {}
    ws1 = document.get("ws1") or {}
    items = {
        item["key"]: item
        for org in ws1.get("organisations", [])
        for item in (*org.get("own", []), *org.get("others", []))
    }
    gaps = []
    for gap in ws1.get("gaps", []):
        item = items.get(gap["key"]) or {}
        tally = item.get("tally") or {}
        gaps.append(
            GapSeen(
                workshop_id,
                workshop["title"],
                workshop["target_group"],
                gap["organisation"],
                item.get("topic", ""),
                gap["text"],
                tally.get("no", 0),
                tally.get("total", 0),
            )
        )
    own = []
    for org in ws1.get("organisations", []):
        counted = [
            i["tally"] for i in org.get("own", []) if i.get("tally") and not i.get("reworded")
        ]
        if counted:
            own.append(
                (org["name"], sum(t["yes"] for t in counted), sum(t["total"] for t in counted))
            )
    withheld = int(ws1.get("withheld", 0))
    figures = WorkshopFigures(
        id=workshop_id,
        title=workshop["title"],
        kind=workshop["kind"],
        target_group=workshop["target_group"],
        date=dt.date.fromisoformat(workshop["date"]) if workshop.get("date") else None,
        participants=int(attendance.get("participants", 0)),
        organisations=tuple(o["name"] for o in attendance.get("organisations", [])),
        threshold=int(workshop["anonymity_threshold"]),
        answered=int(ws1.get("answered", 0)) - withheld,
        gaps=len(gaps),
        withheld=withheld,
        own_answers=tuple(own),
        journey=journey,
    )
    return figures, gaps


@dataclass(frozen=True)
class GroupFigures:
    """One target group's column: its workshops added up."""

    target_group: str
    ws1: int
    ws2: int
    participants: int
    organisations: int
    answered: int
    gaps: int
    withheld: int
    journey: JourneyFigures | None

    @property
    def workshops(self) -> int:
        return self.ws1 + self.ws2


def add_journeys(figures: Iterable[JourneyFigures]) -> JourneyFigures | None:
    """Several maps' figures added up; None without any.

    >>> a = JourneyFigures(6, 5, 2, 1, (("critical", 1), ("high", 3)))
    >>> b = JourneyFigures(4, 4, 1, 0, (("critical", 0), ("high", 2)))
    >>> total = add_journeys([a, b])
    >>> total.bridged, total.gaps, dict(total.findings_by_severity)["high"]
    (9, 1, 5)
    >>> add_journeys([]) is None
    True
    """
    items = list(figures)
    if not items:
        return None
    severity = {s: 0 for s in SEVERITIES}
    for item in items:
        for name, n in item.findings_by_severity:
            severity[name] = severity.get(name, 0) + n
    return JourneyFigures(
        forward_transitions=sum(i.forward_transitions for i in items),
        bridged=sum(i.bridged for i in items),
        robust=sum(i.robust for i in items),
        owned=sum(i.owned for i in items),
        findings_by_severity=tuple(severity.items()),
    )


def group_figures(workshops: Sequence[WorkshopFigures], target_group: str) -> GroupFigures:
    """The column of one target group: counts added up over its workshops, organisations
    counted once however many workshops they took part in.

    >>> ws = [WorkshopFigures(1, "WS1", "ws1", "adults", None, 12, ("NSPH", "VC"), 3, 20, 4, 1),
    ...       WorkshopFigures(2, "WS1b", "ws1", "adults", None, 5, ("nsph", "IFO"), 3, 8, 1, 0),
    ...       WorkshopFigures(3, "WS1", "ws1", "children", None, 9, ("BUP",), 3, 7, 2, 2)]
    >>> g = group_figures(ws, "adults")
    >>> g.workshops, g.participants, g.organisations, g.answered, g.gaps, g.withheld, g.journey
    (2, 17, 3, 28, 5, 1, None)
    """
    mine = [w for w in workshops if w.target_group == target_group]
    organisations = {normalise_text(name) for w in mine for name in w.organisations}
    return GroupFigures(
        target_group=target_group,
        ws1=sum(1 for w in mine if w.kind == "ws1"),
        ws2=sum(1 for w in mine if w.kind == "ws2"),
        participants=sum(w.participants for w in mine),
        organisations=len(organisations),
        answered=sum(w.answered for w in mine),
        gaps=sum(w.gaps for w in mine),
        withheld=sum(w.withheld for w in mine),
        journey=add_journeys(w.journey for w in mine if w.journey is not None),
    )


@dataclass(frozen=True)
class Agreement:
    """How much the others agreed with one organisation's own description, per target group
    (the share of Yes among all answers, and how many answered)."""

    organisation: str
    shares: tuple[tuple[str, float, int], ...]  # (target group, share, answers)

    def share(self, target_group: str) -> float | None:
        return next((s for g, s, _ in self.shares if g == target_group), None)

    def answers(self, target_group: str) -> int:
        return next((n for g, _, n in self.shares if g == target_group), 0)


def agreement_side_by_side(
    workshops: Sequence[WorkshopFigures], groups: Sequence[str] = TARGET_GROUPS
) -> list[Agreement]:
    """Agreement with each organisation's own description, for the organisations that have one
    in every target group (the same name, compared with ``normalise_text``), alphabetically.

    >>> ws = [WorkshopFigures(1, "A", "ws1", "children", None, 9, (), 3, 9, 0, 0,
    ...                       (("NSPH", 3, 4), ("BUP", 1, 4))),
    ...       WorkshopFigures(2, "B", "ws1", "adults", None, 9, (), 3, 9, 0, 0,
    ...                       (("nsph", 1, 4),))]
    >>> [(a.organisation, a.share("children"), a.share("adults"), a.answers("adults"))
    ...  for a in agreement_side_by_side(ws)]
    [('NSPH', 0.75, 0.25, 4)]
    """
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    names: dict[str, str] = {}
    for w in workshops:
        for organisation, yes, total in w.own_answers:
            if total <= 0:
                continue
            key = normalise_text(organisation)
            names.setdefault(key, organisation)
            counts[key][w.target_group][0] += yes
            counts[key][w.target_group][1] += total
    rows = [
        Agreement(
            names[key],
            tuple((g, per_group[g][0] / per_group[g][1], per_group[g][1]) for g in groups),
        )
        for key, per_group in counts.items()
        if all(g in per_group for g in groups)
    ]
    return sorted(rows, key=lambda a: a.organisation.casefold())


# --- Formatting --------------------------------------------------------------------------------


def share_text(part: int, whole: int) -> str:
    """A count out of a whole with its percentage, or a dash when there is no whole.

    >>> share_text(5, 7), share_text(0, 0)
    ('5/7 (71 %)', '–')
    """
    if whole <= 0:
        return "–"
    return f"{part}/{whole} ({round(100 * part / whole)} %)"


def folder_name(title: str, date: dt.date | None, taken: set[str]) -> str:
    """A workshop's folder in the project's ZIP: the title in file-name-safe form and the date;
    a second workshop with the same title and date gets a number.

    >>> taken: set[str] = set()
    >>> folder_name("WS1 – Barn och unga", dt.date(2026, 5, 4), taken)
    'ws1-barn-och-unga-2026-05-04'
    >>> folder_name("WS1 – Barn och unga", dt.date(2026, 5, 4), taken)
    'ws1-barn-och-unga-2026-05-04-2'
    >>> folder_name("Åtgärder!", None, taken)
    'atgarder'
    """
    words = slug(title, "workshop")
    base = f"{words}-{date.isoformat()}" if date else words
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name
