"""Build the networkx graphs the gap analysis runs on, from a ``Journey``."""

from __future__ import annotations

import networkx as nx

from journey_maps.format import Journey, Role, Transition, role_sort_key

SOURCE = "@source"
SINK = "@sink"
START = "@start"
END = "@end"


def stage_graph(journey: Journey) -> nx.DiGraph:
    """The stages and transitions as a directed graph (it may have cycles).

    Nodes carry ``label`` and ``order``; edges carry ``kind`` ("forward" or "back").

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> G = stage_graph(example_journey())
    >>> sorted(G.edges(data="kind"))
    [('s1', 's2', 'forward'), ('s2', 's3', 'forward'), ('s3', 's2', 'back')]
    """
    graph = nx.DiGraph()
    for order, stage in enumerate(journey.stages):
        graph.add_node(stage.id, label=stage.label, order=order)
    for transition in journey.ordered_transitions:
        graph.add_edge(transition.source, transition.target, kind=transition.kind)
    return graph


def _counts(role: Role, include_person: bool, primary_only: bool) -> bool:
    if primary_only and role.tier != "primary":
        return False
    return include_person or role.professional


def bridge_graph(
    journey: Journey,
    transition: Transition | tuple[str, str],
    *,
    include_person: bool = False,
    primary_only: bool = False,
) -> nx.DiGraph:
    """The flow graph whose source–sink node connectivity is the bridge count of a transition.

    ``SOURCE`` links to every counted role present at the transition's first stage, every counted
    role present at its second stage links to ``SINK``, and each handoff across the transition is
    an edge between two roles. A role present on both sides is one node, so it carries the
    transition on its own; ``SOURCE`` and ``SINK`` are never adjacent.

    Parameters
    ----------
    journey : Journey
    transition : Transition or (from, to)
    include_person : bool
        Count roles that are not professional (the person and their everyday network, 1 and 2).
    primary_only : bool
        Count only primary roles.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> G = bridge_graph(example_journey(), ("s2", "s3"))
    >>> sorted(G.edges())
    [('3', '4'), ('4', '@sink'), ('@source', '3')]
    >>> sorted(bridge_graph(example_journey(), ("s2", "s3"), include_person=True).edges())[:2]
    [('1', '@sink'), ('2', '@sink')]
    """
    source, target = transition.key if isinstance(transition, Transition) else tuple(transition)
    counted = {
        role.id
        for role in journey.roles
        if _counts(role, include_person=include_person, primary_only=primary_only)
    }
    before = sorted(journey.roles_at[source] & counted, key=role_sort_key)
    after = sorted(journey.roles_at[target] & counted, key=role_sort_key)
    graph = nx.DiGraph()
    graph.add_node(SOURCE)
    graph.add_node(SINK)
    graph.add_nodes_from(sorted(set(before) | set(after), key=role_sort_key))
    graph.add_edges_from((SOURCE, role) for role in before)
    graph.add_edges_from((role, SINK) for role in after)
    for handoff in journey.handoffs_at.get((source, target), ()):
        ends = {handoff.from_role, handoff.to_role}
        # a role handing over to itself (another organisation) is already one node
        if ends <= counted and len(ends) == 2:
            graph.add_edge(handoff.from_role, handoff.to_role)
    return graph


def thread_graph(journey: Journey) -> nx.DiGraph:
    """The (stage, role) graph of professional responsibility through the journey.

    A node ``(stage, role)`` per professional placement; a continuity edge when a role is present
    on both sides of a transition, a handoff edge for each handoff between professional roles;
    ``START`` links to the roles at the first stage and the roles at the last stage link to
    ``END``.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> G = thread_graph(example_journey())
    >>> nx.shortest_path(G, START, END)
    ['@start', ('s1', '3'), ('s2', '3'), ('s3', '4'), '@end']
    """
    professional = {role.id for role in journey.roles if role.professional}
    graph = nx.DiGraph()
    graph.add_node(START)
    graph.add_node(END)
    for stage in journey.stages:
        for role in sorted(journey.roles_at[stage.id] & professional, key=role_sort_key):
            graph.add_node((stage.id, role))
    if journey.stages:
        first, last = journey.stages[0].id, journey.stages[-1].id
        for role in sorted(journey.roles_at[first] & professional, key=role_sort_key):
            graph.add_edge(START, (first, role))
        for role in sorted(journey.roles_at[last] & professional, key=role_sort_key):
            graph.add_edge((last, role), END)
    for transition in journey.ordered_transitions:
        a, b = transition.key
        both = journey.roles_at[a] & journey.roles_at[b] & professional
        for role in sorted(both, key=role_sort_key):
            graph.add_edge((a, role), (b, role), kind="continuity")
        for handoff in journey.handoffs_at[transition.key]:
            if handoff.from_role in professional and handoff.to_role in professional:
                graph.add_edge((a, handoff.from_role), (b, handoff.to_role), kind="handoff")
    return graph


def handoff_graph(journey: Journey) -> nx.DiGraph:
    """Roles as nodes, an edge A→B when A hands over to B anywhere in the journey.

    Each edge's ``handoffs`` attribute lists the handoffs behind it in a stable order.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> G = handoff_graph(example_journey())
    >>> [(a, b, len(d["handoffs"])) for a, b, d in G.edges(data=True)]
    [('3', '4', 1)]
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(journey.role_ids)
    for transition in journey.ordered_transitions:
        for handoff in journey.handoffs_at[transition.key]:
            if handoff.from_role == handoff.to_role:
                continue
            if not graph.has_edge(handoff.from_role, handoff.to_role):
                graph.add_edge(handoff.from_role, handoff.to_role, handoffs=[])
            graph.edges[handoff.from_role, handoff.to_role]["handoffs"].append(handoff)
    return graph
