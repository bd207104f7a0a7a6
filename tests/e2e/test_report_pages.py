"""The report page and its PDF through the web client: content, language, anonymity and a
PDF whose Swedish letters survive (text extracted again, page rendered with pdftoppm)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from db import session_scope
from tests.conftest import Demo, on_the_day
from tests.integration.test_report_document import answer, hold
from workshops import services

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def held(app, demo: Demo) -> Demo:
    with session_scope(app) as session:
        return hold(session, demo)


def section(page: str, start: str, end: str) -> str:
    """The text between two markers, with the tags taken out."""
    part = page[page.index(start) : page.index(end, page.index(start))]
    return " ".join(re.sub(r"<[^>]+>", " ", part).split())


def test_the_report_page_shows_attendance_gaps_notes_and_the_privacy_line(logged_in, held):
    page = logged_in.get(f"/f/w/{held.workshop_id}/report/").get_data(as_text=True)
    assert "Dokumentation för verifiering" in page
    assert "9 deltagare från 3 verksamheter." in page
    gaps = section(page, "Förväntningar utanför uppdraget", "</ul>")
    assert "Stödsamtal" in gaps and "Utredning" not in gaps
    assert "Habiliteringen ger inte stödsamtal vid psykisk ohälsa i övrigt." in page
    assert "En fördelning visas när minst 3 har svarat" in page
    assert "Svaren visar vad deltagarna i rummet svarade" in page  # the honesty line
    # a reader who never saw the workshop is told what is asked and what Yes and No meant
    key = html.unescape(section(page, 'id="reader-h"', "</section>"))
    assert "Kontrollera att det som står om er verksamhet stämmer" in key
    assert "Yes betyder ”Ja, det ingår i vårt uppdrag”, No ”Nej, det ingår INTE i vårt" in key
    assert "Patientresan" not in key  # a WS1 workshop has no map


def test_answers_under_the_threshold_are_withheld_on_the_page(logged_in, held):
    page = logged_in.get(f"/f/w/{held.workshop_id}/report/").get_data(as_text=True)
    utredning = section(page, f'id="item-statement-{held.others[1]}"', "</li>")
    assert "2 svar – fördelningen redovisas inte (färre än 3)" in utredning
    assert "Yes 2" not in html.unescape(utredning)
    own = section(page, f'id="item-statement-{held.own[0]}"', "</li>")
    assert "Yes 3 · No 1 · Let's discuss 0" in html.unescape(own)
    assert "Elevhälsa färre än 3 svar, redovisas inte" in own  # its single answer
    # BUP's three answers are withheld too, and the page does not say "fewer than 3" of them
    assert "BUP redovisas inte, så att en mindre grupps svar inte kan räknas fram" in own


def test_the_report_can_be_read_in_english_without_switching_the_interface(logged_in, held):
    page = logged_in.get(f"/f/w/{held.workshop_id}/report/?language=en").get_data(as_text=True)
    assert "Documentation for verification" in page and "Expectations outside the mandate" in page
    assert "How to read the answers" in page
    assert "PDF på svenska" in page  # the facilitator's toolbar stays Swedish


def test_the_report_needs_a_facilitator(client, held):
    response = client.get(f"/f/w/{held.workshop_id}/report/")
    assert response.status_code == 302 and "/login" in response.location


def test_the_draft_pdf_s_file_name_says_it_is_a_draft_in_its_language(logged_in, held):
    for language, word in (("sv", "utkast"), ("en", "draft")):
        response, days = on_the_day(
            lambda language=language: logged_in.get(
                f"/f/w/{held.workshop_id}/report/report.pdf?language={language}"
            )
        )
        assert response.data.startswith(b"%PDF")
        disposition = response.headers["Content-Disposition"]
        assert disposition in {
            f'attachment; filename="ws1-test-{word}-{day}-{language}.pdf"' for day in days
        }


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_the_pdf_keeps_swedish_letters_and_renders_to_an_image(logged_in, held, tmp_path):
    response = logged_in.get(f"/f/w/{held.workshop_id}/report/report.pdf?language=sv")
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ws1-test-') and disposition.endswith(
        '-sv.pdf"'
    )
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for phrase in ("Förväntningar utanför uppdraget", "Elevhälsa", "psykisk ohälsa", "Stödsamtal"):
        assert phrase in text
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    page = next(tmp_path.glob("p-*.png")).read_bytes()
    assert page.startswith(b"\x89PNG") and len(page) > 10_000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # kept to be looked at
    (ARTIFACTS / "report-pdf-page-1.png").write_bytes(page)


def test_an_expectation_about_the_target_group_is_flagged_outside_the_target_group(
    app, logged_in, held
):
    with session_scope(app) as session:
        [sid] = services.add_statements(
            session,
            workshop_id=held.workshop_id,
            organisation_id=held.orgs["Habilitering"],
            topic="target_group",
            perspective="others",
            texts=["Barn med lindrig ångest"],
        )
        answer(session, held, sid, [("Habilitering", "no")] * 3)
    page = logged_in.get(f"/f/w/{held.workshop_id}/report/").get_data(as_text=True)
    target = section(page, f'id="item-statement-{sid}"', "</li>")
    assert "Utanför målgruppen" in target and "Utanför uppdraget" not in target
    mandate = section(page, f'id="item-statement-{held.others[0]}"', "</li>")
    assert "Utanför uppdraget" in mandate  # "Stödsamtal", a mandate


def test_statements_nobody_answered_come_last_in_a_compact_list(logged_in, held):
    page = logged_in.get(f"/f/w/{held.workshop_id}/report/").get_data(as_text=True)
    own = section(page, "<h4>Egen beskrivning</h4>", "<h4>Andras uppfattning</h4>")
    # the answered statement first, with its answers; the unanswered one after, under a caption
    assert re.search(r"Yes 3 · No 1 .* Ingen svarade på det här \(1\)", html.unescape(own))
    silent = section(page, 'class="items unanswered"', "</ul>")
    assert f"item-statement-{held.own[1]}" in page[page.index('class="items unanswered"') :]
    assert "Inga svar" not in silent and "Inga svar" not in own
    assert page.index(f'id="item-statement-{held.own[0]}"') < page.index(
        f'id="item-statement-{held.own[1]}"'
    )
    # every statement of the part is still an item of its own (a verifier comments on each)
    assert page.count('class="item statement') == len(held.own) + len(held.others)
