"""The gap report's plain data (transitions, findings, figures) and its JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from journey_maps.messages import HONESTY_EN, HONESTY_SV
from journey_maps.model import Journey, TransitionKeyed, role_sort_key

ANALYSIS_FORMAT = "brygga.journey-analysis/1"
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


@dataclass(frozen=True)
class TransitionResult(TransitionKeyed):
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


def finding_order(journey: Journey, finding: Finding) -> tuple[Any, ...]:
    """Where a finding goes in a report: by severity, code, place along the journey, roles.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> def at(stage, severity="high"):
    ...     return Finding("empty_stage", severity, f"stage:{stage}:empty_stage", "", "", stage)
    >>> order = [at("s3"), at("s1"), at("s2", "critical")]
    >>> [f.fingerprint for f in sorted(order, key=lambda f: finding_order(example_journey(), f))]
    ['stage:s2:empty_stage', 'stage:s1:empty_stage', 'stage:s3:empty_stage']
    """
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


def transition_to_dict(result: TransitionResult) -> dict[str, Any]:
    """One transition's bridge count as plain data.

    Examples
    --------
    >>> from journey_maps.analysis import gap_report
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
    >>> from journey_maps.analysis import gap_report
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
    >>> from journey_maps.analysis import gap_report
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
    >>> from journey_maps.analysis import gap_report
    >>> from journey_maps.format import example_journey
    >>> data = report_to_dict(gap_report(example_journey()))
    >>> sorted(data)
    ['figures', 'findings', 'format', 'honesty', 'honesty_en', 'target_group', 'title', 'transitions']
    >>> data["transitions"][0]
    {'from': 's1', 'to': 's2', 'kind': 'forward', 'k': 1, 'k_with_person': 2, 'k_primary': 1, 'grade': 'fragile', 'cut': ['3'], 'cut_with_person': ['1', '3'], 'single_points': ['3'], 'person_carriers': [], 'handoffs': 0, 'boundary': False, 'owners': []}
    """  # noqa: E501
    return {
        "format": ANALYSIS_FORMAT,
        "title": report.title,
        "target_group": report.target_group,
        "honesty": HONESTY_SV,
        "honesty_en": HONESTY_EN,
        "transitions": [transition_to_dict(result) for result in report.transitions],
        "findings": [finding_to_dict(finding) for finding in report.findings],
        "figures": figures_to_dict(report.figures),
    }


def report_from_dict(data: dict[str, Any]) -> Report:
    """The report back from its JSON form (``report_to_dict``), as a report document keeps it,
    so that a published version is drawn and read with the analysis it was published with.

    Examples
    --------
    >>> import json
    >>> from journey_maps.analysis import gap_report
    >>> from journey_maps.format import example_journey
    >>> report = gap_report(example_journey())
    >>> report_from_dict(json.loads(json.dumps(report_to_dict(report)))) == report
    True
    """
    figures = dict(data["figures"])
    figures["findings_by_severity"] = tuple(
        (severity, figures["findings_by_severity"].get(severity, 0)) for severity in SEVERITIES
    )
    return Report(
        title=data["title"],
        target_group=data["target_group"],
        transitions=tuple(_transition_from_dict(t) for t in data["transitions"]),
        findings=tuple(_finding_from_dict(f) for f in data["findings"]),
        figures=Figures(**figures),
    )


def _transition_from_dict(data: dict[str, Any]) -> TransitionResult:
    return TransitionResult(
        source=data["from"],
        target=data["to"],
        kind=data["kind"],
        k=data["k"],
        k_with_person=data["k_with_person"],
        k_primary=data["k_primary"],
        cut=tuple(data["cut"]),
        cut_with_person=tuple(data["cut_with_person"]),
        single_points=tuple(data["single_points"]),
        person_carriers=tuple(data["person_carriers"]),
        handoffs=data["handoffs"],
        boundary=data["boundary"],
        owners=tuple(data["owners"]),
    )


def _finding_from_dict(data: dict[str, Any]) -> Finding:
    transition = data["transition"]
    return Finding(
        code=data["code"],
        severity=data["severity"],
        fingerprint=data["fingerprint"],
        message_sv=data["message"],
        message_en=data["message_en"],
        stage=data["stage"],
        transition=(transition["from"], transition["to"]) if transition else None,
        roles=tuple(data["roles"]),
        stages=tuple(data["stages"]),
    )
