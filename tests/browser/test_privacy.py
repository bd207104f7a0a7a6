"""Issue 7 (privacy) in a real browser: a phone at 390×844 deletes its own answers and the
projector's count drops; the facilitator's log and the retention flag at laptop and phone size."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    Contexts,
    Server,
    create_workshop,
    join_by_code,
    log_in,
    screenshot,
    start_first_statement,
    tap_vote,
)

pytestmark = pytest.mark.browser


def assert_fits(page: Page, width: int) -> None:
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide at a {width}px viewport"


def test_a_phone_deletes_its_answers_after_confirming_and_the_projector_count_drops(
    server: Server, contexts: Contexts
) -> None:
    laptop = contexts.new(LAPTOP)
    console = laptop.new_page()
    log_in(console)
    room = create_workshop(
        console,
        "Integritet",
        ["Habilitering", "BUP inkl. En väg in"],
        [("Habilitering", "Målgrupp", "Egen beskrivning", ["Barn och unga 0–18 år"])],
        threshold=1,
    )
    projector = laptop.new_page()
    projector.goto(room.projector)
    expect(projector.locator("#conn")).to_have_attribute("data-state", "online")
    console.goto(room.console)
    expect(console.locator("#conn")).to_have_attribute("data-state", "online")

    phone = contexts.page(PHONE)
    join_by_code(phone, room.join_code, "BUP", "Anna")
    other = contexts.page(PHONE)
    join_by_code(other, room.join_code, "BUP")
    expect(projector.locator("#joined")).to_have_text("2")
    start_first_statement(console)
    tap_vote(phone, "Yes")
    expect(phone.get_by_role("link", name="Ta bort mina svar")).to_be_visible()
    assert_fits(phone, 390)
    screenshot(phone, "privacy-phone-footer.png")

    phone.get_by_role("link", name="Ta bort mina svar").click()
    expect(phone.get_by_role("heading", name="Ta bort mina svar?")).to_be_visible()
    expect(phone.get_by_text("Det går inte att ångra.")).to_be_visible()
    assert_fits(phone, 390)
    screenshot(phone, "privacy-withdraw-confirm-phone.png")

    phone.get_by_role("link", name="Nej, tillbaka").click()  # changing one's mind keeps all
    expect(phone).to_have_url(re.compile(rf"/{room.join_code}/p$"))
    expect(projector.locator("#joined")).to_have_text("2")

    phone.get_by_role("link", name="Ta bort mina svar").click()
    phone.get_by_role("button", name="Ja, ta bort mina svar").click()
    expect(phone.get_by_role("heading", name="Dina svar är borttagna")).to_be_visible()
    expect(projector.locator("#joined")).to_have_text("1")
    # ... and the phone keeps nothing of the workshop either (forget.js, run before "load")
    phone.wait_for_load_state("load")
    keys = phone.evaluate("() => Object.keys(localStorage)")
    assert not [k for k in keys if k.endswith(room.join_code)], keys
    assert_fits(phone, 390)
    screenshot(phone, "privacy-withdrawn-phone.png")

    phone.get_by_role("link", name="Gå med igen").click()
    expect(phone.get_by_role("group", name="Vilken verksamhet representerar du?")).to_be_visible()
    contexts.assert_no_page_errors()


def make_old(server: Server, workshop_id: int) -> None:
    """The demo workshop held 400 days ago (the server's own database, as an operator would)."""
    old = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    with sqlite3.connect(server.database) as db:
        db.execute("UPDATE workshops SET date = ? WHERE id = ?", (old, workshop_id))


@pytest.mark.parametrize("device,width", [(LAPTOP, 1440), (PHONE, 390)], ids=["laptop", "phone"])
def test_the_dashboard_flags_an_old_workshop_and_the_log_lists_actions(
    server: Server, contexts: Contexts, device: dict, width: int
) -> None:
    make_old(server, server.workshop_id)
    # an earlier download puts the workshop (and its long title) into the log's filter
    earlier = contexts.page(device)
    log_in(earlier)
    download = earlier.request.get(f"/f/w/{server.workshop_id}/data/download/workshop.json")
    assert download.ok, download.status
    page = contexts.page(device)
    log_in(page)
    flag = page.locator(".retention-flag")
    expect(flag).to_have_count(1)
    expect(flag).to_contain_text("Äldre än 12 månader – radera när rapporten är verifierad.")
    screenshot(page, f"privacy-dashboard-{'phone' if width < 500 else 'laptop'}.png")
    assert_fits(page, width)

    page.get_by_role("link", name="Logg").click()
    expect(page.get_by_role("heading", name="Logg över åtgärder")).to_be_visible()
    expect(page.locator(".audit-table tbody tr").first).to_contain_text("Loggade in")
    screenshot(page, f"privacy-audit-{'phone' if width < 500 else 'laptop'}.png")
    assert_fits(page, width)
    contexts.assert_no_page_errors()
