"""Properties of the bridge counts that must hold for every map, checked with hypothesis."""

import random

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journey_maps.analysis import gap_report, report_to_dict
from journey_maps.format import (
    FORMAT,
    Handoff,
    Placement,
    journey_to_dict,
    parse_journey,
    with_handoff,
    with_placement,
    without_role,
)
from journey_maps.graph import SINK, SOURCE, bridge_graph

ROLES = ["1", "2", "3", "4", "5", "6B", "7", "8", "10"]
PRINCIPALS = [None, "region", "municipality", "civil_society"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def journeys(draw):
    """Random valid maps: 2–5 stages in a chain plus extra forward and backward transitions,
    roles from the catalogue (people, secondary and coordinating ones included)."""
    n = draw(st.integers(2, 5))
    stages = [f"s{i}" for i in range(n)]
    pairs = {(stages[i], stages[i + 1]) for i in range(n - 1)}
    others = [(a, b) for a in stages for b in stages if a != b and (a, b) not in pairs]
    pairs |= set(draw(st.lists(st.sampled_from(others), max_size=3))) if others else set()
    order = {s: i for i, s in enumerate(stages)}
    transitions = [
        {"from": a, "to": b, "kind": "forward" if order[a] < order[b] else "back"}
        for a, b in sorted(pairs)
    ]
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=6, unique=True))
    cells = draw(
        st.lists(
            st.tuples(st.sampled_from(roles), st.sampled_from(stages), st.sampled_from(PRINCIPALS)),
            max_size=14,
            unique_by=lambda c: (c[0], c[1]),
        )
    )
    placements = [
        {"role": r, "stage": s, **({"organisation": p, "principal": p} if p else {})}
        for r, s, p in cells
    ]
    placed = {(r, s) for r, s, _ in cells}
    candidates = sorted(
        (t["from"], a, t["to"], b)
        for t in transitions
        for a in roles
        for b in roles
        if (a, t["from"]) in placed and (b, t["to"]) in placed
    )
    chosen = (
        draw(st.lists(st.sampled_from(candidates), max_size=6, unique=True)) if candidates else []
    )
    handoffs = [
        {"from_stage": fs, "from_role": fr, "to_stage": ts, "to_role": tr,
         "acknowledged": draw(st.booleans())}
        for fs, fr, ts, tr in chosen
    ]  # fmt: skip
    owners = draw(
        st.lists(
            st.tuples(st.sampled_from(transitions), st.sampled_from(roles)),
            max_size=3,
            unique_by=lambda o: (o[0]["from"], o[0]["to"], o[1]),
        )
    )
    return parse_journey(
        {
            "format": FORMAT,
            "title": "Slump",
            "target_group": draw(st.sampled_from(["children", "adults"])),
            "stages": [{"id": s, "label": f"Steg {s}"} for s in stages],
            "transitions": transitions,
            "roles": roles,
            "placements": placements,
            "handoffs": handoffs,
            "owners": [{"from": t["from"], "to": t["to"], "role": r} for t, r in owners],
        }
    )


def counts(journey):
    return {r.key: (r.k, r.k_with_person, r.k_primary) for r in gap_report(journey).transitions}


def never_lower(before, after):
    return all(all(b <= a for b, a in zip(before[key], after[key], strict=True)) for key in before)


@SETTINGS
@given(journeys(), st.data())
def test_adding_a_handoff_never_lowers_any_bridge_count(journey, data):
    placed = sorted({(p.stage, p.role) for p in journey.placements})
    existing = {(h.from_stage, h.from_role, h.to_stage, h.to_role) for h in journey.handoffs}
    candidates = [
        (a, r, b, q)
        for a, b in (t.key for t in journey.transitions)
        for s, r in placed
        for u, q in placed
        if s == a and u == b and (a, r, b, q) not in existing
    ]
    if not candidates:
        return
    handoff = Handoff(*data.draw(st.sampled_from(candidates)))
    assert never_lower(counts(journey), counts(with_handoff(journey, handoff)))


@SETTINGS
@given(journeys(), st.data())
def test_adding_a_placement_never_lowers_any_bridge_count(journey, data):
    role = data.draw(st.sampled_from(journey.role_ids))
    stage = data.draw(st.sampled_from([s.id for s in journey.stages]))
    principal = data.draw(st.sampled_from(["region", "municipality"]))
    placement = Placement(role, stage, "Ny verksamhet", principal)
    assert never_lower(counts(journey), counts(with_placement(journey, placement)))


@SETTINGS
@given(journeys(), st.data())
def test_removing_a_role_never_raises_any_bridge_count(journey, data):
    role = data.draw(st.sampled_from(journey.role_ids))
    assert never_lower(counts(without_role(journey, role)), counts(journey))


@SETTINGS
@given(journeys(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_things_were_entered(journey, rng: random.Random):
    document = journey_to_dict(journey)
    for key in ("transitions", "roles", "placements", "handoffs", "owners"):
        rng.shuffle(document[key])
    assert report_to_dict(gap_report(parse_journey(document))) == report_to_dict(
        gap_report(journey)
    )


@SETTINGS
@given(journeys())
def test_bridge_counts_are_consistent_with_their_cuts_and_single_points(journey):
    for result in gap_report(journey).transitions:
        assert result.k_primary <= result.k <= result.k_with_person
        assert len(result.cut) == result.k and len(result.cut_with_person) == result.k_with_person
        assert bool(result.single_points) == (result.k == 1)
        for role in result.single_points:
            graph = bridge_graph(journey, result.key)
            graph.remove_node(role)
            assert not nx.has_path(graph, SOURCE, SINK)


@SETTINGS
@given(journeys())
def test_fingerprints_are_unique_and_a_journey_survives_a_round_trip(journey):
    report = gap_report(journey)
    assert len(set(report.fingerprints)) == len(report.findings)
    assert parse_journey(journey_to_dict(journey)) == journey
