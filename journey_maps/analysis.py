"""Gap analysis of a journey map: one function per finding, composed by ``gap_report``."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Any

import networkx as nx

from journey_maps.bridges import (
    bridge_count,
    bridge_counts,
    cross_principal_handoffs,
    crosses_boundary,
    given_or_counted,
    journey_figures,
    stage_principals,
)
from journey_maps.compare import Comparison, compare_reports, comparison_to_dict
from journey_maps.format import with_handoff
from journey_maps.format import without_role as _without_role
from journey_maps.graph import END, START, handoff_graph, stage_graph, thread_graph
from journey_maps.messages import (
    BOUNDARY_TEXT,
    HONESTY_EN,
    HONESTY_SV,
    MESSAGES,
    PRINCIPAL_NAMES,
    sentences,
)
from journey_maps.model import Handoff, Journey, role_sort_key
from journey_maps.report import (
    FINDING_CODES,
    SEVERITIES,
    Figures,
    Finding,
    Report,
    TransitionResult,
    figures_to_dict,
    finding_order,
    finding_to_dict,
    report_to_dict,
    transition_to_dict,
)

# the report's data, sentences, bridge counts and comparisons live in their own modules; they
# are re-exported so that everything the analysis offers is still one import away
__all__ = [
    "BOUNDARY_TEXT",
    "COORDINATING_ROLES",
    "FINDING_CODES",
    "HONESTY_EN",
    "HONESTY_SV",
    "MAX_LOOPS",
    "MESSAGES",
    "PRINCIPAL_NAMES",
    "SEVERITIES",
    "Comparison",
    "Figures",
    "Finding",
    "Report",
    "TransitionResult",
    "boundary_unbridged",
    "bridge_count",
    "bridge_counts",
    "compare_reports",
    "comparison_to_dict",
    "cross_principal_handoffs",
    "crosses_boundary",
    "empty_stage",
    "figures_to_dict",
    "finding_to_dict",
    "gap_report",
    "implicit_only",
    "isolated_role",
    "journey_figures",
    "loop_without_holder",
    "many_owners",
    "must_pass_through",
    "no_owner",
    "patient_carries",
    "ping_pong",
    "report_to_dict",
    "single_point",
    "stage_principals",
    "thread_broken",
    "transition_to_dict",
    "unacknowledged",
    "unbridged",
    "unplaced_role",
    "what_if_add_handoff",
    "what_if_remove_role",
]

COORDINATING_ROLES = ("7", "8")
MAX_LOOPS = 1000  # stage-graph cycles examined; real maps have a handful


def _finding(
    journey: Journey,
    template: str,
    severity: str,
    fingerprint: str,
    parts: dict[str, tuple[str, Any]],
    **where: Any,
) -> Finding:
    sv, en = sentences(journey, template, parts)
    return Finding(template.split(":")[0], severity, fingerprint, sv, en, **where)


def unbridged(journey: Journey, bridges: Sequence[TransitionResult] | None = None) -> list[Finding]:
    """Transitions nobody carries, not even the person or their family (critical).

    Examples
    --------
    >>> from journey_maps.format import default_journey
    >>> [f.fingerprint for f in unbridged(default_journey())][:2]
    ['s1>s2:unbridged', 's2>s3:unbridged']
    """
    return [
        _finding(
            journey,
            "unbridged",
            "critical",
            f"{r.name}:unbridged",
            {"move": ("move", r.key)},
            transition=r.key,
        )
        for r in given_or_counted(journey, bridges)
        if r.k_with_person == 0
    ]


def patient_carries(
    journey: Journey, bridges: Sequence[TransitionResult] | None = None
) -> list[Finding]:
    """Transitions only the person or their everyday network carries (critical).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> [finding] = patient_carries(example_journey())
    >>> finding.fingerprint, finding.roles
    ('s3>s2:patient_carries', ('1',))
    >>> print(finding.message_sv)
    Bara patienten/närstående bär övergången ”Bedömning” → ”Första kontakt”: ingen yrkesroll
    för ärendet vidare, det hänger på roll 1 ”Barnet själv / Den som upplever behovet”.
    """
    return [
        _finding(
            journey,
            "patient_carries",
            "critical",
            f"{r.name}:patient_carries",
            {"move": ("move", r.key), "roles": ("roles", r.person_carriers)},
            transition=r.key,
            roles=r.person_carriers,
        )
        for r in given_or_counted(journey, bridges)
        if r.k == 0 and r.k_with_person > 0
    ]


def single_point(
    journey: Journey, bridges: Sequence[TransitionResult] | None = None
) -> list[Finding]:
    """One finding per role a transition hangs on when k is 1 (high; critical where
    ``boundary_unbridged`` finds the same transition).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> for finding in single_point(example_journey()):
    ...     print(finding.fingerprint, finding.severity)
    s1>s2:single_point:3 high
    s2>s3:single_point:3 high
    s2>s3:single_point:4 high
    """
    open_boundaries = {f.transition for f in boundary_unbridged(journey)}
    found = []
    for r in given_or_counted(journey, bridges):
        raised = r.key in open_boundaries
        border = BOUNDARY_TEXT if raised else ("", "")
        for role in r.single_points:
            found.append(
                _finding(
                    journey,
                    "single_point",
                    "critical" if raised else "high",
                    f"{r.name}:single_point:{role}",
                    {"move": ("move", r.key), "role": ("role", role), "border": ("text", border)},
                    transition=r.key,
                    roles=(role,),
                )
            )
    return found


def implicit_only(
    journey: Journey, bridges: Sequence[TransitionResult] | None = None
) -> list[Finding]:
    """Transitions bridged only by roles present on both sides, with no explicit handoff
    (medium).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> [(f.fingerprint, f.roles) for f in implicit_only(example_journey())]
    [('s1>s2:implicit_only', ('3',))]
    """
    professional = {role.id for role in journey.roles if role.professional}
    found = []
    for r in given_or_counted(journey, bridges):
        if r.k == 0 or r.handoffs:
            continue
        both = journey.roles_at[r.source] & journey.roles_at[r.target] & professional
        staying = tuple(sorted(both, key=role_sort_key))
        found.append(
            _finding(
                journey,
                "implicit_only",
                "medium",
                f"{r.name}:implicit_only",
                {"move": ("move", r.key), "roles": ("roles", staying)},
                transition=r.key,
                roles=staying,
            )
        )
    return found


def boundary_unbridged(journey: Journey) -> list[Finding]:
    """Transitions into a new principal with no handoff across principals and no coordinating
    role (7/8) on both sides (high).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> [finding] = boundary_unbridged(example_journey())
    >>> finding.fingerprint
    's3>s2:boundary_unbridged'
    >>> print(finding.message_en)
    Boundary between principals without a handoff at the transition “Assessment” → “First
    contact” (region → municipality): no handoff across principals and no coordinating role
    (7/8) on both sides, so nobody carries the person over to the new principal.
    """
    coordinating = {role.id for role in journey.roles if role.coordinating}
    found = []
    for t in journey.ordered_transitions:
        if not crosses_boundary(journey, t.key) or cross_principal_handoffs(journey, t.key):
            continue
        if journey.roles_at[t.source] & journey.roles_at[t.target] & coordinating:
            continue
        before, after = stage_principals(journey, t.source), stage_principals(journey, t.target)
        found.append(
            _finding(
                journey,
                "boundary_unbridged",
                "high",
                f"{t.name}:boundary_unbridged",
                {
                    "move": ("move", t.key),
                    "before": ("principals", before),
                    "after": ("principals", after),
                },
                transition=t.key,
            )
        )
    return found


def no_owner(journey: Journey) -> list[Finding]:
    """Transitions with no owner, when the map records owners at all (high).

    Examples
    --------
    >>> from dataclasses import replace
    >>> from journey_maps.format import Owner, example_journey
    >>> journey = replace(example_journey(), owners=(Owner("s1", "s2", "3"),))
    >>> [f.fingerprint for f in no_owner(journey)]
    ['s2>s3:no_owner', 's3>s2:no_owner']
    >>> no_owner(example_journey())
    []
    """
    if not journey.owners:
        return []
    return [
        _finding(
            journey,
            "no_owner",
            "high",
            f"{t.name}:no_owner",
            {"move": ("move", t.key)},
            transition=t.key,
        )
        for t in journey.ordered_transitions
        if not journey.owners_at[t.key]
    ]


def many_owners(journey: Journey) -> list[Finding]:
    """Transitions with more than one owner (medium).

    Examples
    --------
    >>> from dataclasses import replace
    >>> from journey_maps.format import Owner, example_journey
    >>> owners = (Owner("s2", "s3", "4"), Owner("s2", "s3", "3"))
    >>> journey = replace(example_journey(), owners=owners)
    >>> [(f.fingerprint, f.roles) for f in many_owners(journey)]
    [('s2>s3:many_owners', ('3', '4'))]
    """
    return [
        _finding(
            journey,
            "many_owners",
            "medium",
            f"{t.name}:many_owners",
            {"move": ("move", t.key), "roles": ("roles", journey.owners_at[t.key])},
            transition=t.key,
            roles=journey.owners_at[t.key],
        )
        for t in journey.ordered_transitions
        if len(journey.owners_at[t.key]) > 1
    ]


def unacknowledged(journey: Journey) -> list[Finding]:
    """Handoffs the receiving role has not acknowledged (medium).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> [f.fingerprint for f in unacknowledged(example_journey())]
    ['s2>s3:unacknowledged:3>4']
    """
    return [
        _finding(
            journey,
            "unacknowledged",
            "medium",
            f"{t.name}:unacknowledged:{h.from_role}>{h.to_role}",
            {"move": ("move", t.key), "giver": ("role", h.from_role), "taker": ("role", h.to_role)},
            transition=t.key,
            roles=(h.from_role, h.to_role),
        )
        for t in journey.ordered_transitions
        for h in journey.handoffs_at[t.key]
        if not h.acknowledged
    ]


def _rotated(cycle: Sequence[str], order: dict[str, int]) -> tuple[str, ...]:
    start = min(range(len(cycle)), key=lambda i: order[cycle[i]])
    return (*cycle[start:], *cycle[:start])


def loop_without_holder(journey: Journey) -> list[Finding]:
    """Cycles of the stage graph with no professional role present at every stage (high).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> [(f.fingerprint, f.stages) for f in loop_without_holder(example_journey())]
    [('loop:s2>s3:loop_without_holder', ('s2', 's3'))]
    """
    professional = {role.id for role in journey.roles if role.professional}
    order = journey.stage_order
    cycles = {
        _rotated(cycle, order)
        for cycle in islice(nx.simple_cycles(stage_graph(journey)), MAX_LOOPS)
    }
    found = []
    for cycle in sorted(cycles, key=lambda c: [order[s] for s in c]):
        holders = set(professional)
        for stage in cycle:
            holders &= journey.roles_at[stage]
        if not holders:
            found.append(
                _finding(
                    journey,
                    "loop_without_holder",
                    "high",
                    f"loop:{'>'.join(cycle)}:loop_without_holder",
                    {"loop": ("loop", cycle)},
                    stages=cycle,
                )
            )
    return found


def ping_pong(journey: Journey) -> list[Finding]:
    """Pairs of roles that hand over to each other in both directions (medium; high when one of
    those handoffs crosses principals).

    Examples
    --------
    >>> from journey_maps.format import Handoff, example_journey, with_handoff
    >>> journey = with_handoff(example_journey(), Handoff("s3", "4", "s2", "3"))
    >>> [(f.fingerprint, f.severity) for f in ping_pong(journey)]
    [('roles:3+4:ping_pong', 'high')]
    """
    graph = handoff_graph(journey)
    order = journey.stage_order
    crossing = {
        (h.from_role, h.to_role)
        for t in journey.ordered_transitions
        for h in cross_principal_handoffs(journey, t.key)
    }
    found = []
    for a, b in sorted(graph.edges(), key=lambda e: (role_sort_key(e[0]), role_sort_key(e[1]))):
        if role_sort_key(a) >= role_sort_key(b) or not graph.has_edge(b, a):
            continue
        across = (a, b) in crossing or (b, a) in crossing
        handoffs = [*graph.edges[a, b]["handoffs"], *graph.edges[b, a]["handoffs"]]
        moves = sorted({h.transition for h in handoffs}, key=lambda k: (order[k[0]], order[k[1]]))
        border = BOUNDARY_TEXT if across else ("", "")
        found.append(
            _finding(
                journey,
                "ping_pong",
                "high" if across else "medium",
                f"roles:{a}+{b}:ping_pong",
                {
                    "a": ("role", a),
                    "b": ("role", b),
                    "border": ("text", border),
                    "moves": ("moves", moves),
                },
                roles=(a, b),
            )
        )
    return found


def empty_stage(journey: Journey) -> list[Finding]:
    """Stages where no role is placed (high).

    Examples
    --------
    >>> from journey_maps.format import default_journey
    >>> [f.fingerprint for f in empty_stage(default_journey())][:2]
    ['stage:s1:empty_stage', 'stage:s2:empty_stage']
    """
    return [
        _finding(
            journey,
            "empty_stage",
            "high",
            f"stage:{s.id}:empty_stage",
            {"stage": ("stage", s.id)},
            stage=s.id,
        )
        for s in journey.stages
        if not journey.roles_at[s.id]
    ]


def unplaced_role(journey: Journey) -> list[Finding]:
    """Roles in the map's role list that are placed on no stage (info).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> print(unplaced_role(example_journey())[0].message_sv)
    Rollen 8 ”Den som samordnar plan och kontinuitet” finns inte på kartan: den är inte
    placerad i något steg.
    """
    placed = {p.role for p in journey.placements}
    return [
        _finding(
            journey,
            "unplaced_role",
            "info",
            f"role:{role}:unplaced_role",
            {"role": ("named", role)},
            roles=(role,),
        )
        for role in journey.role_ids
        if role not in placed
    ]


def isolated_role(journey: Journey) -> list[Finding]:
    """Placed professional roles that neither give nor receive any handoff (medium).

    The person and their everyday network (roles that are not professional) are exempt.

    Examples
    --------
    >>> from journey_maps.format import Placement, example_journey, with_placement
    >>> journey = with_placement(example_journey(), Placement("8", "s3", "BUP", "region"))
    >>> [f.fingerprint for f in isolated_role(journey)]
    ['role:8:isolated_role']
    """
    placed = {p.role for p in journey.placements}
    handing = {h.from_role for h in journey.handoffs} | {h.to_role for h in journey.handoffs}
    return [
        _finding(
            journey,
            "isolated_role",
            "medium",
            f"role:{role}:isolated_role",
            {"role": ("named", role)},
            roles=(role,),
        )
        for role in journey.role_ids
        if role in placed and role not in handing and journey.role_by_id[role].professional
    ]


def thread_broken(journey: Journey) -> list[Finding]:
    """No unbroken chain of professional responsibility from the first to the last stage
    (high).

    Examples
    --------
    >>> from journey_maps.format import example_journey, without_role
    >>> print(thread_broken(without_role(example_journey(), "4"))[0].message_en)
    No unbroken thread of responsibility from the first to the last stage (“Concern” →
    “Assessment”): no chain of professional roles that stay or hand over reaches all the way;
    it ends after “First contact”.
    >>> thread_broken(example_journey())
    []
    """
    if not journey.stages:
        return []
    graph = thread_graph(journey)
    if nx.has_path(graph, START, END):
        return []
    first, last = journey.stages[0].id, journey.stages[-1].id
    reached = [node[0] for node in nx.descendants(graph, START) if isinstance(node, tuple)]
    parts: dict[str, tuple[str, Any]] = {"span": ("move", (first, last))}
    if not reached:
        parts["first"] = ("stage", first)
        return [
            _finding(
                journey,
                "thread_broken:start",
                "high",
                "journey:thread_broken",
                parts,
                stages=(first,),
            )
        ]
    furthest = max(reached, key=journey.stage_order.__getitem__)
    parts["furthest"] = ("stage", furthest)
    return [
        _finding(
            journey,
            "thread_broken",
            "high",
            "journey:thread_broken",
            parts,
            stages=(first, furthest),
        )
    ]


def must_pass_through(journey: Journey) -> list[Finding]:
    """(stage, role) pairs every thread of responsibility passes through: the dominators of the
    end in the thread graph (high).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> for finding in must_pass_through(example_journey()):
    ...     print(finding.fingerprint)
    stage:s1:must_pass_through:3
    stage:s2:must_pass_through:3
    stage:s3:must_pass_through:4
    """
    graph = thread_graph(journey)
    if not journey.stages or not nx.has_path(graph, START, END):
        return []
    idom = nx.immediate_dominators(graph, START)
    chain = []
    node = idom[END]
    while node != START:
        chain.append(node)
        node = idom[node]
    order = journey.stage_order
    return [
        _finding(
            journey,
            "must_pass_through",
            "high",
            f"stage:{stage}:must_pass_through:{role}",
            {"role": ("role", role), "stage": ("stage", stage)},
            stage=stage,
            roles=(role,),
        )
        for stage, role in sorted(chain, key=lambda n: (order[n[0]], role_sort_key(n[1])))
    ]


def gap_report(journey: Journey) -> Report:
    """Analyse a journey map: bridges per transition, every finding, and the figures.

    Findings are sorted by severity, then code, then position along the journey; nothing
    depends on the order in which stages' placements or handoffs were entered.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> report = gap_report(example_journey())
    >>> for finding in report.findings[:3]:
    ...     print(finding.severity, finding.fingerprint)
    critical s3>s2:patient_carries
    high s1>s2:single_point:3
    high s2>s3:single_point:3
    >>> len(report.findings), dict(report.figures.findings_by_severity)
    (12, {'critical': 1, 'high': 8, 'medium': 2, 'low': 0, 'info': 1})
    """
    bridges = bridge_counts(journey)
    findings = [
        *unbridged(journey, bridges),
        *patient_carries(journey, bridges),
        *single_point(journey, bridges),
        *implicit_only(journey, bridges),
        *boundary_unbridged(journey),
        *no_owner(journey),
        *many_owners(journey),
        *unacknowledged(journey),
        *loop_without_holder(journey),
        *ping_pong(journey),
        *empty_stage(journey),
        *unplaced_role(journey),
        *isolated_role(journey),
        *thread_broken(journey),
        *must_pass_through(journey),
    ]
    findings.sort(key=lambda f: finding_order(journey, f))
    return Report(
        title=journey.title,
        target_group=journey.target_group,
        transitions=tuple(bridges),
        findings=tuple(findings),
        figures=journey_figures(journey, bridges, findings),
    )


def what_if_remove_role(journey: Journey, role_id: str) -> Comparison:
    """What closes and opens if a role drops out (on leave, the unit closed).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> comparison = what_if_remove_role(example_journey(), "4")
    >>> [f.fingerprint for f in comparison.opened if f.severity == "critical"]
    ['s2>s3:patient_carries']
    >>> comparison.k_changes
    (('s2', 's3', 1, 0),)
    """
    return compare_reports(gap_report(journey), gap_report(_without_role(journey, role_id)))


def what_if_add_handoff(journey: Journey, handoff: Handoff) -> Comparison:
    """What closes and opens if a proposed handoff is added (its ends must be placed).

    Examples
    --------
    >>> from journey_maps.format import Handoff, example_journey
    >>> proposal = Handoff("s3", "4", "s2", "3", acknowledged=True, evidence="proposed")
    >>> comparison = what_if_add_handoff(example_journey(), proposal)
    >>> [f.fingerprint for f in comparison.closed]
    ['s3>s2:patient_carries', 's3>s2:boundary_unbridged']
    >>> [f.fingerprint for f in comparison.opened]
    ['s3>s2:single_point:3', 's3>s2:single_point:4', 'roles:3+4:ping_pong']
    """
    return compare_reports(gap_report(journey), gap_report(with_handoff(journey, handoff)))
