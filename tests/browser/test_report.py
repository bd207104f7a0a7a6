"""The report of the held WS1 demo in a real browser: laptop and phone widths, the tab, the
PDF downloaded from the gevent server (its layout runs in gevent's thread pool)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, PHONE, Contexts, Server, log_in, screenshot

pytestmark = pytest.mark.browser

HELD = "WS1 Förväntanskartläggning – Barn och unga (genomförd, demo)"


def open_report(page: Page) -> None:
    log_in(page)
    page.goto("/f")
    page.get_by_role("link", name=HELD).first.click()
    page.locator("nav.tabs").get_by_role("link", name="Rapport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HELD)


def test_the_report_reads_on_a_laptop_and_downloads_as_a_pdf(
    server: Server, contexts: Contexts
) -> None:
    page = contexts.page(LAPTOP)
    open_report(page)
    expect(page.locator(".privacy-line")).to_contain_text("minst 3 har svarat")
    expect(page.locator(".report-head")).to_contain_text("Utkast, inte publicerat")
    expect(page.locator("ul.gaps li").first).to_be_visible()
    # NSPH sent one person: every breakdown names it, never with its answer
    nsph = page.locator("table.breakdown tr").filter(has_text="NSPH")
    expect(nsph.first).to_contain_text("färre än 3 svar, redovisas inte")
    expect(page.locator(".honesty").first).to_be_visible()
    screenshot(page, "report-laptop.png")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF på svenska").click()
    assert re.fullmatch(r".+-\d{4}-\d{2}-\d{2}-sv\.pdf", download.value.suggested_filename)
    assert download.value.path().read_bytes().startswith(b"%PDF")
    # the server kept answering while it laid the PDF out
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(HELD)
    contexts.assert_no_page_errors()


def test_the_report_fits_a_phone(server: Server, contexts: Contexts) -> None:
    page = contexts.page(PHONE)
    open_report(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the report is {width}px wide on a 390px phone"
    screenshot(page, "report-phone.png")
