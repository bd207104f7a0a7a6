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
    Room,
    Server,
    create_workshop,
    join_by_code,
    log_in,
    screenshot,
    try_logging_in,
)

pytestmark = pytest.mark.browser

STATEMENTS = [("Habilitering", "Målgrupp", "Egen beskrivning", ["Barn och unga 0–18 år"])]


def create_account(lead: Page, name: str, email: str, password: str) -> None:
    """A project lead creates a facilitator account on the accounts page."""
    lead.goto("/f/accounts/")
    lead.get_by_label("Namn").fill(name)
    lead.get_by_label("E-post").fill(email)
    lead.get_by_label("Lösenord (minst 10 tecken)", exact=True).fill(password)
    lead.get_by_role("button", name="Skapa konto").click()
    expect(lead.locator(".flash-ok")).to_be_visible()


def screen_in_another_tab(contexts: Contexts, title: str, screen: str) -> tuple[Page, Page, Room]:
    """A laptop's browser logged in as the demo facilitator with a new workshop ``title``: one
    tab, and another live on the workshop's ``screen`` ("console" or "projector")."""
    laptop = contexts.new(LAPTOP)
    tab = laptop.new_page()
    log_in(tab)
    room = create_workshop(tab, title, ["Habilitering", "BUP"], STATEMENTS)
    other = laptop.new_page()
    other.goto(getattr(room, screen))
    expect(other.locator("#conn")).to_have_attribute("data-state", "online")
    return tab, other, room


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
    create_account(lead, "Kim Facilitator", "kim@example.org", "kims-long-password")

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
    log_in(kim, "kim@example.org", "kims-long-password")
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


def test_logging_out_takes_the_browser_s_other_screens_to_the_login_page(
    server: Server, contexts: Contexts
) -> None:
    tab, projector, room = screen_in_another_tab(contexts, "Loggas ut", "projector")
    elsewhere = contexts.page(LAPTOP)  # the same account on another computer
    log_in(elsewhere)
    elsewhere.goto(room.console)
    expect(elsewhere.locator("#conn")).to_have_attribute("data-state", "online")

    tab.get_by_role("button", name="Logga ut").click()

    expect(tab).to_have_url(re.compile(r"/login$"))
    expect(projector).to_have_url(re.compile(r"/login\?next="))
    expect(projector.get_by_label("E-post")).to_be_visible()
    screenshot(projector, "logged-out-projector.png")
    # The other computer's login holds: its console stays live and still acts
    expect(elsewhere.locator("#conn")).to_have_attribute("data-state", "online")
    elsewhere.get_by_role("button", name="Starta med första påståendet").click()
    expect(elsewhere.locator("#current .current-text")).to_have_text("Barn och unga 0–18 år")
    contexts.assert_no_page_errors()


def test_a_screen_refused_again_soon_after_reloading_says_it_has_no_access(
    server: Server, contexts: Contexts
) -> None:
    tab, console, _ = screen_in_another_tab(contexts, "Ingen åtkomst", "console")
    # as if the tab had just loaded again after a refusal: it must not load in a loop
    console.evaluate("() => sessionStorage.setItem('brygga:refused', String(Date.now()))")

    tab.get_by_role("button", name="Logga ut").click()

    expect(console.locator("#conn")).to_have_attribute("data-state", "refused")
    expect(console.locator("#conn")).to_have_text("Ingen åtkomst – ladda om sidan")
    expect(console).to_have_url(re.compile(r"/console$"))
    screenshot(console, "refused-console.png")
    console.reload()  # the reader's own reload shows why
    expect(console).to_have_url(re.compile(r"/login\?next="))
    contexts.assert_no_page_errors()


def test_a_new_password_takes_the_other_computer_s_console_to_the_login_page(
    server: Server, contexts: Contexts
) -> None:
    lead = contexts.page(LAPTOP)
    log_in(lead)
    create_account(lead, "Robin Facilitator", "robin@example.org", "given-by-the-lead")

    left_behind = contexts.page(LAPTOP)  # a shared computer Robin used first
    log_in(left_behind, "robin@example.org", "given-by-the-lead")
    room = create_workshop(left_behind, "Robins workshop", ["Habilitering", "BUP"], STATEMENTS)
    left_behind.goto(room.console)
    expect(left_behind.locator("#conn")).to_have_attribute("data-state", "online")

    robin = contexts.page(PHONE)
    log_in(robin, "robin@example.org", "given-by-the-lead")
    robin.get_by_role("link", name="Mitt konto").click()
    expect(robin.get_by_text("1 annan inloggning, i en annan webbläsare")).to_be_visible()
    robin.get_by_label("Nuvarande lösenord").fill("given-by-the-lead")
    robin.get_by_label("Nytt lösenord (minst 10 tecken)").fill("only-robin-knows-it")
    robin.get_by_label("Nytt lösenord en gång till").fill("only-robin-knows-it")
    robin.get_by_role("button", name="Byt lösenord").click()

    expect(robin.get_by_text("Lösenordet är bytt.")).to_be_visible()
    expect(robin.get_by_text("1 annan inloggning avslutades.")).to_be_visible()
    expect(robin.get_by_text("Du är bara inloggad här.")).to_be_visible()
    assert robin.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(robin, "account-phone.png")
    expect(left_behind).to_have_url(re.compile(r"/login\?next="))
    try_logging_in(left_behind, "robin@example.org", "given-by-the-lead")
    expect(left_behind.get_by_text("Fel e-post eller lösenord.")).to_be_visible()
    contexts.assert_no_page_errors()
