"""The project lead's overview in a real browser at laptop (1440×900) and projector (1920×1080)
size, saved as screenshots in test-artifacts/screenshots/ for a human to look at.

The demo project "Ingen ska falla mellan stolarna" comes from serve.py (projects/demo.py): the
children's WS1 and WS2 demo workshops and a held WS1 and a WS2 map for adults.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PROJECTOR,
    SCREENSHOTS,
    Contexts,
    log_in,
    screenshot,
)

pytestmark = pytest.mark.browser

PROJECT = "Ingen ska falla mellan stolarna"


def open_overview(page: Page) -> None:
    log_in(page)
    page.get_by_role("link", name="Projekt", exact=True).click()
    expect(page.get_by_role("heading", name="Projekt", level=1)).to_be_visible()
    page.get_by_role("link", name=PROJECT).click()
    expect(page.get_by_role("heading", name=PROJECT, level=1)).to_be_visible()


def assert_fits_the_width(page: Page) -> None:
    """Nothing sticks out sideways: no horizontal scrolling on a laptop or a projector."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the window"


def test_the_overview_at_laptop_size(contexts: Contexts) -> None:
    page = contexts.page(LAPTOP)
    log_in(page)
    page.goto("/f/projects/")
    expect(page.locator(".project-item")).to_have_count(1)
    screenshot(page, "projects-list-laptop.png")

    open_overview(page)
    expect(page.locator(".group-title")).to_have_text(["Barn och unga", "Vuxna"])
    expect(page.locator(".workshop-cards").first.locator(".workshop-card")).to_have_count(3)
    expect(page.locator(".workshop-cards").last.locator(".workshop-card")).to_have_count(2)
    table = page.locator(".side-table").first
    expect(table.locator("thead th")).to_have_text(["Nyckeltal", "Barn och unga", "Vuxna"])
    participants = table.locator("tr").filter(has_text="Deltagare")
    expect(participants.locator("td")).to_have_text(["16", "15"])
    expect(page.locator(".agreement-table tbody th")).to_have_text(["Habilitering"])
    recurring = page.locator(".recurring-item .recurring-text strong")
    expect(recurring).to_have_text(
        ["Bedömning av vårdbehov", "NPF", "Samordning av insatser (SIP)"]
    )
    expect(page.locator(".withheld-fact")).to_have_count(1)
    expect(page.get_by_role("button", name="⤓ Ladda ner allt (ZIP)")).to_be_enabled()
    assert_fits_the_width(page)
    screenshot(page, "project-overview-laptop.png")

    with page.expect_download(timeout=120_000) as download:
        # the reports are made as PDFs while the browser waits: slower than a page
        page.get_by_role("button", name="⤓ Ladda ner allt (ZIP)").click(timeout=120_000)
    assert re.fullmatch(
        r"ingen-ska-falla-mellan-stolarna-\d{4}-\d{2}-\d{2}-sv\.zip",
        download.value.suggested_filename,
    )
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    folders = {name.split("/")[0] for name in archive.namelist() if "/" in name}
    assert len(folders) == 5
    assert "README.txt" in archive.namelist()
    assert {"overview.pdf", "overview.html"} <= set(archive.namelist())

    # the overview alone, in the language picked beside the buttons
    page.get_by_label("Språk").select_option("en")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="⤓ Bara översikten (PDF)").click(timeout=60_000)
    assert re.fullmatch(
        r"ingen-ska-falla-mellan-stolarna-\d{4}-\d{2}-\d{2}-overview-en\.pdf",
        download.value.suggested_filename,
    )
    assert download.value.path().read_bytes().startswith(b"%PDF")
    contexts.assert_no_page_errors()


def test_the_overview_on_a_projector(contexts: Contexts) -> None:
    page = contexts.page(PROJECTOR)
    open_overview(page)
    expect(page.locator(".workshop-card")).to_have_count(5)
    assert_fits_the_width(page)
    # the figures are read from the back of the room: at least 22 px on a 1920 px wide screen
    size = page.locator(".side-table td").first.evaluate(
        "cell => parseFloat(getComputedStyle(cell).fontSize)"
    )
    assert size >= 22, size
    screenshot(page, "project-overview-projector.png")
    # and what the room sees at once: the table scrolled into view, no more
    page.locator("#side-by-side").evaluate("section => section.scrollIntoView()")
    page.screenshot(path=str(SCREENSHOTS / "project-table-projector.png"), animations="disabled")
    contexts.assert_no_page_errors()
