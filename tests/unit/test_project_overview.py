"""The project overview's pure rules: recurring gaps, figures side by side, names in the ZIP."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

from projects.bundle import Folder, readme_text
from projects.overview import (
    FINDING_SEVERITIES,
    GapSeen,
    JourneyFigures,
    WorkshopFigures,
    add_journeys,
    agreement_side_by_side,
    folder_name,
    group_figures,
    recurring_gaps,
    severity_levels,
    share_text,
)

ROOT = Path(__file__).resolve().parents[2]


def gap(workshop: int, organisation: str, text: str, group: str = "children") -> GapSeen:
    return GapSeen(workshop, f"WS1 nr {workshop}", group, organisation, "mandate", text, 3, 3)


def workshop(
    wid: int,
    group: str,
    *,
    kind: str = "ws1",
    participants: int = 10,
    organisations: tuple[str, ...] = (),
    answered: int = 0,
    gaps: int = 0,
    withheld: int = 0,
    own: tuple[tuple[str, int, int], ...] = (),
    journey: JourneyFigures | None = None,
) -> WorkshopFigures:
    return WorkshopFigures(
        wid,
        f"W{wid}",
        kind,
        group,
        None,
        participants,
        organisations,
        3,
        answered,
        gaps,
        withheld,
        own,
        journey,
    )


# --- Recurring gaps ----------------------------------------------------------------------------


def test_a_gap_met_once_does_not_recur():
    assert recurring_gaps([gap(1, "Habilitering", "Stödsamtal")]) == []


def test_the_same_organisation_and_wording_in_two_workshops_recurs():
    [found] = recurring_gaps(
        [gap(1, "Habilitering", "Stödsamtal"), gap(2, " habilitering", "stödsamtal.", "adults")]
    )
    assert found.text == "Stödsamtal"
    assert found.organisations == ("Habilitering",)
    assert found.workshops == 2 and found.same_organisation
    assert found.target_groups == ("children", "adults")


def test_the_same_wording_for_two_organisations_recurs_even_in_one_workshop():
    [found] = recurring_gaps([gap(1, "BUP", "Utredning"), gap(1, "IFO", "UTREDNING")])
    assert found.organisations == ("BUP", "IFO")
    assert found.workshops == 1 and not found.same_organisation


def test_a_repeated_statement_in_one_workshop_is_not_a_recurrence():
    assert recurring_gaps([gap(1, "IFO", "Hembesök"), gap(1, "IFO", "Hembesök!")]) == []


def test_different_wordings_do_not_recur_together():
    assert recurring_gaps([gap(1, "BUP", "Stödsamtal"), gap(2, "BUP", "Stödsamtal i grupp")]) == []


def test_recurring_gaps_are_ordered_by_spread_then_by_text():
    found = recurring_gaps(
        [
            gap(1, "A", "Öppenvård"),
            gap(1, "B", "Öppenvård"),
            gap(1, "A", "Bedömning"),
            gap(1, "B", "Bedömning"),
            gap(1, "A", "Samordning"),
            gap(2, "A", "Samordning"),
            gap(3, "C", "Samordning"),
        ]
    )
    assert [r.text for r in found] == ["Samordning", "Bedömning", "Öppenvård"]


# --- Figures side by side ------------------------------------------------------------------------


def test_a_target_group_adds_up_its_workshops_and_counts_organisations_once():
    workshops = [
        workshop(1, "children", organisations=("BUP", "NSPH"), answered=10, gaps=2, withheld=1),
        workshop(2, "children", organisations=("nsph", "IFO"), answered=5, gaps=1),
        workshop(3, "adults", participants=4, organisations=("VC",), answered=3),
    ]
    children = group_figures(workshops, "children")
    assert (children.ws1, children.ws2, children.participants) == (2, 0, 20)
    assert (children.organisations, children.answered, children.gaps) == (3, 15, 3)
    assert children.withheld == 1 and children.journey is None
    assert group_figures(workshops, "adults").participants == 4


def test_a_target_group_without_workshops_is_empty():
    adults = group_figures([workshop(1, "children")], "adults")
    assert (adults.workshops, adults.participants, adults.organisations, adults.journey) == (
        0,
        0,
        0,
        None,
    )


def test_journey_figures_of_several_maps_are_added_up():
    a = JourneyFigures(6, 6, 4, 3, (("critical", 0), ("high", 18)))
    b = JourneyFigures(6, 5, 1, 1, (("critical", 2), ("high", 13), ("info", 6)))
    total = add_journeys([a, b])
    assert total is not None
    assert (total.forward_transitions, total.bridged, total.robust, total.owned) == (12, 11, 5, 4)
    assert total.gaps == 1
    assert dict(total.findings_by_severity) == {
        "critical": 2,
        "high": 31,
        "medium": 0,
        "low": 0,
        "info": 6,
    }
    assert total.findings == 39


def test_the_severity_columns_are_the_levels_findings_have_so_they_add_up_to_the_total():
    from journey_maps.analysis import gap_report
    from journey_maps.format import load_journey

    given = {
        finding.severity
        for path in sorted((ROOT / "tests" / "fixtures" / "journeys").glob("*.json"))
        if path.stem != "invalid"
        for finding in gap_report(load_journey(path)).findings
    }
    assert given <= set(FINDING_SEVERITIES) and "info" in given
    b = JourneyFigures(6, 5, 1, 1, (("critical", 2), ("high", 13), ("low", 0), ("info", 6)))
    levels = severity_levels([b, None])
    assert levels == ("critical", "high", "medium", "info")
    assert sum(b.severity(level) for level in levels) == b.findings


def test_a_groups_journey_comes_only_from_its_ws2_workshops():
    figures = JourneyFigures(6, 5, 1, 1, (("critical", 2),))
    workshops = [workshop(1, "adults", kind="ws2", journey=figures), workshop(2, "adults")]
    adults = group_figures(workshops, "adults")
    assert (adults.ws1, adults.ws2, adults.journey) == (1, 1, add_journeys([figures]))


def test_agreement_is_pooled_per_group_and_shown_only_where_both_groups_have_it():
    workshops = [
        workshop(1, "children", own=(("Habilitering", 3, 4), ("BUP", 4, 4))),
        workshop(2, "children", own=(("habilitering", 1, 4),)),
        workshop(3, "adults", own=(("Habilitering", 2, 4), ("NSPH", 0, 0))),
    ]
    [row] = agreement_side_by_side(workshops)
    assert row.organisation == "Habilitering"
    assert (row.share("children"), row.answers("children")) == (0.5, 8)
    assert (row.share("adults"), row.answers("adults")) == (0.5, 4)


def test_shares_read_as_counts_and_percentages():
    assert share_text(1, 3) == "1/3 (33 %)"
    assert share_text(6, 6) == "6/6 (100 %)"
    assert share_text(0, 0) == "–"


# --- The ZIP -----------------------------------------------------------------------------------


def test_workshop_folders_are_file_name_safe_and_unique():
    taken: set[str] = set()
    names = [
        folder_name("WS2 Roller i patientresan – Barn och unga", dt.date(2026, 5, 4), taken),
        folder_name("WS2 Roller i patientresan – Barn och unga", dt.date(2026, 5, 4), taken),
        folder_name("WS2 Roller i patientresan – Barn och unga", None, taken),
        folder_name("???", None, taken),
        folder_name("x" * 100, None, taken),
    ]
    assert names[:4] == [
        "ws2-roller-i-patientresan-barn-och-unga-2026-05-04",
        "ws2-roller-i-patientresan-barn-och-unga-2026-05-04-2",
        "ws2-roller-i-patientresan-barn-och-unga",
        "workshop",
    ]
    assert len(names[4]) == 60
    assert all(re.fullmatch(r"[a-z0-9-]+", name) for name in names)


ALL_FILES = (
    "report.pdf",
    "report.html",
    "diagram.svg",
    "diagram.pdf",
    "diagram.dot",
    "findings.csv",
)


def folders() -> list[Folder]:
    return [
        Folder(
            "ws1-barn-2026-05-04",
            "WS1 Barn",
            "ws1",
            "children",
            dt.date(2026, 5, 4),
            3,
            ("report.pdf", "report.html"),
        ),
        Folder("ws2-vuxna", "WS2 Vuxna", "ws2", "adults", None, 5, ALL_FILES),
    ]


def test_the_readme_names_every_folder_and_file_in_swedish():
    text = readme_text("Ingen ska falla", folders(), lang="sv", today=dt.date(2026, 6, 1))
    assert text.splitlines()[:2] == [
        "Ingen ska falla",
        "Allt material från projektets workshoppar, sammanställt 2026-06-01 av Brygga.",
    ]
    assert "  WS1 Barn (WS1, Barn och unga, 2026-05-04)" in text
    assert "  WS2 Vuxna (WS2, Vuxna)" in text
    for name in ("report.pdf", "report.html", "diagram.svg", "diagram.pdf", "diagram.dot"):
        assert re.search(rf"^  {re.escape(name)} +\S", text, re.MULTILINE), name
    assert "minst 3 / 5 har svarat" in text
    assert "kunde inte rita" not in text  # every WS2 folder has its drawn diagram
    assert text.rstrip().endswith("inte hur ofta överlämningar faktiskt misslyckas.")


def test_the_readme_in_english_says_when_the_diagrams_could_not_be_drawn():
    [ws1, ws2] = folders()
    without = Folder(**{**ws2.__dict__, "files": ("report.pdf", "diagram.dot", "findings.csv")})
    text = readme_text("P", [ws1, without], lang="en", today=dt.date(2026, 6, 1))
    assert "Everything from the project's workshops, put together on 2026-06-01" in text
    assert "Graphviz (dot) could not draw them" in text
    assert text.rstrip().endswith("not how often handovers actually fail.")


def test_the_readme_of_an_empty_project_says_so():
    text = readme_text("P", [], lang="sv", today=dt.date(2026, 6, 1))
    assert "Projektet har inga workshoppar ännu." in text


# --- Boundaries --------------------------------------------------------------------------------


def test_the_overview_rules_import_no_framework_and_no_database():
    tree = ast.parse((ROOT / "projects" / "overview.py").read_text("utf-8"))
    roots = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert roots & {"flask", "flask_socketio", "sqlalchemy", "db", "web"} == set()


def test_every_message_the_project_code_uses_exists_in_both_languages():
    used: set[str] = set()
    for path in (ROOT / "projects").glob("*.py"):
        text = path.read_text("utf-8")
        used |= set(re.findall(r'"((?:error|flash|projects\.readme)\.[a-z0-9_.]+)"', text))
    used |= {f"projects.readme.file.{name.replace('.', '_')}" for name in ALL_FILES}
    for lang in ("sv", "en"):
        catalogue = json.loads((ROOT / "translations" / f"projects.{lang}.json").read_text("utf-8"))
        assert sorted(used - set(catalogue)) == [], lang


def test_the_readme_says_which_report_version_each_folder_holds():
    [ws1, ws2] = folders()
    published = Folder(**{**ws1.__dict__, "version": 3})
    text = readme_text("P", [published, ws2], lang="sv", today=dt.date(2026, 6, 1))
    first, second = text.split("ws2-vuxna/")
    assert "report.pdf     Workshopens rapport, publicerad version 3: dokumentationen som" in first
    assert "report.pdf     UTKAST till workshopens rapport: ingen version är publicerad" in second
    english = readme_text("P", [ws2], lang="en", today=dt.date(2026, 6, 1))
    assert "A DRAFT of the workshop's report: no version is published, so it has not" in english
