"""Bridge counts per transition, the principal boundaries crossed, and the journey's figures."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
from networkx.algorithms.connectivity import (
    build_auxiliary_node_connectivity,
    local_node_connectivity,
    minimum_st_node_cut,
)
from networkx.algorithms.flow import build_residual_network

from journey_maps.graph import SINK, SOURCE, bridge_graph
from journey_maps.model import Handoff, Journey, Transition, role_sort_key
from journey_maps.report import SEVERITIES, Figures, Finding, TransitionResult


def _k_and_cut(graph: nx.DiGraph) -> tuple[int, tuple[str, ...]]:
    # node_connectivity and minimum_node_cut, sharing one auxiliary graph and residual network
    auxiliary = build_auxiliary_node_connectivity(graph)
    residual = build_residual_network(auxiliary, "capacity")
    flow = {"auxiliary": auxiliary, "residual": residual}
    k = int(local_node_connectivity(graph, SOURCE, SINK, **flow))
    if k == 0:
        return 0, ()
    cut = minimum_st_node_cut(graph, SOURCE, SINK, **flow)
    return k, tuple(sorted(cut, key=role_sort_key))


def _single_points(graph: nx.DiGraph) -> tuple[str, ...]:
    # with one bridge, the roles every source-sink chain passes through are its dominators
    idom = nx.immediate_dominators(graph, SOURCE)
    found = []
    node = idom.get(SINK, SOURCE)
    while node != SOURCE:
        found.append(node)
        node = idom[node]
    return tuple(sorted(found, key=role_sort_key))


def _on_a_chain(graph: nx.DiGraph, roles: set[str]) -> tuple[str, ...]:
    reached = nx.descendants(graph, SOURCE)
    reaching = nx.ancestors(graph, SINK)
    return tuple(sorted(roles & reached & reaching, key=role_sort_key))


def stage_principals(journey: Journey, stage_id: str) -> frozenset[str]:
    """The principals of the professional roles placed at a stage.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> sorted(stage_principals(example_journey(), "s3"))
    ['region']
    """
    professional = {role.id for role in journey.roles if role.professional}
    found: set[str] = set()
    for role in journey.roles_at[stage_id] & professional:
        found |= journey.principals_at.get((stage_id, role), frozenset())
    return frozenset(found)


def crosses_boundary(journey: Journey, key: tuple[str, str]) -> bool:
    """Whether a transition takes the person in under a principal not present before it.

    Both stages must have principals recorded; a transition where a principal only drops out
    is no boundary.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> journey = example_journey()
    >>> crosses_boundary(journey, ("s1", "s2")), crosses_boundary(journey, ("s2", "s3"))
    (False, True)
    """
    before, after = stage_principals(journey, key[0]), stage_principals(journey, key[1])
    return bool(before) and bool(after - before)


def cross_principal_handoffs(journey: Journey, key: tuple[str, str]) -> tuple[Handoff, ...]:
    """The handoffs at a transition whose giving and receiving roles have different principals.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> handoffs = cross_principal_handoffs(example_journey(), ("s2", "s3"))
    >>> [(h.from_role, h.to_role) for h in handoffs]
    [('3', '4')]
    """
    found = []
    for handoff in journey.handoffs_at[key]:
        giving = journey.principals_at.get((handoff.from_stage, handoff.from_role), frozenset())
        taking = journey.principals_at.get((handoff.to_stage, handoff.to_role), frozenset())
        if any(p != q for p in giving for q in taking):
            found.append(handoff)
    return tuple(found)


def bridge_count(journey: Journey, transition: Transition) -> TransitionResult:
    """Count the roles that bridge one transition (``nx.node_connectivity`` on its flow graph).

    Parameters
    ----------
    journey : Journey
    transition : Transition

    Returns
    -------
    TransitionResult
        ``k``, ``k_with_person``, ``k_primary``, the minimum cut and, when k is 1, every role
        the transition hangs on.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> journey = example_journey()
    >>> result = bridge_count(journey, journey.ordered_transitions[1])
    >>> result.name, result.k, result.k_with_person, result.single_points, result.grade
    ('s2>s3', 1, 2, ('3', '4'), 'fragile')
    """
    professional = bridge_graph(journey, transition)
    k, cut = _k_and_cut(professional)
    # the wider and narrower graphs only need their own flow when they differ from this one
    people = {r.id for r in journey.roles if not r.professional}
    carriers: tuple[str, ...] = ()
    if people & (journey.roles_at[transition.source] | journey.roles_at[transition.target]):
        with_person = bridge_graph(journey, transition, include_person=True)
        k_person, cut_person = _k_and_cut(with_person)
        if k == 0 and k_person > 0:
            carriers = _on_a_chain(with_person, people)
    else:
        k_person, cut_person = k, cut
    secondary = {r.id for r in journey.roles if r.tier != "primary"}
    if k and secondary & set(professional):
        k_primary, _ = _k_and_cut(bridge_graph(journey, transition, primary_only=True))
    else:
        k_primary = k
    return TransitionResult(
        source=transition.source,
        target=transition.target,
        kind=transition.kind,
        k=k,
        k_with_person=k_person,
        k_primary=k_primary,
        cut=cut,
        cut_with_person=cut_person,
        single_points=_single_points(professional) if k == 1 else (),
        person_carriers=carriers,
        handoffs=len(journey.handoffs_at[transition.key]),
        boundary=crosses_boundary(journey, transition.key),
        owners=journey.owners_at[transition.key],
    )


def bridge_counts(journey: Journey) -> tuple[TransitionResult, ...]:
    """Bridge counts for every transition, in journey order.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> [(r.name, r.k, r.k_with_person) for r in bridge_counts(example_journey())]
    [('s1>s2', 1, 2), ('s2>s3', 1, 2), ('s3>s2', 0, 1)]
    """
    return tuple(bridge_count(journey, t) for t in journey.ordered_transitions)


def given_or_counted(
    journey: Journey, bridges: Sequence[TransitionResult] | None
) -> Sequence[TransitionResult]:
    """The bridge counts passed in, or every transition's counted afresh when there are none.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> len(given_or_counted(example_journey(), None)), given_or_counted(example_journey(), ())
    (3, ())
    """
    return bridge_counts(journey) if bridges is None else bridges


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def journey_figures(
    journey: Journey,
    bridges: Sequence[TransitionResult] | None = None,
    findings: Sequence[Finding] = (),
) -> Figures:
    """Journey-level figures over the forward transitions.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> figures = journey_figures(example_journey())
    >>> figures.share_bridged, figures.share_robust, figures.redundancy
    (1.0, 0.0, 1)
    >>> figures.boundary_transitions, figures.boundary_acknowledged
    (1, 0)
    """
    forward = [r for r in given_or_counted(journey, bridges) if r.kind == "forward"]
    boundary = [r for r in forward if r.boundary]
    acknowledged = [
        r for r in boundary if any(h.acknowledged for h in cross_principal_handoffs(journey, r.key))
    ]
    bridged = sum(1 for r in forward if r.k >= 1)
    robust = sum(1 for r in forward if r.k >= 2)
    owned = sum(1 for r in forward if len(r.owners) == 1)
    counts = {severity: 0 for severity in SEVERITIES}
    for finding in findings:
        counts[finding.severity] += 1
    return Figures(
        forward_transitions=len(forward),
        bridged=bridged,
        robust=robust,
        owned=owned,
        boundary_transitions=len(boundary),
        boundary_acknowledged=len(acknowledged),
        redundancy=min((r.k for r in forward), default=None),
        share_bridged=_share(bridged, len(forward)),
        share_robust=_share(robust, len(forward)),
        share_owned=_share(owned, len(forward)),
        share_boundary_acknowledged=_share(len(acknowledged), len(boundary)),
        findings_by_severity=tuple(counts.items()),
    )
