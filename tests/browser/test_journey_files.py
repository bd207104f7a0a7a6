"""The map files page and the comparison in a real browser, saved as screenshots to look at."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, Contexts, Server, log_in, screenshot

pytestmark = pytest.mark.browser


def test_the_map_files_page_downloads_saves_a_version_and_compares(
    server: Server, contexts: Contexts
) -> None:
    page = contexts.page(LAPTOP)
    log_in(page)
    page.goto(f"/f/w/{server.ws2_workshop_id}/map/")
    expect(page.locator(".page-head .eyebrow")).to_have_text(re.compile("^Kartfiler · "))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^WS2 "))
    expect(page.locator(".honesty")).to_contain_text("Analysen beskriver kartan")
    preview = page.locator(".preview img")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.complete && img.naturalWidth > 0")
    # the whole diagram is in view, legend included: no box to scroll inside the page
    frame = page.locator(".preview a")
    assert frame.evaluate("a => a.scrollHeight <= a.clientHeight && a.scrollWidth <= a.clientWidth")
    viewport = LAPTOP["viewport"]
    box = preview.bounding_box()
    assert box and box["height"] <= viewport["height"] and box["width"] <= viewport["width"], box

    with page.expect_download() as pdf:
        page.get_by_role("button", name="PDF", exact=True).click()
    assert re.fullmatch(r".+-\d{4}-\d{2}-\d{2}-sv\.pdf", pdf.value.suggested_filename)
    with page.expect_download() as mapped:
        page.get_by_role("link", name="Karta (JSON)").click()
    path = mapped.value.path()
    assert json.loads(path.read_text("utf-8"))["format"] == "brygga.journey/1"

    page.get_by_label("Sorts version").select_option(label="Nuläge")
    page.get_by_label("Namn (valfritt)").fill("Före workshopen")
    page.get_by_role("button", name="Spara version").click()
    expect(page.locator(".flash-ok")).to_have_text("Versionen är sparad.")
    expect(page.locator(".snapshot-table tbody tr")).to_have_count(1)
    page.wait_for_function("() => document.querySelector('.preview img').complete")
    screenshot(page, "journey-files-laptop.png")

    page.get_by_role("link", name="Jämför med kartan nu").click()
    expect(page.get_by_role("heading", name="Jämför två kartor")).to_be_visible()
    expect(page.locator(".honesty")).to_contain_text("Analysen beskriver kartan")
    expect(page.locator(".figures-table tbody tr")).to_have_count(10)
    expect(page.locator(".tile-persisting strong")).not_to_have_text("0")
    screenshot(page, "journey-compare-laptop.png")

    page.goto(f"/f/w/{server.ws2_workshop_id}/map/")
    row = page.locator(".snapshot-table tbody tr").first
    row.locator("summary").click()
    expect(row.get_by_text("Det går inte att ångra")).to_be_visible()
    screenshot(page, "journey-files-delete.png")
    row.get_by_role("button", name="Ja, ta bort versionen").click()
    expect(page.locator(".flash-ok")).to_have_text("Versionen är borttagen.")
    expect(page.locator(".snapshot-table")).to_have_count(0)
    contexts.assert_no_page_errors()
