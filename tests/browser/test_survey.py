"""Issue 5 in a real browser: a phone at 390×844 answers the pre-workshop survey and proposes a
statement, the facilitator (laptop) takes it in, and the projector shows how answers moved.

serve.py runs on gevent as in a workshop; the facilitator's pages are plain forms, the survey
page sends answers with a small script and works the same without it.
"""

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
    log_in,
    screenshot,
    start_first_statement,
    tap_vote,
)

pytestmark = pytest.mark.browser

BUP = "BUP inkl. En väg in"
OWN = ["Barn och unga 0–18 år", "Barn med enbart autism t.o.m. 6 år"]
ABOUT_BUP = "Utredning av ADHD"
PROPOSAL = "Stödsamtal för syskon"
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot from the top (the sticky bar stays at the top of the picture)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, name)


def assert_fits_the_phone(page: Page) -> None:
    """Nothing sticks out sideways (no horizontal scrolling on the phone)."""
    viewport = page.viewport_size
    assert viewport is not None
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} is {width}px wide at {viewport['width']}px"


def survey_room(laptop: Page, title: str, threshold: int | None = None) -> Room:
    """Habilitering's own description (BUP answers it) and others' perception of BUP (BUP
    answers it too), with the survey opened from its tab."""
    room = create_workshop(
        laptop,
        title,
        ["Habilitering", BUP],
        [
            ("Habilitering", "Målgrupp", "Egen beskrivning", OWN),
            (BUP, "Uppdrag / insatser", "Andras uppfattning", [ABOUT_BUP]),
        ],
        threshold=threshold,
    )
    laptop.goto(f"/f/w/{room.workshop_id}")
    laptop.get_by_role("navigation", name="Workshop").get_by_role(
        "link", name="Förhandsenkät"
    ).click()
    expect(laptop).to_have_url(re.compile(rf"/f/w/{room.workshop_id}/survey$"))
    laptop.get_by_role("button", name="Öppna enkäten").click()
    expect(laptop.locator(".flash-ok")).to_have_text("Förhandsenkäten är öppen.")
    expect(laptop.get_by_role("button", name="Stäng enkäten")).to_be_visible()
    return room


def join_survey(phone: Page, room: Room, organisation: str) -> None:
    """The phone opens the survey link, picks its organisation and lands on its statements."""
    phone.goto(f"/{room.join_code}/survey")
    phone.get_by_role("radio", name=re.compile("^" + re.escape(organisation))).check()
    phone.get_by_role("button", name="Börja svara").click()
    expect(phone).to_have_url(re.compile(rf"/{room.join_code}/survey$"))


def card(phone: Page, text: str):
    return phone.locator(".sv-card").filter(has=phone.get_by_role("heading", name=text, exact=True))


def answer(phone: Page, text: str, label: str) -> None:
    """Tap an answer on a statement's card and wait until it is saved."""
    button = card(phone, text).get_by_role("button", name=re.compile("^" + re.escape(label)))
    button.tap()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(card(phone, text).locator(".vote-status")).to_have_text(
        "Sparat. Du kan ändra ditt svar tills enkäten stänger."
    )


def propose(phone: Page, organisation: str, topic: str, text: str) -> None:
    form = phone.locator("#propose")
    form.get_by_label("Verksamhet som förslaget handlar om").select_option(label=organisation)
    form.get_by_role("radio", name=topic).check()
    form.get_by_label("Påstående").fill(text)
    form.get_by_role("button", name="Skicka förslaget").tap()


def test_a_phone_answers_the_survey_proposes_a_statement_and_the_facilitator_takes_it_in(
    server: Server, contexts: Contexts
) -> None:
    laptop = contexts.page(LAPTOP)
    log_in(laptop)
    room = survey_room(laptop, "Förhandsenkät i webbläsaren")
    screenshot(laptop, "survey-facilitator-open.png")

    phone = contexts.page(PHONE)
    join_survey(phone, room, BUP)
    expect(phone.locator(".phonebar .who")).to_have_text(BUP)
    expect(phone.locator(".sv-card .statement-text")).to_have_text([*OWN, ABOUT_BUP])
    expect(card(phone, OWN[0]).locator(".vote small")).to_have_text(
        [
            "Ja, jag håller med om beskrivningen",
            "Nej, jag håller inte med om beskrivningen",
            "Denna vill jag lyfta vidare",
        ]
    )
    expect(card(phone, ABOUT_BUP).locator(".vote small")).to_have_text(
        [
            "Ja, det ingår i vårt uppdrag",
            "Nej, det ingår INTE i vårt uppdrag",
            "Denna vill jag lyfta vidare",
        ]
    )
    progress = phone.locator("#sv-progress")
    expect(progress).to_have_text("0 av 3 besvarade")

    answer(phone, OWN[0], "Yes")
    expect(progress).to_have_text("1 av 3 besvarade")
    answer(phone, OWN[1], "Let's discuss")
    answer(phone, ABOUT_BUP, "No")
    expect(progress).to_have_text("3 av 3 besvarade")
    # changing an answer moves the pressed button, never the progress
    answer(phone, OWN[0], "No")
    expect(card(phone, OWN[0]).get_by_role("button", name=re.compile("^Yes"))).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(progress).to_have_text("3 av 3 besvarade")
    phone.reload()  # what the server kept, not what the script showed
    expect(card(phone, OWN[0]).locator('[aria-pressed="true"] .label')).to_have_text("No")
    expect(progress).to_have_text("3 av 3 besvarade")
    assert_fits_the_phone(phone)
    shoot(phone, "survey-phone-390.png")

    propose(phone, "Habilitering", "Uppdrag / insatser", PROPOSAL)
    expect(phone.locator("#my-proposals .sv-note")).to_have_text(
        "Tack! Ditt förslag är skickat till facilitatorn."
    )
    mine = phone.locator("#my-proposals .sv-proposal")
    expect(mine).to_have_count(1)
    expect(mine.locator(".sv-proposal-text")).to_have_text(PROPOSAL)
    expect(mine.locator(".tag")).to_have_text("Väntar på facilitatorn")
    assert_fits_the_phone(phone)
    shoot(phone, "survey-phone-proposed-390.png")

    laptop.reload()
    expect(laptop.locator("#respondents")).to_have_text("1")
    review = laptop.locator("#proposals .sv-review-item")
    expect(review).to_have_count(1)
    expect(review.locator(".eyebrow")).to_have_text(
        "Habilitering · Uppdrag / insatser · från " + BUP
    )
    expect(review.get_by_label("Lydelse")).to_have_value(PROPOSAL)
    screenshot(laptop, "survey-facilitator-proposal.png")
    review.get_by_role("button", name="Ta med i workshopen").click()
    expect(laptop.locator(".flash-ok")).to_have_text("Förslaget är tillagt sist i körordningen.")
    expect(laptop.locator("#proposals .sv-review-item")).to_have_count(0)
    expect(laptop.locator("#compare .sv-row-text").last).to_have_text(PROPOSAL)
    screenshot(laptop, "survey-facilitator-accepted.png")

    laptop.get_by_role("link", name="Förbered").click()
    last = laptop.locator("#statements .statement-row").last
    expect(last).to_contain_text(PROPOSAL)
    expect(last.locator(".eyebrow")).to_contain_text(
        "Habilitering · Uppdrag / insatser · Andras uppfattning"
    )

    phone.reload()
    expect(mine.locator(".tag")).to_have_text("Med i workshopen")
    expect(phone.locator(".sv-card")).to_have_count(3)  # Habilitering answers it, not BUP
    contexts.assert_no_page_errors()


def test_the_survey_works_on_a_small_phone_without_javascript(
    server: Server, contexts: Contexts
) -> None:
    laptop = contexts.page(LAPTOP)
    log_in(laptop)
    room = survey_room(laptop, "Förhandsenkät utan skript")

    phone = contexts.page(SMALL_PHONE, java_script_enabled=False)
    join_survey(phone, room, BUP)
    yes = card(phone, OWN[1]).get_by_role("button", name=re.compile("^Yes"))
    yes.tap()
    expect(phone).to_have_url(re.compile(rf"/{room.join_code}/survey#s\d+$"))
    expect(yes).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("#sv-progress")).to_have_text("1 av 3 besvarade")

    propose(phone, "Habilitering", "Målgrupp", "Barn och unga 0–18 år")
    expect(phone.locator("#propose .flash-error")).to_have_text(
        "Det finns redan ett påstående om Habilitering med samma lydelse: ”Barn och unga 0–18 år”."
    )
    expect(phone.locator("#propose").get_by_label("Påstående")).to_have_value(
        "Barn och unga 0–18 år"
    )
    assert_fits_the_phone(phone)
    shoot(phone, "survey-phone-refused-360.png")


def test_the_projector_shows_the_survey_next_to_the_live_vote(
    server: Server, contexts: Contexts
) -> None:
    laptop = contexts.new(LAPTOP)
    console = laptop.new_page()
    log_in(console)
    room = survey_room(console, "Förhandsenkät och live", threshold=1)

    phone = contexts.page(PHONE)
    join_survey(phone, room, BUP)
    answer(phone, OWN[0], "Yes")

    console.goto(room.console)
    expect(console.locator("#conn")).to_have_attribute("data-state", "online")
    start_first_statement(console)
    phone.goto(f"/{room.join_code}/p")
    tap_vote(phone, "No")

    projector = contexts.new(PROJECTOR).new_page()
    log_in(projector)
    projector.goto(f"/f/w/{room.workshop_id}/survey/compare")
    expect(projector.locator(".sv-proj-text")).to_have_text(OWN[0])
    sides = projector.locator(".sv-side")
    expect(sides.nth(0).locator(".bars")).to_have_attribute(
        "aria-label", "Yes 1, No 0, Let's discuss 0"
    )
    expect(sides.nth(1).locator(".bars")).to_have_attribute(
        "aria-label", "Yes 0, No 1, Let's discuss 0"
    )
    expect(projector.locator(".sv-changed")).to_have_text(
        "1 av 1 som svarade både före och live ändrade sitt svar."
    )
    screenshot(projector, "survey-projector-compare.png")

    projector.keyboard.press("ArrowRight")
    expect(projector.locator(".sv-proj-text")).to_have_text(OWN[1])
    expect(projector.locator(".sv-withheld")).to_have_text(["Inga svar ännu", "Inga svar ännu"])
    contexts.assert_no_page_errors()


def test_the_facilitators_survey_page_fits_a_small_phone_with_long_statements(
    server: Server, contexts: Contexts
) -> None:
    """The demo's long statements ("…funktionsnedsättningar") once pushed each row's "Visa ↗"
    past the card's edge at 360 px; on a phone the button goes below the text instead."""
    page = contexts.page(SMALL_PHONE)
    log_in(page)
    page.goto(f"/f/w/{server.workshop_id}/survey")
    rows = page.locator("#compare .sv-row-head")
    expect(rows.first).to_be_visible()
    assert_fits_the_phone(page)
    edge = page.locator("#compare").evaluate("node => node.getBoundingClientRect().right")
    rights = rows.locator(".button").evaluate_all(
        "buttons => buttons.map(b => b.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= edge, (max(rights), edge)
    contexts.assert_no_page_errors()
