"""The project lead's pages through the Flask test client: list, overview, grouping, the ZIP."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from db import session_scope
from journey_maps.analysis import gap_report
from journey_maps.board import workshop_journey
from projects import services
from tests.conftest import post
from tests.e2e.test_verification_pages import NEEDS_PDFTOTEXT, pdf_text
from tests.integration.test_project_services import Series, build_series
from workshops.models import Workshop

pytestmark = pytest.mark.lead  # the project pages are the leads'


def text(response: Any) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def series(app: Flask, facilitator: int) -> Series:
    with session_scope(app) as session:
        return build_series(session)


@pytest.fixture
def project(app: Flask, series: Series) -> int:
    with session_scope(app) as session:
        pid = services.create_project(session, name="Ingen ska falla mellan stolarna")
        for wid in (series.children, series.adults, series.journey):
            services.assign_workshop(session, project_id=pid, workshop_id=wid)
    return pid


def test_the_project_pages_need_a_facilitator_login(client: FlaskClient, project: int) -> None:
    for url in (
        "/f/projects/",
        f"/f/projects/{project}",
        f"/f/projects/{project}/bundle.zip",
        f"/f/projects/{project}/overview.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.location


def test_the_dashboard_links_to_the_projects(logged_in: FlaskClient) -> None:
    assert 'href="/f/projects/"' in text(logged_in.get("/f/"))


def test_a_project_is_created_from_the_list_and_opens_its_overview(logged_in):
    response = post(logged_in, "/f/projects/", {"name": "Ny serie", "description": "Våren"})
    assert response.status_code == 302
    found = re.search(r"/f/projects/(\d+)$", response.location)
    assert found is not None
    page = text(logged_in.get(response.location))
    assert "<h1>Ny serie</h1>" in page and "Våren" in page
    assert "Projektet har inga workshoppar än." in page
    assert "Ny serie" in text(logged_in.get("/f/projects/"))


def test_a_form_without_its_csrf_token_is_refused(logged_in: FlaskClient) -> None:
    assert logged_in.post("/f/projects/", data={"name": "Utan token"}).status_code == 400
    assert "Utan token" not in text(logged_in.get("/f/projects/"))


def test_an_empty_or_taken_name_is_refused_with_a_message(logged_in, project):
    response = post(logged_in, "/f/projects/", {"name": "  "})
    assert response.status_code == 400 and "Ge projektet ett namn." in text(response)
    response = post(logged_in, "/f/projects/", {"name": "ingen ska falla mellan stolarna"})
    assert response.status_code == 400
    assert "Det finns redan ett projekt med det namnet." in text(response)


def test_an_unknown_project_is_not_found(logged_in: FlaskClient) -> None:
    assert logged_in.get("/f/projects/999").status_code == 404
    assert post(logged_in, "/f/projects/999/workshops", {"workshop_id": "1"}).status_code == 404
    assert post(logged_in, "/f/projects/999/delete").status_code == 404


def test_workshops_are_added_from_the_select_and_removed_with_a_button(logged_in, app, series):
    with session_scope(app) as session:
        pid = services.create_project(session, name="Serie")
    page = text(logged_in.get(f"/f/projects/{pid}"))
    assert page.count('<option value="') == 3 + 2  # three ungrouped workshops, two languages
    assert f'<option value="{series.adults}">WS1 · Vuxna · WS1 Vuxna (2026-03-09)' in page

    response = post(logged_in, f"/f/projects/{pid}/workshops", {"workshop_id": series.adults})
    assert response.status_code == 302
    page = text(logged_in.get(f"/f/projects/{pid}"))
    assert "Workshopen är tillagd i projektet." in page
    assert f'id="w{series.adults}"' in page
    assert f'<option value="{series.adults}"' not in page

    url = f"/f/projects/{pid}/workshops/{series.adults}/remove"
    assert post(logged_in, url).status_code == 302
    page = text(logged_in.get(f"/f/projects/{pid}"))
    assert f'id="w{series.adults}"' not in page
    assert f'<option value="{series.adults}"' in page
    with session_scope(app) as session:
        assert session.get(Workshop, series.adults) is not None


def test_a_workshop_in_another_project_is_refused_with_a_message(logged_in, app, series, project):
    with session_scope(app) as session:
        other = services.create_project(session, name="Annat")
    response = post(
        logged_in,
        f"/f/projects/{other}/workshops",
        {"workshop_id": series.children},
        follow_redirects=True,
    )
    assert "Workshopen hör redan till ett annat projekt." in text(response)


def test_the_overview_shows_cards_columns_and_recurring_gaps(logged_in, series, project):
    page = text(logged_in.get(f"/f/projects/{project}"))
    for title in ("WS1 Barn och unga", "WS1 Vuxna", "WS2 Barn och unga"):
        assert f">{title}</a></h4>" in page
    table = page[page.index('<table class="side-table">') : page.index("</table>")]
    assert re.search(r"Barn och unga</th>\s*<th[^>]*>Vuxna</th>", table)
    assert re.search(r"Deltagare</th><td>12</td><td>7</td>", table)
    assert re.search(
        r"Förväntningar utanför uppdraget \(verksamheten svarade No\)</th><td>2</td><td>1</td>",
        table,
    )
    assert re.search(r"Undanhållna påståenden \(för få svar\)</th><td>1</td><td>0</td>", table)
    assert "Övergångar som bärs (k ≥ 1)</th><td>6/6 (100 %)</td>" in table
    recurring = page[page.index('id="recurring"') :]
    assert "<strong>Stödsamtal</strong>" in recurring
    assert "Samma verksamhet i flera workshoppar" in recurring
    assert "Habilitering</td>" not in page  # agreement rows use th for the organisation
    assert re.search(r"Habilitering</th>\s*<td><strong>75 %</strong>", page)
    assert "Analysen beskriver kartan som workshopen ritade" in page


def test_the_overview_reads_in_english(logged_in, project):
    page = text(logged_in.get(f"/f/projects/{project}?lang=en"))
    assert "Children and adults side by side" in page
    assert "Expectations outside the mandate that recur" in page
    assert "Download everything (ZIP)" in page


def test_the_findings_by_severity_add_up_to_the_findings_and_name_every_level_found(
    logged_in, app, series, project
):
    with session_scope(app) as session:
        figures = gap_report(workshop_journey(session, series.journey)).figures
    found = dict(figures.findings_by_severity)
    assert found["info"] > 0 and found["low"] == 0  # the demo map has info findings
    page = text(logged_in.get(f"/f/projects/{project}"))
    row = re.search(r"<th scope=\"row\">Fynd: ([^<]*)</th><td>([^<]*)</td>", page)
    assert row is not None, page
    assert row.group(1) == "kritiska / höga / medel / info"
    counts = [int(n) for n in row.group(2).split(" / ")]
    assert counts == [found[level] for level in ("critical", "high", "medium", "info")]
    assert sum(counts) == sum(found.values())


def test_renaming_and_deleting_a_project_keeps_the_workshops(logged_in, app, series, project):
    post(logged_in, f"/f/projects/{project}/edit", {"name": "Omdöpt", "description": ""})
    assert "<h1>Omdöpt</h1>" in text(logged_in.get(f"/f/projects/{project}"))
    response = post(logged_in, f"/f/projects/{project}/delete", follow_redirects=True)
    assert "Projektet är borttaget. Workshopparna finns kvar." in text(response)
    with session_scope(app) as session:
        assert session.get(Workshop, series.children).project_id is None


def zip_of(logged_in: FlaskClient, project: int, language: str = "sv") -> zipfile.ZipFile:
    response = logged_in.get(f"/f/projects/{project}/bundle.zip?language={language}")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        rf'attachment; filename="ingen-ska-falla-mellan-stolarna-[\d-]{{10}}-{language}\.zip"',
        disposition,
    )
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_zip_download_holds_every_workshop_its_diagrams_and_a_readme(logged_in, project):
    archive = zip_of(logged_in, project)
    names = set(archive.namelist())
    folders = {
        "ws1-barn-och-unga-2026-03-02",
        "ws2-barn-och-unga-2026-03-16",
        "ws1-vuxna-2026-03-09",
    }
    assert {n.split("/")[0] for n in names if "/" in n} == folders
    assert "README.txt" in names
    for folder in folders:
        # report.pdf/report.html come from reports.render, written alongside
        assert archive.read(f"{folder}/report.pdf").startswith(b"%PDF")
        assert f"{folder}/report.html" in names
    journey = "ws2-barn-och-unga-2026-03-16"
    assert {f"{journey}/diagram.dot", f"{journey}/findings.csv"} <= names
    assert {f"{journey}/diagram.svg", f"{journey}/diagram.pdf"} <= names  # dot is installed
    readme = archive.read("README.txt").decode("utf-8")
    assert "diagram.svg    Patientresan med glappen utritade" in readme
    assert "Analysen beskriver kartan som workshopen ritade" in readme


@NEEDS_PDFTOTEXT
def test_the_overview_alone_comes_as_a_pdf_in_the_language_asked_for(
    logged_in: FlaskClient, series: Series, project: int, tmp_path: Path
) -> None:
    page = text(logged_in.get(f"/f/projects/{project}"))
    assert f'formaction="/f/projects/{project}/overview.pdf"' in page  # beside the ZIP's button
    response = logged_in.get(f"/f/projects/{project}/overview.pdf?language=en")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="ingen-ska-falla-mellan-stolarna-[\d-]{10}-overview-en\.pdf"',
        response.headers["Content-Disposition"],
    )
    pdf = pdf_text(response.data, tmp_path)
    assert "Children and adults side by side" in pdf
    assert "is in the project's ZIP file" in pdf and "Folder:" not in pdf  # no ZIP around it
    assert series.withheld_text not in pdf
    assert logged_in.get("/f/projects/999/overview.pdf").status_code == 404


def test_a_withheld_statement_never_appears_with_its_distribution(logged_in, series, project):
    """ "Hembesök" was answered No by two of Habilitering's representatives, under the
    threshold of 3: the overview counts it as withheld and shows it nowhere, and the ZIP (here
    in English) shows at most that it was answered, never how."""
    withheld = series.withheld_text
    page = text(logged_in.get(f"/f/projects/{project}"))
    assert withheld not in page
    assert "Undanhållna påståenden <small>(färre än 3 svarade)</small></dt><dd>1</dd>" in page

    archive = zip_of(logged_in, project, "en")
    readme = archive.read("README.txt").decode("utf-8")
    assert "Everything from the project's workshops" in readme  # ?language= reaches the files
    assert "The analysis describes the map the workshop drew" in readme
    seen = 0
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".pdf") or withheld.encode() not in data:
            continue
        assert name.endswith("report.html"), name
        content = data.decode("utf-8")
        for found in re.finditer(re.escape(withheld), content):
            seen += 1
            item = content[found.start() : content.find("</li>", found.start())]
            assert 'class="dist' not in item and "No 2" not in item, item
            assert "the distribution is withheld" in item, item
    assert seen  # the report lists it, as answered
