"""Project use cases on a real SQLite session: grouping workshops, the overview, the ZIP."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from journey_maps import stages as journey_stages
from journey_maps import triage
from journey_maps.analysis import gap_report
from journey_maps.board import workshop_journey
from journey_maps.importing import import_journey
from projects import services
from projects.bundle import journey_files, project_bundle
from projects.render import render_overview_html
from reports import verification
from reports.document import build_report
from reports.models import ReportVersion
from tests.e2e.test_journey_diagram_downloads import pdf_titles
from tests.e2e.test_verification_pages import NEEDS_PDFTOTEXT, pdf_text
from workshops import services as workshop_services
from workshops import voting
from workshops.domain import WorkshopError
from workshops.models import Organisation, Workshop
from workshops.setup import prepare_ws2

MAP = Path(__file__).parents[1] / "fixtures" / "journeys" / "demo_children.json"


@dataclass
class Series:
    """A project's workshops: WS1 for children and adults, WS2 for children."""

    children: int
    adults: int
    journey: int
    withheld_text: str = "Hembesök"


BALLOTS = itertools.count()


def answer(session: Session, wid: int, sid: int, votes: list[tuple[int, str]]) -> None:
    """``votes`` as (organisation id, choice); each vote by a participant of its own (a
    survey's late answers reopen the statement the same way)."""
    voting.open_statements(session, workshop_id=wid, statement_ids=[sid])
    for org, choice in votes:
        joined = voting.join(session, workshop_id=wid, organisation_id=org, display_name=None)
        voting.cast_vote(
            session,
            participant_id=joined.participant_id,
            statement_id=sid,
            choice=choice,
            ballot_id=f"series-{next(BALLOTS):05d}",
        )
    voting.close_statement(session, workshop_id=wid, statement_id=sid)


def ws1(
    session: Session, title: str, group: str, date: dt.date, orgs: list[str]
) -> tuple[int, dict[str, int]]:
    wid = workshop_services.create_workshop(
        session, owner_id=None, title=title, date=date, target_group=group
    )
    ids = {
        name: workshop_services.add_organisation(
            session, workshop_id=wid, name=name, principal="region"
        )
        for name in orgs
    }
    return wid, ids


def statement(
    session: Session,
    wid: int,
    org: int,
    perspective: str,
    text: str,
    votes: list[tuple[int, str]],
) -> int:
    """A statement about ``org`` (mandate), answered by ``votes`` and closed."""
    [sid] = workshop_services.add_statements(
        session,
        workshop_id=wid,
        organisation_id=org,
        topic="mandate",
        perspective=perspective,
        texts=[text],
    )
    answer(session, wid, sid, votes)
    return sid


def build_series(session: Session) -> Series:
    """Children: Habilitering's own description answered 3 Yes, 1 No; "Stödsamtal" a gap for
    Habilitering and for BUP; "Hembesök" answered No by two only (withheld at threshold 3).
    Adults: Habilitering's own description 2 Yes, 2 No; "stödsamtal." a gap for Habilitering.
    WS2 for children: the demo map."""
    orgs = ["Habilitering", "BUP", "NSPH"]
    kids, k = ws1(session, "WS1 Barn och unga", "children", dt.date(2026, 3, 2), orgs)
    hab, bup = k["Habilitering"], k["BUP"]
    statement(session, kids, hab, "own", "Barn 0–18 år", [(bup, "yes")] * 3 + [(k["NSPH"], "no")])
    statement(session, kids, hab, "others", "Stödsamtal", [(hab, "no")] * 3)
    statement(session, kids, hab, "others", "Hembesök", [(hab, "no")] * 2)
    statement(session, kids, bup, "others", "Stödsamtal", [(bup, "no")] * 2 + [(bup, "yes")])

    orgs = ["habilitering", "NSPH", "VC"]
    adults, a = ws1(session, "WS1 Vuxna", "adults", dt.date(2026, 3, 9), orgs)
    hab = a["habilitering"]
    statement(
        session, adults, hab, "own", "Vuxna", [(a["NSPH"], "yes")] * 2 + [(a["VC"], "no")] * 2
    )
    statement(session, adults, hab, "others", "stödsamtal.", [(hab, "no")] * 3)

    journey = workshop_services.create_workshop(
        session,
        owner_id=None,
        title="WS2 Barn och unga",
        date=dt.date(2026, 3, 16),
        target_group="children",
        kind="ws2",
    )
    prepare_ws2(session, workshop_id=journey)
    import_journey(session, workshop_id=journey, document=json.loads(MAP.read_text("utf-8")))
    return Series(kids, adults, journey)


@pytest.fixture
def series(session: Session) -> Series:
    return build_series(session)


@pytest.fixture
def project(session: Session, series: Series) -> int:
    pid = services.create_project(session, name="Ingen ska falla mellan stolarna")
    for wid in (series.journey, series.adults, series.children):
        services.assign_workshop(session, project_id=pid, workshop_id=wid)
    return pid


# --- Projects and their workshops ----------------------------------------------------------------


def test_a_project_name_is_required_and_unique_whatever_the_case(session):
    pid = services.create_project(session, name="  Ingen ska  falla ", description=" Serien ")
    assert services.get_project(session, pid).name == "Ingen ska falla"
    assert services.get_project(session, pid).description == "Serien"
    with pytest.raises(WorkshopError, match="project_name_taken"):
        services.create_project(session, name="INGEN SKA FALLA")
    with pytest.raises(WorkshopError, match="project_name_empty"):
        services.create_project(session, name="   ")
    with pytest.raises(WorkshopError, match="project_name_too_long"):
        services.create_project(session, name="x" * 201)


def test_renaming_keeps_the_own_name_free_and_refuses_another_projects(session):
    first = services.create_project(session, name="Första")
    services.create_project(session, name="Andra")
    services.rename_project(session, project_id=first, name="första", description="")
    assert services.get_project(session, first).name == "första"
    assert services.get_project(session, first).description is None
    with pytest.raises(WorkshopError, match="project_name_taken"):
        services.rename_project(session, project_id=first, name="andra")


def test_deleting_a_project_keeps_its_workshops_ungrouped(session, series, project):
    services.delete_project(session, project_id=project)
    with pytest.raises(WorkshopError, match="project_not_found"):
        services.get_project(session, project)
    for wid in (series.children, series.adults, series.journey):
        assert session.get(Workshop, wid).project_id is None
    assert {w.id for w in services.ungrouped_workshops(session)} == {
        series.children,
        series.adults,
        series.journey,
    }


def test_a_workshop_belongs_to_one_project_at_a_time(session, series, project):
    other = services.create_project(session, name="Annat")
    with pytest.raises(WorkshopError, match="project_workshop_taken"):
        services.assign_workshop(session, project_id=other, workshop_id=series.children)
    services.assign_workshop(session, project_id=project, workshop_id=series.children)  # again
    with pytest.raises(WorkshopError, match="project_workshop_not_in_project"):
        services.unassign_workshop(session, project_id=other, workshop_id=series.children)
    services.unassign_workshop(session, project_id=project, workshop_id=series.children)
    services.assign_workshop(session, project_id=other, workshop_id=series.children)
    assert session.get(Workshop, series.children).project_id == other


def test_unassigning_leaves_the_workshop_and_its_answers_alone(session, series, project):
    services.unassign_workshop(session, project_id=project, workshop_id=series.children)
    assert [w.id for w in services.ungrouped_workshops(session)] == [series.children]
    assert workshop_services.get_workshop(session, series.children).title == "WS1 Barn och unga"
    assert workshop_services.list_workshops(session)[-1]["participants"] == 12


def test_projects_are_listed_with_children_first_then_adults_each_by_date(session, series, project):
    services.create_project(session, name="Annat projekt")
    listed = services.list_projects(session)
    assert [p.name for p in listed] == ["Annat projekt", "Ingen ska falla mellan stolarna"]
    assert listed[0].workshops == ()
    assert [w.id for w in listed[1].workshops] == [series.children, series.journey, series.adults]
    assert [w.kind for w in listed[1].workshops] == ["ws1", "ws2", "ws1"]


def test_an_unknown_project_or_workshop_is_not_found(session, series):
    with pytest.raises(WorkshopError, match="project_not_found"):
        services.project_overview(session, 999)
    pid = services.create_project(session, name="P")
    with pytest.raises(WorkshopError, match="workshop_not_found"):
        services.assign_workshop(session, project_id=pid, workshop_id=999)


# --- The overview ------------------------------------------------------------------------------


def test_the_overview_shows_each_workshop_with_its_disclosed_figures(session, series, project):
    overview = services.project_overview(session, project)
    by_id = {w.id: w for w in overview.workshops}
    kids = by_id[series.children]
    assert (kids.kind, kids.target_group, kids.date) == ("ws1", "children", dt.date(2026, 3, 2))
    assert kids.participants == 12
    assert kids.organisations == ("BUP", "Habilitering", "NSPH")
    # "Hembesök" was answered by two: withheld, so neither answered nor a gap
    assert (kids.answered, kids.gaps, kids.withheld, kids.threshold) == (3, 2, 1, 3)
    assert by_id[series.adults].withheld == 0
    assert by_id[series.children].journey is None


def test_the_journey_figures_are_the_gap_analysis_figures(session, series, project):
    overview = services.project_overview(session, project)
    journey = next(w.journey for w in overview.workshops if w.id == series.journey)
    figures = gap_report(workshop_journey(session, series.journey)).figures
    assert journey is not None
    assert (journey.forward_transitions, journey.bridged, journey.robust, journey.owned) == (
        figures.forward_transitions,
        figures.bridged,
        figures.robust,
        figures.owned,
    )
    assert journey.findings_by_severity == figures.findings_by_severity
    assert journey.gaps == figures.forward_transitions - figures.bridged


def test_children_and_adults_stand_side_by_side(session, series, project):
    children, adults = services.project_overview(session, project).groups
    assert (children.target_group, adults.target_group) == ("children", "adults")
    assert (children.ws1, children.ws2, adults.ws1, adults.ws2) == (1, 1, 1, 0)
    assert (children.participants, adults.participants) == (12, 7)
    assert (children.answered, children.gaps, children.withheld) == (3, 2, 1)
    assert (adults.answered, adults.gaps, adults.withheld) == (2, 1, 0)
    assert children.journey is not None and adults.journey is None


def test_agreement_is_compared_for_organisations_in_both_groups(session, series, project):
    [row] = services.project_overview(session, project).agreement
    assert row.organisation == "Habilitering"
    assert (row.share("children"), row.answers("children")) == (0.75, 4)
    assert (row.share("adults"), row.answers("adults")) == (0.5, 4)


def test_recurring_gaps_span_workshops_and_organisations(session, series, project):
    [recurring] = services.project_overview(session, project).recurring
    assert recurring.text == "Stödsamtal"
    assert recurring.organisations == ("BUP", "Habilitering")
    assert recurring.workshops == 2
    assert recurring.same_organisation
    assert recurring.target_groups == ("children", "adults")
    assert sorted((g.workshop, g.no, g.total) for g in recurring.seen) == [
        ("WS1 Barn och unga", 2, 3),
        ("WS1 Barn och unga", 3, 3),
        ("WS1 Vuxna", 3, 3),
    ]


def test_a_withheld_statement_enters_no_figure_of_the_overview(session, series, project):
    overview = services.project_overview(session, project)
    texts = {gap.text for r in overview.recurring for gap in r.seen}
    assert series.withheld_text not in texts
    # lowering the threshold to 2 discloses it: then it is a gap like any other
    workshop_services.set_anonymity_threshold(session, workshop_id=series.children, threshold=2)
    kids = services.project_overview(session, project).workshops[0]
    assert (kids.answered, kids.gaps, kids.withheld) == (4, 3, 0)


def test_an_empty_project_has_empty_columns(session):
    pid = services.create_project(session, name="Tomt")
    overview = services.project_overview(session, pid)
    assert overview.workshops == () and overview.recurring == () and overview.agreement == ()
    assert [(g.workshops, g.participants, g.journey) for g in overview.groups] == [
        (0, 0, None),
        (0, 0, None),
    ]


# --- The ZIP -----------------------------------------------------------------------------------


def bundle(app: Flask, session: Session, pid: int, lang: str = "sv") -> zipfile.ZipFile:
    # the reports render through Flask's templates: a request context, as in the download view
    with app.test_request_context():
        data = project_bundle(session, pid, lang=lang, today=dt.date(2026, 4, 1))
    return zipfile.ZipFile(io.BytesIO(data))


FOLDERS = {
    "ws1-barn-och-unga-2026-03-02",
    "ws2-barn-och-unga-2026-03-16",
    "ws1-vuxna-2026-03-09",
}


def test_the_zip_has_a_folder_per_workshop_and_a_readme(app, session, series, project):
    archive = bundle(app, session, project)
    names = archive.namelist()
    assert {n.split("/")[0] for n in names if "/" in n} == FOLDERS
    journey = "ws2-barn-och-unga-2026-03-16/"
    for name in ("diagram.svg", "diagram.pdf", "diagram.dot", "findings.csv"):
        assert journey + name in names
    assert archive.read(journey + "diagram.dot").startswith(b"digraph journey {")
    assert b"<svg" in archive.read(journey + "diagram.svg")
    pdf = archive.read(journey + "diagram.pdf")
    assert pdf.startswith(b"%PDF")
    [title] = pdf_titles(pdf)  # titled, as the map files page's download is
    # unpublished: the map as it is on the day the ZIP is made
    assert title.endswith(" – patientresan med glappen (Kartan per 2026-04-01)")
    assert "Kartan per 2026-04-01</FONT>" in archive.read(journey + "diagram.dot").decode()
    assert archive.read(journey + "findings.csv").startswith("\ufeffAllvar;Kod;Var;".encode())
    assert not any(n.startswith("ws1-") and "diagram" in n for n in names)
    readme = archive.read("README.txt").decode("utf-8")
    assert readme.startswith("Ingen ska falla mellan stolarna\n")
    assert "2026-04-01" in readme
    assert "Analysen beskriver kartan som workshopen ritade" in readme
    for folder in FOLDERS:
        assert f"{folder}/" in readme


def test_the_zip_s_overview_compares_the_groups_in_the_zip_s_language(
    app, session, series, project
):
    """overview.html at the root: the overview page's comparison for those who get the ZIP,
    naming each workshop's folder and the report in it, with disclosed answers only."""
    adults_habilitering = session.scalar(
        select(Organisation.id).where(
            Organisation.workshop_id == series.adults, Organisation.name == "habilitering"
        )
    )
    # a disclosed No to the withheld wording: counted together, the two would recur
    statement(
        session,
        series.adults,
        adults_habilitering,
        "others",
        series.withheld_text,
        [(adults_habilitering, "no")] * 3,
    )
    verification.publish_version(session, workshop_id=series.children, note="v1")
    page = bundle(app, session, project, lang="en").read("overview.html").decode("utf-8")
    assert "Ingen ska falla mellan stolarna" in page
    assert "Children and adults side by side" in page
    assert "Expectations outside the mandate that recur" in page
    assert "Stödsamtal" in page  # a gap for Habilitering in both groups and for BUP
    assert series.withheld_text not in page  # answered by two: withheld, in no figure
    assert "on 2026-04-01" in page
    for folder in FOLDERS:
        assert f"{folder}/" in page
    children = page[page.index("ws1-barn-och-unga-2026-03-02/") :][:200]
    assert "report: published version 1" in children
    assert page.count("report: a draft, not published") == 2
    assert "come from the reports in the workshops&#39; folders" in page
    assert "<style>" in page and "<link" not in page  # opens as it is, from the ZIP
    swedish = bundle(app, session, project).read("overview.html").decode("utf-8")
    assert "Barn och unga och vuxna sida vid sida" in swedish


def test_an_overview_made_from_today_s_drafts_is_today_s_overview(session, series, project):
    """The overview read from report documents agrees with the one counted from the answers
    and maps: same workshops, columns, agreement and recurring gaps (nothing published)."""
    workshops = (series.children, series.adults, series.journey)
    drafts = {wid: build_report(session, wid) for wid in workshops}
    assert services.project_overview(session, project, reports=drafts) == (
        services.project_overview(session, project)
    )


def test_the_zip_s_overview_has_the_figures_of_the_published_reports_beside_it(
    app, session, series, project
):
    """Answers given after a report was published are in neither the report nor the ZIP's
    overview; the overview page and its PDF alone show them (today's figures)."""
    kids = dict(
        session.execute(
            select(Organisation.name, Organisation.id).where(
                Organisation.workshop_id == series.children
            )
        ).all()
    )
    adults = dict(
        session.execute(
            select(Organisation.name, Organisation.id).where(
                Organisation.workshop_id == series.adults
            )
        ).all()
    )
    published = services.project_overview(session, project).workshops[0]
    verification.publish_version(session, workshop_id=series.children, note="v1")
    # after publishing: "Skolskjuts" answered No in both groups, so it would recur
    statement(
        session, series.children, kids["BUP"], "others", "Skolskjuts", [(kids["BUP"], "no")] * 3
    )
    hab = adults["habilitering"]
    statement(session, series.adults, hab, "others", "Skolskjuts", [(hab, "no")] * 3)

    today = services.project_overview(session, project)
    assert "Skolskjuts" in [r.text for r in today.recurring]
    assert today.workshops[0].participants == published.participants + 3
    archive = bundle(app, session, project)
    page = archive.read("overview.html").decode("utf-8")
    assert "Skolskjuts" not in page  # the children's report has no such gap
    assert "Stödsamtal" in page
    children = page[page.index("WS1 Barn och unga") :][:1200]
    assert f"{published.participants} deltagare" in children
    report = archive.read("ws1-barn-och-unga-2026-03-02/report.html").decode("utf-8")
    assert "Skolskjuts" not in report
    # the overview alone is today's
    with app.test_request_context():
        alone = render_overview_html(today, lang="sv", today=dt.date(2026, 4, 1), folders={})
    assert "Skolskjuts" in alone
    assert "Siffrorna bygger på workshopparnas svar och kartor den 2026-04-01" in alone


@NEEDS_PDFTOTEXT
def test_the_zip_s_overview_comes_as_a_pdf_too_and_the_readme_says_so(
    app, session, series, project, tmp_path
):
    archive = bundle(app, session, project, lang="en")
    pdf = pdf_text(archive.read("overview.pdf"), tmp_path)
    assert "Children and adults side by side" in pdf
    assert "Stödsamtal" in pdf
    assert series.withheld_text not in pdf
    readme = archive.read("README.txt").decode("utf-8")
    assert "overview.pdf   The project overview" in readme
    assert "overview.html  The same overview as a web page." in readme


def test_the_zip_holds_every_workshops_report_as_pdf_and_html(app, session, series, project):
    # reports.render.report_files: the report as PDF and HTML
    archive = bundle(app, session, project)
    for folder in FOLDERS:
        assert archive.read(f"{folder}/report.pdf").startswith(b"%PDF")
        assert b"<html" in archive.read(f"{folder}/report.html").lower()


def test_the_zip_holds_the_latest_published_report_and_the_draft_only_where_none_is(
    app, session, series, project
):
    orgs = dict(
        session.execute(
            select(Organisation.name, Organisation.id).where(
                Organisation.workshop_id == series.children
            )
        ).all()
    )
    for n in (1, 2):
        verification.publish_version(session, workshop_id=series.children, note=f"v{n}")
        votes = [(orgs["BUP"], "yes")] * 3
        statement(session, series.children, orgs["Habilitering"], "own", f"Ny {n}", votes)
    archive = bundle(app, session, project)
    children, adults = "ws1-barn-och-unga-2026-03-02", "ws1-vuxna-2026-03-09"
    published = archive.read(f"{children}/report.html").decode("utf-8")
    assert "Version 2" in published and "Utkast, inte publicerat" not in published
    assert "Ny 1" in published and "Ny 2" not in published  # added after version 2
    draft = archive.read(f"{adults}/report.html").decode("utf-8")
    assert "Utkast, inte publicerat" in draft
    readme = archive.read("README.txt").decode("utf-8")
    mine = readme[readme.index(f"{children}/") : readme.index(f"{adults}/")]
    assert "report.pdf     Workshopens rapport, publicerad version 2: dokumentationen som" in mine
    theirs = readme[readme.index(f"{adults}/") :]
    assert "report.pdf     UTKAST till workshopens rapport: ingen version är publicerad" in theirs
    assert "skickas till verksamheterna" not in readme


def test_a_published_ws2_report_comes_with_the_map_it_was_published_with(
    app, session, series, project
):
    """The diagram and findings beside a published report are of that report's map, not of
    the map as it became after publishing."""
    verification.publish_version(session, workshop_id=series.journey, note="v1")
    journey_stages.add_stage(session, workshop_id=series.journey, label="Eftervård efteråt")
    archive = bundle(app, session, project)
    folder = "ws2-barn-och-unga-2026-03-16/"
    assert "Version 1" in archive.read(folder + "report.html").decode("utf-8")
    assert "Eftervård efteråt" not in archive.read(folder + "diagram.dot").decode("utf-8")
    assert "Eftervård efteråt" not in archive.read(folder + "findings.csv").decode("utf-8-sig")
    # and the diagram says so under its title
    assert "Kartan i version 1 av rapporten</FONT>" in archive.read(folder + "diagram.dot").decode()
    # unpublished, the files are of the map as it is now
    draft = journey_files(session, series.journey, lang="sv")
    assert "Eftervård efteråt" in dict(draft)["diagram.dot"].decode("utf-8")


def test_a_draft_ws2_report_comes_with_the_map_of_that_draft(
    app, session, series, project, monkeypatch
):
    """Nothing published: the diagram and findings are drawn from the draft report bundled
    beside them (one reading of the map for both), stamped with today's date."""
    monkeypatch.setattr(
        "projects.bundle.workshop_journey", lambda *a: pytest.fail("the map read again")
    )
    archive = bundle(app, session, project)
    folder = "ws2-barn-och-unga-2026-03-16/"
    assert "Utkast, inte publicerat" in archive.read(folder + "report.html").decode("utf-8")
    dot = archive.read(folder + "diagram.dot").decode("utf-8")
    assert "Kartan per " in dot and "Kartan i version" not in dot
    rows = list(
        csv.DictReader(
            io.StringIO(archive.read(folder + "findings.csv").decode("utf-8-sig")), delimiter=";"
        )
    )
    findings = gap_report(workshop_journey(session, series.journey)).findings
    assert [r["Fingeravtryck"] for r in rows] == [f.fingerprint for f in findings]


def test_a_published_map_comes_with_the_analysis_and_verdicts_it_was_published_with(
    app, session, series, project, monkeypatch
):
    first = gap_report(workshop_journey(session, series.journey)).findings[0]
    verification.publish_version(session, workshop_id=series.journey, note="v1")
    # after publishing: a verdict, and (as if) a release that words the finding differently
    triage.set_triage(
        session,
        workshop_id=series.journey,
        fingerprint=first.fingerprint,
        status="dismissed",
        reason="Sker i SIP",
    )
    monkeypatch.setattr(
        "reports.journey_part.gap_report", lambda journey: pytest.fail("analysed again")
    )
    version = session.scalar(
        select(ReportVersion).where(ReportVersion.workshop_id == series.journey)
    )
    document = json.loads(version.document)
    # the version's sentence, in its analysis and in the report's findings
    document["journey"]["analysis"]["findings"][0]["message"] = "Så stod det i version 1."
    for item in document["journey"]["findings"]:
        if item["key"] == f"finding:{first.fingerprint}":
            item["text"] = "Så stod det i version 1."
    version.document = json.dumps(document)
    session.commit()

    data = bundle(app, session, project).read("ws2-barn-och-unga-2026-03-16/findings.csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0]["Fingeravtryck"] == first.fingerprint
    assert rows[0]["Fynd"] == "Så stod det i version 1."
    assert rows[0]["Bedömt"] == ""  # judged after publishing: not in the report beside it


def test_the_zip_s_findings_are_worded_as_corrected_in_the_report_beside_them(
    app, session, series, project
):
    """An organisation's accepted correction of a finding is in the published report; the
    findings file beside it says the same, whatever the ZIP's language."""
    first, second = gap_report(workshop_journey(session, series.journey)).findings[:2]
    verification.publish_version(session, workshop_id=series.journey, note="v1")
    org = session.scalar(select(Organisation.id).where(Organisation.workshop_id == series.journey))
    token = verification.create_link(
        session, workshop_id=series.journey, organisation_id=org, days=30
    )
    verification.open_link(session, token)
    note = verification.add_note(
        session,
        token,
        item_key=f"finding:{first.fingerprint}",
        kind="correction",
        text="",
        proposed_text="Överlämningen sker i SIP-mötet.",
        version=1,
    )
    verification.decide_note(session, workshop_id=series.journey, note_id=note, accept=True)
    folder = "ws2-barn-och-unga-2026-03-16/"

    def findings(lang: str) -> dict[str, str]:
        data = bundle(app, session, project, lang).read(folder + "findings.csv")
        rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
        fynd = "Fynd" if lang == "sv" else "Finding"
        return {r["Fingeravtryck" if lang == "sv" else "Fingerprint"]: r[fynd] for r in rows}

    # accepted, not yet published: the ZIP holds version 1 and its wording
    assert findings("sv")[first.fingerprint] == first.message_sv
    verification.publish_version(session, workshop_id=series.journey, note="Rättelse")
    for lang in ("sv", "en"):
        rows = findings(lang)
        assert rows[first.fingerprint] == "Överlämningen sker i SIP-mötet."
        assert rows[second.fingerprint] == (
            second.message_sv if lang == "sv" else second.message_en
        )


def test_a_version_published_before_the_map_had_stages_sends_the_map_as_it_is_now(
    app, session, series, project
):
    for stage in journey_stages.stages(session, series.journey):
        journey_stages.remove_stage(
            session, workshop_id=series.journey, stage_id=stage.id, confirmed=True
        )
    verification.publish_version(session, workshop_id=series.journey, note="v1")
    journey_stages.add_stage(session, workshop_id=series.journey, label="Eftervård efteråt")
    dot = bundle(app, session, project).read("ws2-barn-och-unga-2026-03-16/diagram.dot")
    assert "Eftervård efteråt" in dot.decode("utf-8")
    assert "Kartan per " in dot.decode("utf-8") and "Kartan i version" not in dot.decode("utf-8")


def test_the_zip_s_findings_carry_the_verdicts_in_the_zip_s_language(app, session, series, project):
    finding = gap_report(workshop_journey(session, series.journey)).findings[0]
    triage.set_triage(
        session,
        workshop_id=series.journey,
        fingerprint=finding.fingerprint,
        status="dismissed",
        reason="Sker i SIP",
    )
    data = bundle(app, session, project, lang="en").read(
        "ws2-barn-och-unga-2026-03-16/findings.csv"
    )
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert (rows[0]["Verdict"], rows[0]["Reason"]) == ("Dismissed", "Sker i SIP")
    assert rows[0]["Fingerprint"] == finding.fingerprint


def test_without_dot_the_diagrams_come_as_dot_source_and_the_readme_says_so(
    app, session, series, project, monkeypatch
):
    monkeypatch.setattr("journey_maps.render.shutil.which", lambda name: None)
    archive = bundle(app, session, project, lang="en")
    names = archive.namelist()
    journey = "ws2-barn-och-unga-2026-03-16/"
    assert journey + "diagram.dot" in names and journey + "findings.csv" in names
    assert journey + "diagram.svg" not in names and journey + "diagram.pdf" not in names
    readme = archive.read("README.txt").decode("utf-8")
    assert "Graphviz (dot) could not draw them" in readme
    assert "not how often handovers actually fail" in readme


# --- The demo ----------------------------------------------------------------------------------


def test_the_demo_project_groups_every_demo_workshop_once(session):
    from projects.demo import PROJECT_NAME, ensure_demo_project
    from workshops import demo

    demo.ensure_demo(session)
    pid = ensure_demo_project(session)
    assert ensure_demo_project(session) == pid  # every start of `make run` calls it
    overview = services.project_overview(session, pid)
    assert overview.name == PROJECT_NAME
    assert len(overview.workshops) == 5
    children, adults = overview.groups
    assert (children.ws1, children.ws2, adults.ws1, adults.ws2) == (2, 1, 1, 1)
    assert adults.withheld == 1 and adults.journey is not None and adults.journey.gaps == 1
    assert [a.organisation for a in overview.agreement] == ["Habilitering"]
    assert {r.text for r in overview.recurring} >= {"NPF", "Samordning av insatser (SIP)"}
    assert services.ungrouped_workshops(session) == []
