"""WS2 role validation in a real browser: the roles page, a phone answering a role with a
comment, the console and projector counting, and the facilitator's outcome page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    SCREENSHOTS,
    Contexts,
    Room,
    Server,
    join_by_code,
    log_in,
    screenshot,
    vote_button,
)

pytestmark = pytest.mark.browser

ORG = "Habilitering"
ROLE_3 = "Den som möter och kommunicerar med barnet"
QUESTION = (
    "Stämmer rollen med verkligheten, täcker den sin del av resan och är den tydligt avgränsad?"
)


def assert_fits(page: Page, width: int) -> None:
    """Nothing sticks out sideways (no horizontal scrolling)."""
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide at a {width}px viewport"


def test_a_phone_answers_a_role_with_a_comment_and_the_facilitator_sees_it(
    server: Server, contexts: Contexts
) -> None:
    room = Room(server.ws2_workshop_id, server.ws2_join_code)
    roles_url = f"/f/w/{room.workshop_id}/roles/"
    laptop = contexts.new(LAPTOP)
    console = laptop.new_page()
    log_in(console)

    # The roles page: functions with examples of titles under them; F starts left out.
    console.goto(roles_url)
    card = console.locator(".role-card").filter(has_text=ROLE_3)
    expect(card.locator(".role-name")).to_have_text(ROLE_3)
    expect(card.locator(".role-examples")).to_contain_text("Exempel på titlar:")
    expect(card.locator(".role-examples")).to_contain_text("kurator")
    optional = console.locator(".role-card.is-left-out")
    expect(optional).to_have_count(1)
    expect(optional.locator(".role-code")).to_have_text("F")
    screenshot(console, "roles-page.png")

    console.get_by_role("button", name="Skapa rollvalidering").click()
    expect(console.locator(".flash-ok")).to_have_text(
        re.compile(r"^15 valideringspåståenden skapade")
    )
    expect(console.get_by_role("button", name="Skapa rollvalidering")).to_be_disabled()

    projector = contexts.page(PROJECTOR)
    log_in(projector)
    projector.goto(room.projector)
    expect(projector.locator("#conn")).to_have_attribute("data-state", "online")

    console.goto(room.console)
    expect(console.locator("#conn")).to_have_attribute("data-state", "online")
    expect(console.locator("#order .order-item")).to_have_count(15)
    third = console.locator("#order .order-item").filter(has_text=ROLE_3)
    expect(third.locator(".eyebrow")).to_have_text("Roll 3 · Primär")
    third.get_by_role("button", name="Öppna").click()
    expect(console.locator("#current .current-text")).to_have_text(ROLE_3)
    expect(console.locator("#current .eyebrow")).to_have_text("Roll 3 · Primär")
    expect(projector.locator(".proj-statement")).to_have_text(ROLE_3)
    expect(projector.locator(".proj-kind")).to_have_text("Roll 3 · Primär")
    expect(projector.locator(".proj-role-examples")).to_contain_text("kurator")
    expect(projector.locator(".proj-question")).to_have_text(QUESTION)

    # The phone: the role card, the question, the three buttons explained, a comment.
    phone = contexts.page(PHONE)
    join_by_code(phone, room.join_code, ORG)
    statement = phone.locator(".statement-card")
    expect(statement.locator(".statement-text")).to_have_text(ROLE_3)
    expect(statement.locator(".eyebrow")).to_have_text("Roll 3 · Primär")
    expect(statement.locator(".role-does")).to_contain_text("Bygger relation")
    expect(statement.locator(".role-examples")).to_contain_text("Exempel på titlar: Lärare")
    expect(statement.locator(".question")).to_have_text(QUESTION)
    expect(statement.locator(".vote small")).to_have_text(
        [
            "Rollen stämmer med verkligheten och är tydligt avgränsad.",
            "Rollen stämmer inte – den saknas, är fel beskriven eller överlappar en annan.",
            "Rollen behöver diskuteras i gruppen.",
        ]
    )
    comment = statement.get_by_label("Kommentar (frivillig)")
    send_comment = statement.get_by_role("button", name="Skicka kommentaren")
    expect(send_comment).to_be_disabled()  # nothing to send it with before an answer
    comment.fill("Skolkuratorn saknas i listan")
    vote_button(phone, "Let's discuss").tap()
    expect(vote_button(phone, "Let's discuss")).to_have_attribute("aria-pressed", "true")
    expect(statement.locator(".vote-status")).to_have_text(
        re.compile("^Ditt svar och din kommentar är sparade")
    )
    expect(console.locator("#current .voted-line .stat-n")).to_have_text(re.compile(r"^1 av "))
    expect(projector.locator(".proj-voted strong")).to_have_text(re.compile(r"^1 av "))
    assert_fits(phone, 390)
    phone.evaluate("() => window.scrollTo(0, 0)")  # the sticky bar belongs at the top
    screenshot(phone, "phone-role-card.png")

    # A changed comment goes alone, with the same answer; the count stays one.
    comment.fill("Skolkuratorn och fritidsledaren saknas")
    expect(send_comment).to_be_enabled()
    send_comment.tap()
    expect(send_comment).to_be_disabled()
    expect(vote_button(phone, "Let's discuss")).to_have_attribute("aria-pressed", "true")
    expect(console.locator("#current .voted-line .stat-n")).to_have_text(re.compile(r"^1 av "))

    phone.set_viewport_size({"width": 360, "height": 740})
    assert_fits(phone, 360)

    # A phone building the journey is told that the room votes, with the way there.
    builder = contexts.page(PHONE)
    join_by_code(builder, room.join_code, ORG)  # a role is open: the join leads to the vote
    expect(builder).to_have_url(re.compile(f"/{room.join_code}/p$"))
    builder.goto(f"/{room.join_code}/journey")
    to_vote = builder.get_by_role("link", name="Röstning pågår – till röstningen →")
    expect(to_vote).to_be_visible()
    # nothing open: no banner; open again: the banner is back
    console.locator("#current").get_by_role("button", name="Stäng röstningen").click()
    expect(to_vote).to_be_hidden()
    console.locator("#current").get_by_role("button", name="Öppna igen").click()
    expect(to_vote).to_be_visible()
    to_vote.tap()
    expect(builder.locator(".statement-card .statement-text")).to_have_text(ROLE_3)

    # The outcome page: the tally in words and numbers, the comment without a name.
    outcome = laptop.new_page()
    outcome.goto(f"/f/w/{room.workshop_id}/roles/validation")
    item = outcome.locator(".validation-item").filter(has_text=ROLE_3)
    expect(item.locator(".answers-n .stat-n")).to_have_text("1")
    # one answer is under the anonymity threshold (3): counted, but how is not shown
    expect(item.locator(".withheld")).to_contain_text("färre än 3 har svarat")
    expect(item.locator(".bar-discuss")).to_have_count(0)
    expect(item.locator(".comment-text")).to_have_text(["Skolkuratorn och fritidsledaren saknas"])
    expect(item.locator(".tag-attention")).to_be_visible()
    expect(outcome.locator(".attention-list")).to_contain_text(ROLE_3)
    expect(outcome.locator("body")).not_to_contain_text(ORG + " ·")

    # "Reworded" opens the fields with the current wording to write the new one.
    fields = item.locator(".reword-fields")
    expect(fields).to_be_hidden()
    item.get_by_label("Omformulerat").check()
    expect(fields).to_be_visible()
    expect(fields.get_by_label("Namn på svenska")).to_have_value(ROLE_3)
    screenshot(outcome, "role-validation.png")
    item.screenshot(path=str(SCREENSHOTS / "role-validation-item.png"), animations="disabled")
    screenshot(projector, "projector-role.png")
    contexts.assert_no_page_errors()


def test_the_roles_pages_fit_a_phone_width(server: Server, contexts: Contexts) -> None:
    page = contexts.page({**PHONE, "viewport": {"width": 360, "height": 740}})
    log_in(page)
    page.goto(f"/f/w/{server.ws2_workshop_id}/roles/")
    expect(page.locator(".role-card").first).to_be_visible()
    assert_fits(page, 360)
    page.goto(f"/f/w/{server.ws2_workshop_id}/roles/validation")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits(page, 360)
    contexts.assert_no_page_errors()
