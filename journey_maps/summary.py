"""The journey at a glance, for the WS2 results page: the figures, how many findings of each
severity, the critical ones, and how far the facilitator has come in judging them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from journey_maps.analysis import gap_report
from journey_maps.board import workshop_journey
from journey_maps.report import Figures, Finding, Report
from journey_maps.stages import has_stages
from journey_maps.triage import STATUSES, triage_map


@dataclass(frozen=True)
class JourneySummary:
    """``severities`` are (severity, count) from the most serious down, only those found;
    ``judged`` (status, count) counts verdicts on today's findings only (a verdict whose
    finding has closed since is left out)."""

    figures: Figures
    findings: int
    severities: tuple[tuple[str, int], ...]
    critical: tuple[Finding, ...]
    judged: tuple[tuple[str, int], ...]

    @property
    def unjudged(self) -> int:
        return self.findings - sum(n for _, n in self.judged)


def summarise(report: Report, verdicts: dict[str, dict[str, Any]]) -> JourneySummary:
    """The summary of an analysed map, given the facilitator's verdicts by fingerprint.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> report = gap_report(example_journey())
    >>> verdicts = {
    ...     "s3>s2:patient_carries": {"status": "confirmed"},
    ...     "s1>s2:single_point:3": {"status": "dismissed"},
    ...     "gone>away:unbridged": {"status": "fixed"},
    ... }
    >>> summary = summarise(report, verdicts)
    >>> summary.severities
    (('critical', 1), ('high', 8), ('medium', 2), ('info', 1))
    >>> [f.fingerprint for f in summary.critical]
    ['s3>s2:patient_carries']
    >>> summary.judged, summary.unjudged
    ((('confirmed', 1), ('dismissed', 1)), 10)
    """
    judged = Counter(
        verdicts[f.fingerprint]["status"] for f in report.findings if f.fingerprint in verdicts
    )
    return JourneySummary(
        figures=report.figures,
        findings=len(report.findings),
        severities=tuple((s, n) for s, n in report.figures.findings_by_severity if n),
        critical=tuple(f for f in report.findings if f.severity == "critical"),
        judged=tuple((s, judged[s]) for s in STATUSES if judged[s]),
    )


def journey_summary(session: Session, workshop_id: int) -> JourneySummary | None:
    """The workshop's map summed up, or None while it has no stages."""
    if not has_stages(session, workshop_id):
        return None
    report = gap_report(workshop_journey(session, workshop_id))
    return summarise(report, triage_map(session, workshop_id))
