"""What in a report concerns one invited organisation: the reader's own way into it.

Each organisation receives the whole documentation, which for a full workshop runs to a dozen
pages, and is asked to check what it says about them. This module picks out, from a report
document alone (a live draft or a frozen version), the items that are theirs to check:

- WS1: the statements of their own description, the statements about how others perceive
  them, which of those are expectations outside their mandate or target group, and the
  discussion points about them;
- WS2: the findings about roles they fill on the journey map, and about transitions and stages
  where they are placed. A finding that names roles concerns an organisation filling one of
  those roles at the finding's stages (anywhere, when the finding has no stage); a finding
  that names none (nobody owns a handover, the thread breaks), or names only the patient or
  their family as the ones who carry a transition, concerns every organisation placed at its
  stages.

Organisation names are matched as the workshop wrote them, ignoring case and surrounding
space: the map's placements name organisations in free text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from journey_maps.model import Journey, role_sort_key
from journey_maps.report import Finding
from reports.journey_part import journey_and_analysis


@dataclass(frozen=True)
class Concerns:
    """The item keys of one report that concern ``organisation``, part by part, in report
    order; ``roles`` are the catalogue codes it fills on the map."""

    organisation: str
    own: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()
    discussion: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        """Every item key that concerns the organisation."""
        return frozenset((*self.own, *self.others, *self.discussion, *self.findings))

    @property
    def empty(self) -> bool:
        return not self.keys and not self.roles


def _same(name: str | None, organisation: str) -> bool:
    return name is not None and name.strip().casefold() == organisation.strip().casefold()


def _where(finding: Finding) -> set[str]:
    stages = set(finding.stages)
    if finding.stage:
        stages.add(finding.stage)
    if finding.transition:
        stages.update(finding.transition)
    return stages


def finding_concerns(journey: Journey, finding: Finding, organisation: str) -> bool:
    """Whether a finding of ``journey`` is about a role ``organisation`` fills there, or about
    a transition or stage where it is placed.

    Examples
    --------
    >>> from journey_maps.analysis import gap_report
    >>> from journey_maps.format import example_journey
    >>> journey = example_journey()
    >>> [(p.organisation, p.role, p.stage) for p in journey.placements if p.organisation]
    [('Elevhälsa', '3', 's1'), ('Elevhälsa', '3', 's2'), ('BUP', '4', 's3')]
    >>> findings = {f.fingerprint: f for f in gap_report(journey).findings}
    >>> finding_concerns(journey, findings["s1>s2:single_point:3"], "elevhälsa")
    True
    >>> finding_concerns(journey, findings["s1>s2:single_point:3"], "BUP")
    False

    Only the patient carries the way back from s3 to s2: a gap beside BUP, placed at s3.

    >>> finding_concerns(journey, findings["s3>s2:patient_carries"], "BUP")
    True
    """
    where = _where(finding)
    # the person and their family carrying a transition alone is a gap beside everyone there
    roles = () if finding.code == "patient_carries" else finding.roles
    for placement in journey.placements:
        if not _same(placement.organisation, organisation):
            continue
        if where and placement.stage not in where:
            continue
        if not roles or placement.role in roles:
            return True
    return False


def _map_concerns(
    part: dict[str, Any], keys: Iterable[str], organisation: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The finding keys (of ``keys``, in their order) that concern ``organisation``, and the
    roles it fills on the map (``part``: the report's journey part)."""
    journey, analysis = journey_and_analysis(part)
    findings = {f"finding:{f.fingerprint}": f for f in analysis.findings}
    concerning = tuple(
        key
        for key in keys
        if key in findings and finding_concerns(journey, findings[key], organisation)
    )
    roles = sorted(
        {p.role for p in journey.placements if _same(p.organisation, organisation)},
        key=role_sort_key,
    )
    return concerning, tuple(roles)


def _shown_order(parts: Iterable[list[dict[str, Any]]]) -> tuple[str, ...]:
    """Statement keys in the order the report shows them: answered first, then the rest
    (so that a link to the first lands on the top of the part).

    >>> _shown_order([[{"key": "statement:1", "answers": 0}, {"key": "statement:2", "answers": 3}]])
    ('statement:2', 'statement:1')
    """
    items = [item for part in parts for item in part]
    return tuple(item["key"] for item in sorted(items, key=lambda i: not i.get("answers")))


def concerns_of(document: dict[str, Any], organisation: str) -> Concerns:
    """The items of a report document (``brygga.report/1``) that concern ``organisation``.

    Examples
    --------
    >>> document = {
    ...     "ws1": {
    ...         "organisations": [
    ...             {"name": "BUP", "own": [{"key": "statement:1"}],
    ...              "others": [{"key": "statement:2"}, {"key": "statement:3"}]},
    ...             {"name": "Elevhälsan", "own": [{"key": "statement:4"}], "others": []},
    ...         ],
    ...         "gaps": [{"key": "statement:3", "organisation": "BUP"}],
    ...         "discussion": [{"key": "discussion:2", "organisation": "BUP"},
    ...                        {"key": "discussion:4", "organisation": "Elevhälsan"}],
    ...     },
    ...     "journey": None,
    ... }
    >>> concerns = concerns_of(document, " bup ")
    >>> concerns.own, concerns.others, concerns.outside, concerns.discussion
    (('statement:1',), ('statement:2', 'statement:3'), ('statement:3',), ('discussion:2',))
    >>> concerns_of(document, "Socialtjänsten").empty
    True
    """
    ws1 = document.get("ws1") or {}
    mine = [o for o in ws1.get("organisations", []) if _same(o.get("name"), organisation)]
    own = _shown_order(o.get("own", []) for o in mine)
    others = _shown_order(o.get("others", []) for o in mine)
    outside = tuple(
        g["key"]
        for g in ws1.get("gaps", [])
        if _same(g.get("organisation"), organisation) and g["key"] in others
    )
    discussion = tuple(
        d["key"] for d in ws1.get("discussion", []) if _same(d.get("organisation"), organisation)
    )
    findings: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    journey = document.get("journey")
    if journey:
        keys = [f["key"] for f in journey.get("findings", [])]
        findings, roles = _map_concerns(journey, keys, organisation)
    return Concerns(
        organisation=organisation.strip(),
        own=own,
        others=others,
        outside=outside,
        discussion=discussion,
        findings=findings,
        roles=roles,
    )
