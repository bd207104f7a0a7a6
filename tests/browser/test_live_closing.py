"""Open live pages in a real browser when their workshop ends: deleted, the phone (390×844)
and the projector (1920×1080) say so and the phone forgets what it kept; handed over, the
previous owner's console loads again and is refused, while the new owner's stays live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    Contexts,
    Server,
    create_workshop,
    join_by_code,
    log_in,
    screenshot,
)

pytestmark = pytest.mark.browser

STATEMENTS = [("Habilitering", "Målgrupp", "Egen beskrivning", ["Barn och unga 0–18 år"])]


def kept(page: Page, code: str) -> list[str]:
    """What the phone keeps in its storage for the workshop ``code``."""
    return page.evaluate(
        "code => Object.keys(localStorage).filter(k => k.endsWith(':' + code))", code
    )


def test_deleting_a_workshop_takes_its_phone_and_projector_to_a_page_that_says_so(
    server: Server, contexts: Contexts
) -> None:
    console = contexts.page(LAPTOP)
    log_in(console)
    room = create_workshop(console, "Radera mig", ["Habilitering", "BUP"], STATEMENTS)
    projector = contexts.new(PROJECTOR).new_page()
    log_in(projector)
    projector.goto(room.projector)
    expect(projector.locator("#conn")).to_have_attribute("data-state", "online")
    phone = contexts.page(PHONE)
    join_by_code(phone, room.join_code, "BUP")
    # what a phone keeps while it works: a comment draft (an unsent answer is kept the same way)
    phone.evaluate(
        "code => localStorage.setItem('brygga:comments:' + code, "
        "JSON.stringify({draft: {'1': 'ett utkast'}, sent: {}}))",
        room.join_code,
    )
    phone.evaluate("() => localStorage.setItem('brygga:comments:ANDRA1', '{}')")
    assert f"brygga:comments:{room.join_code}" in kept(phone, room.join_code)

    console.goto(f"/f/w/{room.workshop_id}")
    console.locator("#danger input[name=confirm]").fill(room.join_code)
    console.locator("#danger").get_by_role("button").click()
    expect(console).to_have_url(re.compile(r"/f/$"))

    expect(phone.get_by_role("heading", name="Workshopen är raderad")).to_be_visible()
    expect(phone).to_have_url(re.compile(rf"/closed\?code={room.join_code}$"))
    expect(phone.get_by_role("link", name="Gå med i en annan workshop")).to_be_visible()
    phone.wait_for_load_state("load")  # forget.js has run
    assert kept(phone, room.join_code) == []
    assert phone.evaluate("() => localStorage.getItem('brygga:comments:ANDRA1')") == "{}"
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(phone, "closed-phone.png")

    expect(projector.get_by_role("heading", name="Workshopen är raderad")).to_be_visible()
    expect(projector.get_by_role("link", name="Till workshopparna")).to_be_visible()
    screenshot(projector, "closed-projector.png")

    # Back on the phone's old address: the place is gone, so the join page says so
    phone.goto(f"/{room.join_code}/p")
    expect(phone.get_by_label("Kod", exact=True)).to_be_visible()
    contexts.assert_no_page_errors()


def test_a_console_handed_to_someone_else_is_refused_and_the_new_owner_s_stays_live(
    server: Server, contexts: Contexts
) -> None:
    lead = contexts.page(LAPTOP)
    log_in(lead)
    room = create_workshop(lead, "Lämnas över", ["Habilitering", "BUP"], STATEMENTS)
    lead.goto("/f/accounts/")
    lead.get_by_label("Namn").fill("Kim Facilitator")
    lead.get_by_label("E-post").fill("kim@example.org")
    lead.get_by_label("Lösenord (minst 10 tecken)").fill("kims-long-password")
    lead.get_by_role("button", name="Skapa konto").click()

    def hand_over(to: str) -> None:
        lead.goto("/f/accounts/")
        form = lead.locator("#handover")
        for label, text in (("Workshop (nuvarande ägare)", "Lämnas över ("), ("Ny ägare", to)):
            select = form.get_by_label(label)
            select.select_option(select.locator("option", has_text=text).get_attribute("value"))
        form.get_by_role("button", name="Lämna över").click()
        expect(lead.locator(".flash-ok")).to_be_visible()

    hand_over("kim@example.org")
    kim = contexts.page(LAPTOP)
    kim.goto("/login")
    kim.get_by_label("E-post").fill("kim@example.org")
    kim.get_by_label("Lösenord").fill("kims-long-password")
    kim.get_by_role("button", name="Logga in").click()
    kim.goto(room.console)
    expect(kim.locator("#conn")).to_have_attribute("data-state", "online")
    lead.goto(room.console)
    expect(lead.locator("#conn")).to_have_attribute("data-state", "online")
    lead_console = lead
    lead = contexts.page(LAPTOP)  # a second tab of the lead's, for the accounts page
    log_in(lead)

    hand_over("demo@brygga.local")

    expect(kim.get_by_text("Sidan finns inte.")).to_be_visible()
    expect(kim.locator("#conn")).to_have_count(0)
    # The lead's console was told the same, connected again and stays live
    expect(lead_console.locator("#conn")).to_have_attribute("data-state", "online")
    lead_console.get_by_role("button", name="Starta med första påståendet").click()
    expect(lead_console.locator("#current .current-text")).to_have_text("Barn och unga 0–18 år")
    contexts.assert_no_page_errors()
