"""The graphs the gap analysis runs on."""

from dataclasses import replace
from pathlib import Path

import networkx as nx

from journey_maps.format import FORMAT, Transition, load_journey, parse_journey
from journey_maps.graph import (
    END,
    SINK,
    SOURCE,
    START,
    bridge_graph,
    handoff_graph,
    stage_graph,
    thread_graph,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "journeys"


def journey(name):
    return load_journey(FIXTURES / f"{name}.json")


def two_stages(placements, handoffs=()):
    return parse_journey(
        {
            "format": FORMAT,
            "title": "t",
            "target_group": "children",
            "stages": [{"id": "s1", "label": "Ett"}, {"id": "s2", "label": "Två"}],
            "transitions": [{"from": "s1", "to": "s2"}],
            "roles": ["1", "3", "4", "8"],
            "placements": [{"role": r, "stage": s} for r, s in placements],
            "handoffs": [
                {"from_stage": "s1", "from_role": a, "to_stage": "s2", "to_role": b}
                for a, b in handoffs
            ],
        }
    )


def test_the_stage_graph_keeps_backward_transitions_so_it_has_cycles():
    graph = stage_graph(journey("loops_pingpong"))
    assert graph.edges["c4", "c2"]["kind"] == "back"
    assert sorted(sorted(cycle) for cycle in nx.simple_cycles(graph)) == [
        ["c1", "c2"],
        ["c2", "c3", "c4"],
    ]


def test_a_role_on_both_sides_is_one_node_between_source_and_sink():
    graph = bridge_graph(two_stages([("8", "s1"), ("8", "s2")]), ("s1", "s2"))
    assert sorted(graph.edges) == [("8", SINK), (SOURCE, "8")]
    assert not graph.has_edge(SOURCE, SINK)
    assert nx.node_connectivity(graph, SOURCE, SINK) == 1


def test_a_handoff_joins_the_giving_role_to_the_receiving_role():
    graph = bridge_graph(two_stages([("3", "s1"), ("4", "s2")], [("3", "4")]), ("s1", "s2"))
    assert sorted(graph.edges) == [("3", "4"), ("4", SINK), (SOURCE, "3")]


def test_the_person_and_their_network_count_only_when_asked_for():
    j = two_stages([("1", "s1"), ("1", "s2"), ("3", "s1")])
    assert sorted(bridge_graph(j, ("s1", "s2")).nodes) == ["3", SINK, SOURCE]
    with_person = bridge_graph(j, ("s1", "s2"), include_person=True)
    assert nx.node_connectivity(with_person, SOURCE, SINK) == 1


def test_primary_only_leaves_secondary_roles_out():
    j = journey("bridges")
    assert "10" in bridge_graph(j, ("a4", "a5"))
    assert "10" not in bridge_graph(j, ("a4", "a5"), primary_only=True)


def test_a_transition_with_nobody_has_source_and_sink_unconnected():
    graph = bridge_graph(two_stages([]), Transition("s1", "s2"))
    assert sorted(graph.nodes) == [SINK, SOURCE]
    assert nx.node_connectivity(graph, SOURCE, SINK) == 0


def test_a_role_handing_over_to_itself_in_another_organisation_adds_no_edge():
    j = journey("demo_children")
    graph = bridge_graph(j, ("s2", "s3"))
    assert not graph.has_edge("4", "4")
    assert graph.has_edge(SOURCE, "4") and graph.has_edge("4", SINK)


def test_the_thread_graph_follows_continuity_and_handoffs_from_start_to_end():
    graph = thread_graph(journey("boundary_owners"))
    assert nx.shortest_path(graph, START, END) == [
        START,
        ("b1", "3"),
        ("b2", "3"),
        ("b3", "5B"),
        ("b4", "6B"),
        END,
    ]
    assert graph.edges[("b3", "8"), ("b4", "8")]["kind"] == "continuity"
    assert graph.edges[("b2", "3"), ("b3", "5B")]["kind"] == "handoff"


def test_the_thread_graph_leaves_the_person_out():
    graph = thread_graph(journey("bridges"))
    assert ("a1", "1") not in graph and ("a1", "3") in graph


def test_the_handoff_graph_collects_every_handoff_between_two_roles():
    graph = handoff_graph(journey("loops_pingpong"))
    assert graph.has_edge("3", "4") and graph.has_edge("4", "3")
    assert [h.transition for h in graph.edges["4", "3"]["handoffs"]] == [("c2", "c1")]
    assert "9" in graph  # every role is a node, placed or not


def test_the_graphs_do_not_depend_on_the_order_placements_were_entered():
    j = journey("demo_children")
    shuffled = replace(j, placements=tuple(reversed(j.placements)), handoffs=j.handoffs[::-1])
    for key in [t.key for t in j.transitions]:
        assert list(bridge_graph(j, key).edges) == list(bridge_graph(shuffled, key).edges)
    assert list(thread_graph(j).edges) == list(thread_graph(shuffled).edges)
    assert list(handoff_graph(j).edges) == list(handoff_graph(shuffled).edges)
