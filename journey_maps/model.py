"""A journey map's plain data: stages, transitions, roles, placements, handoffs and owners."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

FORMAT = "brygga.journey/1"
TRANSITION_KINDS: tuple[str, ...] = ("forward", "back")
PRINCIPALS: tuple[str, ...] = (
    "region",
    "municipality",
    "school",
    "private",
    "civil_society",
    "state",
)
EVIDENCE: tuple[str, ...] = ("observed", "assumed", "proposed")
# How a handoff happens, in the map's own words ("följer med till besöket"): at most this long,
# everywhere a mode is accepted (phone, facilitator, map file, workshop archive)
MODE_LIMIT = 120
# A stage's or a transition's name, and a stage's kind, as the tables keep them
LABEL_LIMIT = 120
KIND_LIMIT = 30


@dataclass(frozen=True)
class Stage:
    """A step of the journey; its position in ``Journey.stages`` is its order."""

    id: str
    label: str
    label_en: str | None = None
    kind: str | None = None


class TransitionKeyed:
    """The identity of anything that sits on one transition (``source`` → ``target``)."""

    source: str
    target: str

    @property
    def key(self) -> tuple[str, str]:
        """``(source, target)``, the transition's identity."""
        return (self.source, self.target)

    @property
    def name(self) -> str:
        """``"s1>s2"``, the prefix of the transition's finding fingerprints."""
        return f"{self.source}>{self.target}"


@dataclass(frozen=True)
class Transition(TransitionKeyed):
    """A directed move between two stages; ``kind`` is "forward" or "back"."""

    source: str
    target: str
    kind: str = "forward"
    label: str | None = None
    label_en: str | None = None


@dataclass(frozen=True)
class Role:
    """A functional role used in this map (catalogue role or custom)."""

    id: str
    label: str
    tier: str
    professional: bool
    label_en: str | None = None
    coordinating: bool = False


@dataclass(frozen=True)
class Placement:
    """Role ``role`` is present at stage ``stage``, optionally filled by an organisation."""

    role: str
    stage: str
    organisation: str | None = None
    principal: str | None = None
    notes: str | None = None
    placed_by: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Handoff:
    """At transition ``from_stage``→``to_stage``, ``from_role`` hands over to ``to_role``."""

    from_stage: str
    from_role: str
    to_stage: str
    to_role: str
    acknowledged: bool = False
    mode: str | None = None
    evidence: str | None = None
    notes: str | None = None
    id: str | None = None

    @property
    def transition(self) -> tuple[str, str]:
        """``(from_stage, to_stage)``."""
        return (self.from_stage, self.to_stage)


@dataclass(frozen=True)
class Owner:
    """``role`` is responsible for the handover at ``source``→``target``."""

    source: str
    target: str
    role: str


@dataclass(frozen=True)
class Journey:
    """A validated journey map. Build one with ``parse_journey``, never by hand.

    The cached properties are indexes the graph builders and analyses share.
    """

    title: str
    target_group: str
    stages: tuple[Stage, ...]
    transitions: tuple[Transition, ...]
    roles: tuple[Role, ...]
    placements: tuple[Placement, ...] = ()
    handoffs: tuple[Handoff, ...] = ()
    owners: tuple[Owner, ...] = ()
    description: str | None = None
    snapshot: str | None = None

    @cached_property
    def stage_order(self) -> dict[str, int]:
        """Stage id → position in the journey."""
        return {stage.id: index for index, stage in enumerate(self.stages)}

    @cached_property
    def stage_by_id(self) -> dict[str, Stage]:
        """Stage id → ``Stage``."""
        return {stage.id: stage for stage in self.stages}

    @cached_property
    def role_by_id(self) -> dict[str, Role]:
        """Role id → ``Role``."""
        return {role.id: role for role in self.roles}

    @cached_property
    def roles_at(self) -> dict[str, frozenset[str]]:
        """Stage id → the role ids placed there (every stage present, maybe empty)."""
        found: dict[str, set[str]] = {stage.id: set() for stage in self.stages}
        for placement in self.placements:
            found[placement.stage].add(placement.role)
        return {stage: frozenset(roles) for stage, roles in found.items()}

    @cached_property
    def principals_at(self) -> dict[tuple[str, str], frozenset[str]]:
        """``(stage, role)`` → the principals recorded on its placements."""
        found: dict[tuple[str, str], set[str]] = defaultdict(set)
        for placement in self.placements:
            principals = found[(placement.stage, placement.role)]
            if placement.principal:
                principals.add(placement.principal)
        return {key: frozenset(value) for key, value in found.items()}

    @cached_property
    def handoffs_at(self) -> dict[tuple[str, str], tuple[Handoff, ...]]:
        """Transition key → its handoffs, sorted by role ids."""
        found: dict[tuple[str, str], list[Handoff]] = {t.key: [] for t in self.transitions}
        for handoff in self.handoffs:
            found[handoff.transition].append(handoff)
        return {
            key: tuple(
                sorted(value, key=lambda h: (role_sort_key(h.from_role), role_sort_key(h.to_role)))
            )
            for key, value in found.items()
        }

    @cached_property
    def owners_at(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """Transition key → the owner role ids, sorted."""
        found: dict[tuple[str, str], list[str]] = {t.key: [] for t in self.transitions}
        for owner in self.owners:
            found[(owner.source, owner.target)].append(owner.role)
        return {key: tuple(sorted(value, key=role_sort_key)) for key, value in found.items()}

    @cached_property
    def ordered_transitions(self) -> tuple[Transition, ...]:
        """Transitions sorted by the order of their stages, never by input order."""
        order = self.stage_order
        return tuple(sorted(self.transitions, key=lambda t: (order[t.source], order[t.target])))

    @cached_property
    def role_ids(self) -> tuple[str, ...]:
        """Role ids in a stable order (catalogue numbering, then the rest)."""
        return tuple(sorted(self.role_by_id, key=role_sort_key))

    def stage_label(self, stage_id: str, lang: str = "sv") -> str:
        """The stage's label in ``lang``, falling back to Swedish."""
        stage = self.stage_by_id[stage_id]
        return (stage.label_en or stage.label) if lang == "en" else stage.label

    def role_label(self, role_id: str, lang: str = "sv") -> str:
        """The role's label in ``lang``, falling back to Swedish."""
        role = self.role_by_id[role_id]
        return (role.label_en or role.label) if lang == "en" else role.label


def role_sort_key(role_id: str) -> tuple[int, int, str]:
    """Sort role ids as the catalogue numbers them: 1 < 2 < 5 < 5B < 6 < 10 < F < custom.

    Examples
    --------
    >>> sorted(["10", "F", "5B", "2", "5", "kurator"], key=role_sort_key)
    ['2', '5', '5B', '10', 'F', 'kurator']
    """
    match = re.match(r"^(\d+)(.*)$", role_id)
    if match:
        return (0, int(match.group(1)), match.group(2))
    return (1, 0, role_id)
