"""How the report PDF is laid out on paper: the journey diagram's page, and the short
closing lines that must not end up alone on the last page (pdfinfo and pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from journey_maps import render as rendering

pytestmark = pytest.mark.skipif(
    shutil.which("pdfinfo") is None or not rendering.dot_available(),
    reason="needs poppler-utils (pdfinfo) and Graphviz (dot)",
)


def pages(pdf: Path) -> list[tuple[str, str]]:
    """Each page's paper size (pdfinfo's name for it, e.g. "A4") and its text."""
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts(?: \((\w+)\))?", info, re.M)
    out = []
    for n, (width, height, name) in enumerate(sizes, start=1):
        text = subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        landscape = float(width) > float(height)
        out.append((f"{name or '?'}{' landscape' if landscape else ''}", text))
    return out


def test_the_journey_diagram_is_printed_on_an_a3_page_with_its_heading_and_figures(
    logged_in, ws2, tmp_path
):
    response = logged_in.get(f"/f/w/{ws2.workshop_id}/report/report.pdf?language=sv")
    assert response.mimetype == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    laid_out = pages(pdf)
    wide = [text for size, text in laid_out if size == "A3 landscape"]
    assert len(wide) == 1, [size for size, _ in laid_out]
    # the section's heading and figures are on the diagram's page, not alone on the one before
    assert "Rollerna i patientresan och glappen" in wide[0]
    assert "Övergångar som någon roll bär" in wide[0]
    assert "röd åttkant = glapp" in " ".join(wide[0].split())
    assert all(size == "A4" for size, _ in laid_out if size != "A3 landscape")
    # the closing lines come after the last finding, never alone on a page of their own
    last = " ".join(laid_out[-1][1].split())
    assert "Sammanställt med Brygga" in last and "Analysen beskriver kartan" in last
    assert re.search(r"\b(KRITISK|HÖG|MEDEL|INFO)\b", last, re.I), last  # with a finding


def test_a_map_nobody_joined_for_says_so_instead_of_listing_every_organisation_absent(
    logged_in, ws2
):
    """A map entered by the facilitator or read from a file: no participants joined."""
    page = logged_in.get(f"/f/w/{ws2.workshop_id}/report/").get_data(as_text=True)
    start = page.index('id="attendance-h"')
    attendance = page[start : page.index("</section>", start)]
    assert "Ingen deltagare anslöt med telefon: kartan nedan lades in" in attendance
    assert "Inbjudna verksamheter:" in attendance
    assert "inte närvarande" not in attendance and "<table" not in attendance


def test_the_findings_open_with_how_many_there_are_of_each_severity(logged_in, ws2):
    page = logged_in.get(f"/f/w/{ws2.workshop_id}/report/").get_data(as_text=True)
    start = page.index(">", page.index('class="severity-count"')) + 1
    counts = re.sub(r"<[^>]+>", " ", page[start : page.index("</p>", start)])
    listed = re.findall(r'<li class="item finding sev-(\w+)', page)
    expected = [
        f"{word} {listed.count(sev)}"
        for sev, word in [
            ("critical", "Kritisk"),
            ("high", "Hög"),
            ("medium", "Medel"),
            ("low", "Låg"),
            ("info", "Info"),
        ]
        if sev in listed
    ]
    assert expected and " ".join(counts.split()) == " ".join(expected)
    # and the list below goes from the most serious down, as the counts read
    order = ["critical", "high", "medium", "low", "info"]
    assert [order.index(s) for s in listed] == sorted(order.index(s) for s in listed)


def test_words_are_not_hyphenated_on_paper(app, logged_in, demo, tmp_path):
    """WeasyPrint hyphenated the first word after a flag ("Au‐" / "tism i kombination…") where
    the line had room to break at a space; A4 needs no hyphens."""
    from db import session_scope
    from tests.integration.test_report_document import answer
    from workshops import services

    with session_scope(app) as session:
        [sid] = services.add_statements(
            session,
            workshop_id=demo.workshop_id,
            organisation_id=demo.orgs["Habilitering"],
            topic="target_group",
            perspective="others",
            texts=["Autism i kombination med utvecklingsstörning 0–17 år"],
        )
        answer(session, demo, sid, [("Habilitering", "no")] * 3)  # outside: flagged
    response = logged_in.get(f"/f/w/{demo.workshop_id}/report/report.pdf?language=sv")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    text = "\n".join(page for _size, page in pages(pdf))
    assert "Autism i kombination" in text
    hyphenated = [line for line in text.splitlines() if line.rstrip().endswith(("\u2010", "-"))]
    assert hyphenated == []
