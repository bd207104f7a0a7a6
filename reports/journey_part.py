"""A report document's journey: the map and its analysis as they were when it was made.

A published version is sent to the invited organisations and read weeks later, after the
software may have changed. Its findings' sentences were always frozen in the document; now the
whole analysis is too (``journey.analysis``, ``brygga.journey-analysis/1``), so the diagram, the
findings and what concerns each organisation read as they did when the version was published.
A document stored before documents kept their analysis carries only the map, and is analysed
anew; so is one whose analysis this release cannot read (another format), with a warning.
"""

from __future__ import annotations

import logging
from typing import Any

from journey_maps.analysis import gap_report
from journey_maps.format import parse_journey
from journey_maps.model import Journey
from journey_maps.report import ANALYSIS_FORMAT, Report, report_from_dict

log = logging.getLogger(__name__)


def journey_and_analysis(part: dict[str, Any]) -> tuple[Journey, Report]:
    """The map of a report document's ``journey`` part and its analysis: the stored one, or
    today's for a document that has none this release can read.

    Examples
    --------
    >>> from journey_maps.format import example_journey, journey_to_dict
    >>> from journey_maps.report import report_to_dict
    >>> part = {"map": journey_to_dict(example_journey())}
    >>> journey, fresh = journey_and_analysis(part)
    >>> stored = report_to_dict(fresh)
    >>> stored["findings"] = stored["findings"][:1]  # as if the analysis had found one
    >>> len(journey_and_analysis(part | {"analysis": stored})[1].findings)
    1
    >>> later = stored | {"format": "brygga.journey-analysis/2"}
    >>> journey_and_analysis(part | {"analysis": later})[1] == fresh
    True
    >>> broken = stored | {"figures": {"bridged": 1}}
    >>> journey_and_analysis(part | {"analysis": broken})[1] == fresh
    True
    """
    journey = parse_journey(part["map"])
    stored = part.get("analysis")
    if stored and stored.get("format") == ANALYSIS_FORMAT:
        try:
            return journey, report_from_dict(stored)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            log.warning("stored journey analysis not read, analysed anew: %r", exc)
    elif stored:
        log.warning("stored journey analysis of format %r, analysed anew", stored.get("format"))
    return journey, gap_report(journey)


def finding_text(item: dict[str, Any], lang: str) -> str:
    """A report's finding worded in a language, as the report shows it and the files beside
    it do: an organisation's accepted correction, written in one language, replaces the
    wording in both; otherwise the text in that language (Swedish where a document stored
    none in English).

    >>> finding = {"text": "Ingen roll", "text_en": "No role"}
    >>> finding_text(finding, "en"), finding_text(finding, "sv")
    ('No role', 'Ingen roll')
    >>> finding_text(finding | {"text": "Rättad", "corrected_from": "Ingen roll"}, "en")
    'Rättad'
    >>> finding_text({"text": "Ingen roll"}, "en")
    'Ingen roll'
    """
    if lang == "en" and "corrected_from" not in item:
        return str(item.get("text_en") or item["text"])
    return str(item["text"])


def published_findings(part: dict[str, Any], lang: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The verdicts on a report document's findings and their wording in ``lang``
    (``finding_text``), both by fingerprint, as the report has them.

    >>> part = {"findings": [
    ...     {"key": "finding:a", "text": "A", "text_en": "A en", "triage": {"status": "confirmed"}},
    ...     {"key": "finding:b", "text": "Rättad", "corrected_from": "B", "triage": None}]}
    >>> published_findings(part, "en")
    ({'a': {'status': 'confirmed'}}, {'a': 'A en', 'b': 'Rättad'})
    """
    findings = {f["key"].removeprefix("finding:"): f for f in part.get("findings", [])}
    verdicts = {key: f["triage"] for key, f in findings.items() if f.get("triage")}
    texts = {key: finding_text(f, lang) for key, f in findings.items()}
    return verdicts, texts
