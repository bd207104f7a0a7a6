"""Every page of a workshop in a real browser, checked and saved as a full-page screenshot.

The screenshots land in test-artifacts/screenshots/ (git-ignored) for a human to look at:
phones at 390×844, the console at 1440×900, the projector at 1920×1080.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

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
    set_threshold,
    start_first_statement,
    tap_vote,
    vote_button,
)

pytestmark = pytest.mark.browser

TITLE = "WS2 Uppdrag och målgrupp – Barn och unga"
BUP = "BUP inkl. En väg in"
ELEVHALSA = "Barn- och elevhälsa"
HAB = "Habilitering"
SUPPORT_TALKS = "Stödsamtal"
ASSESSMENT = "Utredning av barn för att ta ställning till om de hör till målgruppen"
AUTISM = "Barn med enbart autism t.o.m. 6 år"
AGES = "Barn och unga 0–18 år"


@dataclass
class Scene:
    """A workshop part-way through: three statements answered, the fourth open with votes."""

    room: Room
    console: Page
    phones: dict[str, Page]


def next_statement(console: Page, phones: list[Page], text: str) -> None:
    console.get_by_role("button", name=re.compile("^Nästa")).click()
    expect(console.locator("#current .current-text")).to_have_text(text)
    for phone in phones:
        expect(phone.locator(".statement-card .statement-text")).to_have_text(text)


@pytest.fixture(scope="module")
def scene(module_contexts: Contexts) -> Iterator[Scene]:
    console = module_contexts.page(LAPTOP)
    log_in(console)
    room = create_workshop(
        console,
        TITLE,
        [HAB, BUP, ELEVHALSA, "Socialtjänst utredning/myndighet IFO"],
        [
            (HAB, "Uppdrag / insatser", "Andras uppfattning", [SUPPORT_TALKS, ASSESSMENT]),
            (HAB, "Målgrupp", "Egen beskrivning", [AUTISM, AGES]),
        ],
        threshold=1,  # two phones answer each statement; the threshold has its own test
    )
    console.goto(room.console)
    expect(console.locator("#conn")).to_have_attribute("data-state", "online")
    phones = {}
    for org, name in ((BUP, "Anna"), (ELEVHALSA, ""), (HAB, "Sara")):
        phone = module_contexts.page(PHONE)
        join_by_code(phone, room.join_code, org, name)
        phones[org] = phone
    everyone = list(phones.values())

    start_first_statement(console)
    expect(phones[HAB].locator(".statement-card .statement-text")).to_have_text(SUPPORT_TALKS)
    tap_vote(phones[HAB], "No")
    next_statement(console, everyone, ASSESSMENT)
    tap_vote(phones[HAB], "Yes")
    next_statement(console, everyone, AUTISM)
    tap_vote(phones[BUP], "No")
    tap_vote(phones[ELEVHALSA], "Let's discuss")
    next_statement(console, everyone, AGES)
    tap_vote(phones[BUP], "Yes")
    tap_vote(phones[ELEVHALSA], "Yes")
    expect(console.locator("#current .voted-line .stat-n")).to_have_text("2 av 2")
    yield Scene(room, console, phones)
    module_contexts.assert_no_page_errors()


def reveal(console: Page) -> None:
    """Show the current statement's result to the room (once; later calls keep it shown)."""
    current = console.locator("#current")
    hide = current.get_by_role("button", name="Dölj resultatet")
    show = current.get_by_role("button", name="Visa resultatet")
    expect(hide.or_(show)).to_be_visible()
    if show.is_visible():
        show.click()
    expect(hide).to_be_visible()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{page.url} is {width}px wide in a {viewport}px viewport"


def test_phone_join_and_pick_organisation_pages(server: Server, contexts: Contexts) -> None:
    phone = contexts.page(PHONE)
    phone.goto("/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Delta i en workshop")
    expect(phone.get_by_label("Kod", exact=True)).to_be_visible()
    expect(phone.get_by_role("button", name="Fortsätt")).to_be_visible()
    no_sideways_scroll(phone)
    screenshot(phone, "phone-join.png")

    phone.get_by_label("Kod", exact=True).fill(server.join_code.lower())
    phone.get_by_role("button", name="Fortsätt").click()
    options = phone.get_by_role("group", name="Vilken verksamhet representerar du?").get_by_role(
        "radio"
    )
    expect(options).to_have_count(10)  # the demo workshop's organisations
    expect(phone.get_by_role("heading", level=1)).to_have_text(re.compile("^WS1 "))
    expect(phone.get_by_role("button", name="Gå med")).to_be_visible()
    screenshot(phone, "phone-pick-organisation.png")
    contexts.assert_no_page_errors()


def test_the_pick_page_fits_a_390px_phone_with_a_long_workshop_title(
    server: Server, contexts: Contexts
) -> None:
    phone = contexts.page(PHONE)
    phone.goto(f"/{server.join_code}")
    expect(phone.get_by_role("heading", level=1)).to_have_text(re.compile("Förväntanskartläggning"))
    no_sideways_scroll(phone)


def test_phone_vote_page_in_swedish_and_english(scene: Scene) -> None:
    phone = scene.phones[BUP]
    phone.goto(f"/{scene.room.join_code}/p?lang=sv")
    card = phone.locator(".statement-card")
    expect(card.locator(".statement-text")).to_have_text(AGES)
    expect(vote_button(phone, "Yes")).to_have_attribute("aria-pressed", "true")
    expect(card.locator(".vote-status")).to_have_text(
        "Du har svarat. Du kan ändra ditt svar så länge frågan är öppen."
    )
    expect(card.locator(".progress")).to_have_text("2 av 2 har svarat")
    no_sideways_scroll(phone)
    screenshot(phone, "phone-vote.png")

    phone.goto(f"/{scene.room.join_code}/p?lang=en")
    expect(card.locator(".question")).to_have_text("Is Habilitering's own description right?")
    expect(card.locator(".vote small")).to_have_text(
        [
            "Yes, I agree with the description",
            "No, I don't agree with the description",
            "I want to raise this",
        ]
    )
    expect(vote_button(phone, "Yes")).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("#conn")).to_have_text("Connected")
    expect(phone.locator(".phone-footer").get_by_role("link", name="Svenska")).to_be_visible()
    no_sideways_scroll(phone)
    screenshot(phone, "phone-vote-en.png")
    phone.goto(f"/{scene.room.join_code}/p?lang=sv")
    expect(phone.locator(".phone-footer").get_by_role("link", name="English")).to_be_visible()

    # Habilitering does not answer its own description: the phone says so instead.
    own = scene.phones[HAB]
    expect(own.locator(".statement-card .vote-status")).to_have_text(
        "Det här är Habiliterings egen beskrivning – de andra verksamheterna svarar."
    )
    expect(own.locator(".statement-card .votes")).to_be_hidden()
    screenshot(own, "phone-not-for-you.png")


def test_the_console_s_running_order_gives_a_phone_s_width_to_the_statement(
    server: Server, contexts: Contexts
) -> None:
    """On a phone the statement's text takes the row and its button goes below it: beside
    it the text had about 160 px, and "funktionsnedsättningar" broke mid-word."""
    page = contexts.page(PHONE)
    log_in(page)
    page.goto(f"/f/w/{server.workshop_id}/console")
    item = page.locator("#order .order-item").first
    expect(item.locator(".button")).to_be_visible()
    main, button = (
        item.locator(sel).evaluate("n => n.getBoundingClientRect().toJSON()")
        for sel in (".order-main", ".button")
    )
    assert main["width"] > 0.6 * PHONE["viewport"]["width"], main
    assert button["top"] >= main["bottom"] - 1, (main, button)  # below the text
    no_sideways_scroll(page)
    screenshot(page, "console-phone.png")


def test_console_page_with_an_open_statement_and_votes(scene: Scene) -> None:
    console = scene.console
    console.goto(scene.room.console)
    current = console.locator("#current")
    expect(current.locator(".current-text")).to_have_text(AGES)
    expect(current.locator(".voted-line .stat-n")).to_have_text("2 av 2")
    expect(console.locator("#joined")).to_have_text("3")
    expect(console.locator("#order .order-item")).to_have_count(4)
    expect(console.locator("#order .order-item.is-current")).to_contain_text(AGES)
    peek = current.get_by_role("button", name="Visa fördelningen för mig")
    if peek.is_visible():
        peek.click()
    expect(current.locator(".bars")).to_have_attribute("aria-label", "Yes 2, No 0, Let's discuss 0")
    no_sideways_scroll(console)
    screenshot(console, "console.png")


def test_projector_with_a_revealed_result(scene: Scene, contexts: Contexts) -> None:
    reveal(scene.console)
    projector = contexts.page(PROJECTOR)
    log_in(projector)
    projector.goto(scene.room.projector)
    expect(projector.locator("#conn")).to_have_attribute("data-state", "online")
    expect(projector.locator(".proj-statement")).to_have_text(AGES)
    expect(projector.locator(".proj-voted strong")).to_have_text("2 av 2")
    bars = projector.locator(".bars")
    expect(bars).to_have_attribute("aria-label", "Yes 2, No 0, Let's discuss 0")
    expect(bars.locator(".bar-yes .bar-n")).to_have_text("2 · 100 %")
    expect(projector.locator(".proj-code")).to_have_text(scene.room.join_code)
    no_sideways_scroll(projector)
    screenshot(projector, "projector.png")
    contexts.assert_no_page_errors()


def test_phone_result_page_after_reveal(scene: Scene) -> None:
    reveal(scene.console)
    phone = scene.phones[ELEVHALSA]
    card = phone.locator(".statement-card")
    expect(card.get_by_role("heading", name="Resultat")).to_be_visible()
    expect(card.locator(".result .bars")).to_have_attribute(
        "aria-label", "Yes 2, No 0, Let's discuss 0"
    )
    expect(vote_button(phone, "Yes")).to_have_attribute("aria-pressed", "true")
    no_sideways_scroll(phone)
    screenshot(phone, "phone-result.png")


def test_projector_waiting_for_the_first_statement(server: Server, contexts: Contexts) -> None:
    projector = contexts.page(PROJECTOR)
    log_in(projector)
    projector.goto(f"/f/w/{server.workshop_id}/projector")
    expect(projector.locator("#conn")).to_have_attribute("data-state", "online")
    expect(projector.get_by_role("heading", level=1)).to_have_text(
        "Skanna QR-koden för att vara med"
    )
    expect(projector.locator(".proj-code")).to_have_text(server.join_code)
    qr = projector.get_by_role("img", name="QR-kod för att ansluta")
    expect(qr).to_be_visible()
    projector.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=qr.element_handle()
    )
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 300, f"the QR code is only {box} on 1920×1080"
    no_sideways_scroll(projector)
    screenshot(projector, "projector-waiting.png")
    contexts.assert_no_page_errors()


def test_prepare_page(server: Server, contexts: Contexts) -> None:
    page = contexts.page(LAPTOP)
    log_in(page)
    page.goto(f"/f/w/{server.workshop_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "WS1 Förväntanskartläggning – Barn och unga (demo)"
    )
    expect(page.locator("#organisations .org-table li")).to_have_count(10)
    expect(page.locator("#statements .statement-row")).to_have_count(26)
    expect(page.locator(".tabs [aria-current=page]")).to_have_text("Förbered")
    no_sideways_scroll(page)
    screenshot(page, "prepare.png")
    contexts.assert_no_page_errors()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_workshop_tab_fits_one_row_on_a_1280px_laptop(
    server: Server, contexts: Contexts, lang: str
) -> None:
    page = contexts.new({"viewport": {"width": 1280, "height": 800}}).new_page()
    log_in(page)
    for wid in (server.workshop_id, server.ws2_workshop_id):
        page.goto(f"/f/w/{wid}?lang={lang}")
        tabs = page.locator(".tabs a")
        expect(tabs.last).to_be_visible()
        tops = {round(box["y"]) for box in (t.bounding_box() for t in tabs.all()) if box}
        assert len(tops) == 1, f"the tabs of workshop {wid} ({lang}) wrap to {len(tops)} rows"
    contexts.assert_no_page_errors()


def test_results_page(scene: Scene) -> None:
    page = scene.console
    page.goto(f"/f/w/{scene.room.workshop_id}/results")
    expect(page.locator(".tabs [aria-current=page]")).to_have_text("Resultat")
    gaps = page.locator(".card.highlight")
    expect(gaps.get_by_role("heading", level=2)).to_have_text(
        re.compile("^Förväntningar utanför uppdraget")
    )
    expect(gaps.locator(".gap-list li")).to_have_count(1)
    expect(gaps.locator(".gap-list li")).to_contain_text(SUPPORT_TALKS)
    expect(page.locator(".org-result h2")).to_have_text([HAB])
    expect(page.locator(".org-result .result-row")).to_have_count(4)
    no_sideways_scroll(page)
    screenshot(page, "results.png")


def test_discuss_page(scene: Scene) -> None:
    page = scene.console
    page.goto(f"/f/w/{scene.room.workshop_id}/discuss")
    expect(page.locator(".tabs [aria-current=page]")).to_have_text("Diskussionskö")
    items = page.locator(".discuss-item")
    expect(items).to_have_count(1)
    expect(items.get_by_role("heading", level=2)).to_have_text(AUTISM)
    expect(items.locator(".raised")).to_have_text("1 vill lyfta")
    expect(items.get_by_role("radio")).to_have_count(4)
    progress = page.locator(".discuss-progress")
    expect(progress).to_contain_text("0/1 lyft påstående har fått ett utfall")
    progress.get_by_role("link", name=re.compile("^Nästa: ")).click()
    expect(page).to_have_url(re.compile(r"/discuss#d\d+$"))
    heading = items.get_by_role("heading", level=2).bounding_box()
    bar = progress.bounding_box()
    assert heading and bar and heading["y"] >= bar["y"] + bar["height"]  # not under the bar
    no_sideways_scroll(page)
    screenshot(page, "discuss.png")


def test_discuss_page_withholds_how_many_raised_a_statement_under_the_threshold(
    scene: Scene, module_contexts: Contexts
) -> None:
    """Runs last: it raises the scene's threshold from 1 to 3 (two phones answered)."""
    page = scene.console
    set_threshold(page, scene.room.workshop_id, 3)
    page.goto(f"/f/w/{scene.room.workshop_id}/discuss")
    # every statement is answered by too few now: all are queued, in running order, raised or
    # not, or the queue would say that Elevhälsa's one phone chose "Let's discuss" on AUTISM
    items = page.locator(".discuss-item")
    expect(items.get_by_role("heading", level=2)).to_have_text(
        [SUPPORT_TALKS, ASSESSMENT, AUTISM, AGES]
    )
    expect(items.locator(".withheld")).to_have_text(
        ["Fördelningen visas inte: färre än 3 har svarat."] * 4
    )
    expect(page.locator(".discuss-item .raised")).to_have_count(0)
    expect(page.locator(".discuss-item .bars")).to_have_count(0)
    expect(page.locator(".queue-part h2")).to_have_text("Färre än 3 har svarat")
    item = items.nth(2)
    expect(item.get_by_role("radio")).to_have_count(0)  # folded until the facilitator writes
    item.get_by_text("Anteckna", exact=True).click()
    expect(item.get_by_role("radio")).to_have_count(4)  # it can still be discussed
    no_sideways_scroll(page)
    screenshot(page, "discuss-withheld.png")

    phone = module_contexts.page(PHONE)  # a facilitator on a phone
    log_in(phone)
    phone.goto(f"/f/w/{scene.room.workshop_id}/discuss")
    expect(phone.locator(".discuss-item .withheld").first).to_be_visible()
    no_sideways_scroll(phone)
    screenshot(phone, "discuss-withheld-phone.png")


def test_a_console_action_that_gets_no_answer_says_so_and_can_be_tried_again(
    server: Server, contexts: Contexts
) -> None:
    """A dropped request or a proxy's error page (not the app's JSON) is told in words, as a
    refused action is, instead of a script error and a button that seems to do nothing."""
    page = contexts.page(LAPTOP)
    log_in(page)
    statements = [(HAB, "Målgrupp", "Egen beskrivning", ["Barn 0–18 år"])]
    room = create_workshop(page, "Ingen förbindelse", [HAB, BUP], statements)
    page.goto(room.console)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    start = page.get_by_role("button", name="Starta med första påståendet")
    failures = (
        lambda route: route.abort(),
        lambda route: route.fulfill(status=502, content_type="text/html", body="<h1>502</h1>"),
    )
    for failure in failures:
        page.route("**/live/open", failure)
        with page.expect_event("dialog") as shown:
            start.click()
        assert shown.value.message == (
            "Det gick inte att nå servern. Kontrollera anslutningen och försök igen."
        )
        shown.value.dismiss()
        page.unroute("**/live/open")

    start.click()  # the connection is back: the same button works
    expect(page.locator("#current .current-text")).to_have_text("Barn 0–18 år")
    contexts.assert_no_page_errors()
