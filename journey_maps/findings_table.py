"""The findings of a journey map with the verdicts on them: the one findings table of every
download (the Data tab, the map files page, the project's ZIP, the command line)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journey_maps.analysis import gap_report
from journey_maps.model import Journey
from journey_maps.report import Report
from tabular import Label, Table, table_csv


def findings_table(
    report: Report,
    stage_labels: dict[str, str],
    verdicts: dict[str, dict[str, Any]],
    lang: str,
    *,
    texts: Mapping[str, str] | None = None,
) -> Table:
    """The gap analysis's findings with the facilitator's verdict on each. The raw codes and
    ids are findings.json's. ``texts`` words a finding (by its fingerprint) as a report does
    after accepting an organisation's correction of it, in either language.

    >>> from journey_maps.analysis import gap_report
    >>> from journey_maps.format import example_journey
    >>> journey = example_journey()
    >>> verdicts = {"s3>s2:patient_carries": {"status": "dismissed", "reason": "Finns rutin"}}
    >>> table = findings_table(gap_report(journey), stage_labels(journey, "sv"), verdicts, "sv")
    >>> first = table.rows[0]
    >>> first[1], first[2], first[5].text("sv"), first[6]
    ('patient_carries', 'Bedömning → Första kontakt', 'Avfärdat', 'Finns rutin')
    >>> texts = {"s3>s2:patient_carries": "Rättad text"}
    >>> findings_table(gap_report(journey), {}, {}, "en", texts=texts).rows[0][4]
    'Rättad text'
    """
    texts = texts or {}
    rows = []
    for f in report.findings:
        verdict = verdicts.get(f.fingerprint) or {}
        where = (
            " → ".join(stage_labels.get(s, s) for s in f.transition)
            if f.transition
            else stage_labels.get(f.stage or "", f.stage or "")
            or " → ".join(stage_labels.get(s, s) for s in f.stages)
        )
        rows.append(
            (
                Label(f"board.severity.{f.severity}"),
                f.code,
                where or None,
                " ".join(f.roles) or None,
                texts.get(f.fingerprint) or (f.message_en if lang == "en" else f.message_sv),
                Label(f"board.triage.{verdict['status']}") if verdict.get("status") else None,
                verdict.get("reason"),
                f.fingerprint,
            )
        )
    return Table(
        "findings",
        ("severity", "code", "where", "roles", "finding", "verdict", "reason", "fingerprint"),
        tuple(rows),
    )


def stage_labels(journey: Journey, lang: str) -> dict[str, str]:
    """Each stage's name in ``lang`` by its id (Swedish where it has no English one).

    >>> from journey_maps.format import example_journey
    >>> stage_labels(example_journey(), "en")["s1"]
    'Concern'
    """
    return {s.id: (s.label_en or s.label) if lang == "en" else s.label for s in journey.stages}


def map_findings_table(
    journey: Journey,
    verdicts: dict[str, dict[str, Any]],
    lang: str,
    *,
    report: Report | None = None,
    texts: Mapping[str, str] | None = None,
) -> Table:
    """The findings of one map (the live one or a saved version) with the verdicts on them;
    ``report`` is its analysis when the caller has it (else it is analysed here), ``texts``
    the findings' corrected wording (``findings_table``).

    >>> from journey_maps.format import example_journey
    >>> table = map_findings_table(example_journey(), {}, "sv")
    >>> first = table.rows[0]
    >>> first[0].text("sv"), first[1], first[2]
    ('Kritisk', 'patient_carries', 'Bedömning → Första kontakt')
    """
    analysis = gap_report(journey) if report is None else report
    return findings_table(analysis, stage_labels(journey, lang), verdicts, lang, texts=texts)


def map_findings_csv(
    journey: Journey,
    verdicts: dict[str, dict[str, Any]],
    lang: str,
    *,
    report: Report | None = None,
    texts: Mapping[str, str] | None = None,
) -> bytes:
    r"""The findings of one map as CSV, as the Data tab writes its tables (no column of it
    depends on the anonymity threshold: findings hold no answers). The verdicts follow a
    finding by its fingerprint (``journey_maps.triage.triage_map``).

    >>> from journey_maps.format import example_journey
    >>> map_findings_csv(example_journey(), {}, "en").splitlines()[0]
    b'\xef\xbb\xbfSeverity;Code;Where;Roles;Finding;Verdict;Reason;Fingerprint'
    """
    table = map_findings_table(journey, verdicts, lang, report=report, texts=texts)
    return table_csv(table, lang, 0)
