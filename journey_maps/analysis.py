"""Gap analysis of a journey map: one function per finding, composed by ``gap_report``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Any

import networkx as nx
from networkx.algorithms.connectivity import (
    build_auxiliary_node_connectivity,
    local_node_connectivity,
    minimum_st_node_cut,
)
from networkx.algorithms.flow import build_residual_network

from journey_maps.format import Handoff, Journey, Transition, role_sort_key, with_handoff
from journey_maps.format import without_role as _without_role
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

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
FINDING_CODES: tuple[str, ...] = (
    "unbridged",
    "patient_carries",
    "single_point",
    "implicit_only",
    "boundary_unbridged",
    "no_owner",
    "many_owners",
    "unacknowledged",
    "loop_without_holder",
    "ping_pong",
    "empty_stage",
    "unplaced_role",
    "isolated_role",
    "thread_broken",
    "must_pass_through",
)
HONESTY_SV = (
    "Analysen beskriver kartan som workshopen ritade, inte hur ofta överlämningar faktiskt "
    "misslyckas."
)
HONESTY_EN = (
    "The analysis describes the map the workshop drew, not how often handovers actually fail."
)
COORDINATING_ROLES = ("7", "8")
MAX_LOOPS = 1000  # stage-graph cycles examined; real maps have a handful
PRINCIPAL_NAMES = {
    "region": ("region", "region"),
    "municipality": ("kommun", "municipality"),
    "school": ("skola", "school"),
    "private": ("privat vårdgivare", "private provider"),
    "civil_society": ("civilsamhället", "civil society"),
    "state": ("staten", "state"),
}


@dataclass(frozen=True)
class TransitionResult:
    """The bridge count of one transition and what it hangs on.

    ``k`` counts professional roles, ``k_with_person`` also the person and their network (roles
    that are not professional), ``k_primary`` only primary professional roles. ``cut`` is a
    minimum set of professional roles whose removal leaves no bridge; ``single_points`` lists
    every role whose removal alone leaves none (only when ``k == 1``). ``person_carriers`` names
    the person and network roles on the chains that cross when no professional role does.
    """

    source: str
    target: str
    kind: str
    k: int
    k_with_person: int
    k_primary: int
    cut: tuple[str, ...]
    cut_with_person: tuple[str, ...]
    single_points: tuple[str, ...]
    person_carriers: tuple[str, ...]
    handoffs: int
    boundary: bool
    owners: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        """``(source, target)``."""
        return (self.source, self.target)

    @property
    def name(self) -> str:
        """``"s1>s2"``."""
        return f"{self.source}>{self.target}"

    @property
    def grade(self) -> str:
        """ "gap" (k=0), "fragile" (k=1, or only secondary roles bridge) or "robust"."""
        if self.k == 0:
            return "gap"
        if self.k == 1 or self.k_primary == 0:
            return "fragile"
        return "robust"


@dataclass(frozen=True)
class Finding:
    """One finding: what, how serious, where, and a plain sentence in Swedish and English."""

    code: str
    severity: str
    fingerprint: str
    message_sv: str
    message_en: str
    stage: str | None = None
    transition: tuple[str, str] | None = None
    roles: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figures:
    """Journey-level figures over the forward transitions (shares are 0–1, None if no base)."""

    forward_transitions: int
    bridged: int
    robust: int
    owned: int
    boundary_transitions: int
    boundary_acknowledged: int
    redundancy: int | None
    share_bridged: float | None
    share_robust: float | None
    share_owned: float | None
    share_boundary_acknowledged: float | None
    findings_by_severity: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Report:
    """The whole analysis of one journey map."""

    title: str
    target_group: str
    transitions: tuple[TransitionResult, ...]
    findings: tuple[Finding, ...]
    figures: Figures

    @property
    def fingerprints(self) -> tuple[str, ...]:
        """Every finding's fingerprint, in report order."""
        return tuple(finding.fingerprint for finding in self.findings)

    def transition(self, source: str, target: str) -> TransitionResult:
        """The result for transition ``source``→``target``."""
        for result in self.transitions:
            if result.key == (source, target):
                return result
        raise KeyError(f"{source}>{target}")


@dataclass(frozen=True)
class Comparison:
    """Two reports finding by finding: closed (only in ``before``), opened, persisting."""

    before: Report
    after: Report
    closed: tuple[Finding, ...]
    opened: tuple[Finding, ...]
    persisting: tuple[Finding, ...]

    @property
    def k_changes(self) -> tuple[tuple[str, str, int, int], ...]:
        """``(from, to, k_before, k_after)`` for every transition in both whose k changed."""
        after = {result.key: result for result in self.after.transitions}
        return tuple(
            (result.source, result.target, result.k, after[result.key].k)
            for result in self.before.transitions
            if result.key in after and after[result.key].k != result.k
        )


# --- plain sentences -------------------------------------------------------------------------

# One template per finding (and variant): (Swedish, English). Parts are rendered by ``_render``.
MESSAGES: dict[str, tuple[str, str]] = {
    "unbridged": (
        "Ingen roll bär övergången {move}: ingen finns på båda sidor och ingen överlämning är "
        "registrerad, så personen riskerar att falla mellan stolarna.",
        "No role carries the transition {move}: nobody is present on both sides and no handoff "
        "is recorded, so the person risks falling between the chairs.",
    ),
    "patient_carries": (
        "Bara patienten/närstående bär övergången {move}: ingen yrkesroll för ärendet vidare, "
        "det hänger på {roles}.",
        "Only the person or their family carries the transition {move}: no professional role "
        "takes the case on, it rests on {roles}.",
    ),
    "single_point": (
        "Övergången {move}{border} hänger på en roll: {role}. Faller den bort bär ingen "
        "yrkesroll övergången.",
        "The transition {move}{border} hangs on one role: {role}. If it drops out, no "
        "professional role carries the transition.",
    ),
    "implicit_only": (
        "Bara närvaro på båda sidor, ingen uttalad överlämning i övergången {move}: {roles} "
        "finns i båda stegen men ingen lämnar uttryckligen över.",
        "Only presence on both sides, no explicit handoff at the transition {move}: {roles} can "
        "be found at both stages, but nobody explicitly hands over.",
    ),
    "boundary_unbridged": (
        "Huvudmannagräns utan överlämning i övergången {move} ({before} → {after}): ingen "
        "överlämning mellan huvudmännen och ingen samordnande roll (7/8) på båda sidor, så ingen "
        "för personen över till den nya huvudmannen.",
        "Boundary between principals without a handoff at the transition {move} ({before} → "
        "{after}): no handoff across principals and no coordinating role (7/8) on both sides, so "
        "nobody carries the person over to the new principal.",
    ),
    "no_owner": (
        "Ingen ansvarar för överlämningen i övergången {move}: ingen roll är utsedd att äga den.",
        "Nobody is responsible for the handover at the transition {move}: no role has been "
        "named as its owner.",
    ),
    "many_owners": (
        "Flera ansvarar för överlämningen i övergången {move} ({roles}), så det är oklart vem "
        "som ser till att den blir av.",
        "Several roles are responsible for the handover at the transition {move} ({roles}), so "
        "it is unclear who makes sure it happens.",
    ),
    "unacknowledged": (
        "Överlämningen från {giver} till {taker} i övergången {move} är inte kvitterad, så ingen "
        "vet om den kom fram.",
        "The handoff from {giver} to {taker} at the transition {move} is not acknowledged, so "
        "nobody knows whether it arrived.",
    ),
    "loop_without_holder": (
        "Återremiss utan någon som följer hela slingan {loop}: ingen yrkesroll finns i alla "
        "dessa steg, så ingen håller i personen när ärendet går tillbaka.",
        "A referral loop with nobody following it all the way round {loop}: no professional "
        "role is present at every one of these stages, so nobody holds on to the person when "
        "the case goes back.",
    ),
    "ping_pong": (
        "Remiss-pingis mellan {a} och {b}{border}: de lämnar över till varandra åt båda hållen "
        "({moves}), så personen kan skickas fram och tillbaka.",
        "Referral ping-pong between {a} and {b}{border}: they hand over to each other in both "
        "directions ({moves}), so the person can be sent back and forth.",
    ),
    "empty_stage": (
        "Ingen roll i steget {stage}: ingen finns där för personen.",
        "No role at the stage {stage}: nobody is there for the person.",
    ),
    "unplaced_role": (
        "Rollen {role} finns inte på kartan: den är inte placerad i något steg.",
        "Role {role} is not on the map: it is placed at no stage.",
    ),
    "isolated_role": (
        "Rollen {role} är placerad men lämnar/tar inte emot något: ingen överlämning går till "
        "eller från rollen, så dess arbete kopplas inte ihop med resten av resan.",
        "Role {role} is placed but neither hands over nor receives anything: no handoff goes to "
        "or from it, so its work is not connected to the rest of the journey.",
    ),
    "thread_broken": (
        "Ingen obruten ansvarstråd från första till sista steget ({span}): ingen kedja av "
        "yrkesroller som finns kvar eller lämnar över räcker hela vägen; den tar slut efter "
        "{furthest}.",
        "No unbroken thread of responsibility from the first to the last stage ({span}): no "
        "chain of professional roles that stay or hand over reaches all the way; it ends after "
        "{furthest}.",
    ),
    "thread_broken:start": (
        "Ingen obruten ansvarstråd från första till sista steget ({span}): ingen yrkesroll finns "
        "i {first}.",
        "No unbroken thread of responsibility from the first to the last stage ({span}): no "
        "professional role is present at {first}.",
    ),
    "must_pass_through": (
        "Hela förloppet hänger på {role} i steget {stage}: varje obruten ansvarstråd från första "
        "till sista steget går genom den.",
        "The whole course hangs on {role} at the stage {stage}: every unbroken thread of "
        "responsibility from the first to the last stage passes through it.",
    ),
}
BOUNDARY_TEXT = (" över en huvudmannagräns", " across a boundary between principals")


def _quote(text: str, lang: str) -> str:
    return f"”{text}”" if lang == "sv" else f"“{text}”"


def _stage(journey: Journey, stage_id: str, lang: str) -> str:
    return _quote(journey.stage_label(stage_id, lang), lang)


def _move(journey: Journey, key: tuple[str, str], lang: str) -> str:
    return f"{_stage(journey, key[0], lang)} → {_stage(journey, key[1], lang)}"


def _role(journey: Journey, role_id: str, lang: str, word: bool = True) -> str:
    named = f"{role_id} {_quote(journey.role_label(role_id, lang), lang)}"
    return f"{'roll' if lang == 'sv' else 'role'} {named}" if word else named


def _listing(items: Sequence[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + (" och " if lang == "sv" else " and ") + items[-1]


def _render(journey: Journey, kind: str, value: Any, lang: str) -> str:
    if kind == "stage":
        return _stage(journey, value, lang)
    if kind == "move":
        return _move(journey, value, lang)
    if kind == "moves":
        return "; ".join(_move(journey, key, lang) for key in value)
    if kind == "loop":
        return " → ".join(_stage(journey, stage, lang) for stage in (*value, value[0]))
    if kind == "role":
        return _role(journey, value, lang)
    if kind == "named":
        return _role(journey, value, lang, word=False)
    if kind == "roles":
        return _listing([_role(journey, role, lang) for role in value], lang)
    if kind == "principals":
        index = 0 if lang == "sv" else 1
        return "/".join(PRINCIPAL_NAMES.get(p, (p, p))[index] for p in sorted(value))
    if kind == "text":
        return str(value[0] if lang == "sv" else value[1])
    raise ValueError(f"unknown message part {kind!r}")


def _finding(
    journey: Journey,
    template: str,
    severity: str,
    fingerprint: str,
    parts: dict[str, tuple[str, Any]],
    **where: Any,
) -> Finding:
    sv, en = MESSAGES[template]
    said = {
        lang: text.format(**{name: _render(journey, *part, lang) for name, part in parts.items()})
        for lang, text in (("sv", sv), ("en", en))
    }
    code = template.split(":")[0]
    return Finding(code, severity, fingerprint, said["sv"], said["en"], **where)


# --- bridges per transition ------------------------------------------------------------------


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


def _bridges(
    journey: Journey, bridges: Sequence[TransitionResult] | None
) -> Sequence[TransitionResult]:
    return bridge_counts(journey) if bridges is None else bridges


# --- one function per finding ----------------------------------------------------------------


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
        for r in _bridges(journey, bridges)
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
        for r in _bridges(journey, bridges)
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
    for r in _bridges(journey, bridges):
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
    for r in _bridges(journey, bridges):
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


# --- the report ------------------------------------------------------------------------------


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
    forward = [r for r in _bridges(journey, bridges) if r.kind == "forward"]
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


def _sort_key(journey: Journey, finding: Finding) -> tuple[Any, ...]:
    order = journey.stage_order
    if finding.transition:
        place: tuple[int, ...] = (order[finding.transition[0]], order[finding.transition[1]])
    elif finding.stage:
        place = (order[finding.stage], -1)
    else:
        place = tuple(order[s] for s in finding.stages)
    roles = tuple(role_sort_key(role) for role in finding.roles)
    code = FINDING_CODES.index(finding.code)
    return (SEVERITIES.index(finding.severity), code, place, roles, finding.fingerprint)


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
    findings.sort(key=lambda f: _sort_key(journey, f))
    return Report(
        title=journey.title,
        target_group=journey.target_group,
        transitions=tuple(bridges),
        findings=tuple(findings),
        figures=journey_figures(journey, bridges, findings),
    )


def compare_reports(before: Report, after: Report) -> Comparison:
    """Compare two reports (as-is and to-be, children and adults) finding by finding.

    Examples
    --------
    >>> from journey_maps.format import example_journey, without_role
    >>> comparison = compare_reports(gap_report(example_journey()),
    ...                              gap_report(without_role(example_journey(), "8")))
    >>> [f.fingerprint for f in comparison.closed], comparison.opened, len(comparison.persisting)
    (['role:8:unplaced_role'], (), 11)
    """
    old, new = set(before.fingerprints), set(after.fingerprints)
    return Comparison(
        before=before,
        after=after,
        closed=tuple(f for f in before.findings if f.fingerprint not in new),
        opened=tuple(f for f in after.findings if f.fingerprint not in old),
        persisting=tuple(f for f in after.findings if f.fingerprint in old),
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


# --- JSON ------------------------------------------------------------------------------------


def transition_to_dict(result: TransitionResult) -> dict[str, Any]:
    """One transition's bridge count as plain data.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> transition_to_dict(gap_report(example_journey()).transitions[2])["cut_with_person"]
    ['1']
    """
    return {
        "from": result.source,
        "to": result.target,
        "kind": result.kind,
        "k": result.k,
        "k_with_person": result.k_with_person,
        "k_primary": result.k_primary,
        "grade": result.grade,
        "cut": list(result.cut),
        "cut_with_person": list(result.cut_with_person),
        "single_points": list(result.single_points),
        "person_carriers": list(result.person_carriers),
        "handoffs": result.handoffs,
        "boundary": result.boundary,
        "owners": list(result.owners),
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """One finding as plain data; ``message`` is the Swedish sentence.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> sorted(finding_to_dict(gap_report(example_journey()).findings[0]))
    ['code', 'fingerprint', 'message', 'message_en', 'roles', 'severity', 'stage', 'stages', 'transition']
    """  # noqa: E501
    transition = finding.transition
    return {
        "code": finding.code,
        "severity": finding.severity,
        "fingerprint": finding.fingerprint,
        "message": finding.message_sv,
        "message_en": finding.message_en,
        "stage": finding.stage,
        "transition": {"from": transition[0], "to": transition[1]} if transition else None,
        "roles": list(finding.roles),
        "stages": list(finding.stages),
    }


def figures_to_dict(figures: Figures) -> dict[str, Any]:
    """Journey-level figures as plain data.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> figures_to_dict(gap_report(example_journey()).figures)["findings_by_severity"]["critical"]
    1
    """
    data = asdict(figures)
    data["findings_by_severity"] = dict(figures.findings_by_severity)
    return data


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data, with the honesty line.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> data = report_to_dict(gap_report(example_journey()))
    >>> sorted(data)
    ['figures', 'findings', 'format', 'honesty', 'honesty_en', 'target_group', 'title', 'transitions']
    >>> data["transitions"][0]
    {'from': 's1', 'to': 's2', 'kind': 'forward', 'k': 1, 'k_with_person': 2, 'k_primary': 1, 'grade': 'fragile', 'cut': ['3'], 'cut_with_person': ['1', '3'], 'single_points': ['3'], 'person_carriers': [], 'handoffs': 0, 'boundary': False, 'owners': []}
    """  # noqa: E501
    return {
        "format": "brygga.journey-analysis/1",
        "title": report.title,
        "target_group": report.target_group,
        "honesty": HONESTY_SV,
        "honesty_en": HONESTY_EN,
        "transitions": [transition_to_dict(result) for result in report.transitions],
        "findings": [finding_to_dict(finding) for finding in report.findings],
        "figures": figures_to_dict(report.figures),
    }


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """A comparison as JSON-ready data: fingerprints closed/opened/persisting, figures side by
    side, and the transitions whose k changed.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> data = comparison_to_dict(what_if_remove_role(example_journey(), "4"))
    >>> data["k_changes"]
    [{'from': 's2', 'to': 's3', 'k_before': 1, 'k_after': 0}]
    >>> sorted(data["figures"])
    ['after', 'before']
    """
    return {
        "closed": [finding_to_dict(f) for f in comparison.closed],
        "opened": [finding_to_dict(f) for f in comparison.opened],
        "persisting": [finding_to_dict(f) for f in comparison.persisting],
        "figures": {
            "before": figures_to_dict(comparison.before.figures),
            "after": figures_to_dict(comparison.after.figures),
        },
        "k_changes": [
            {"from": a, "to": b, "k_before": k_before, "k_after": k_after}
            for a, b, k_before, k_after in comparison.k_changes
        ],
        "honesty": HONESTY_SV,
        "honesty_en": HONESTY_EN,
    }
