"""Issue 2 in a real browser: phones at 390×844 join by code and vote while the projector counts.

A laptop-size context is the facilitator (console and projector), phone-size contexts are the
participants; all talk to serve.py on gevent over Socket.IO, as in a workshop.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Dialog, Page, WebSocketRoute, expect

from tests.browser.conftest import (
    DEMO_FIRST_STATEMENT,
    LAPTOP,
    PHONE,
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

EXPLANATIONS_OWN = [
    "Ja, jag håller med om beskrivningen",
    "Nej, jag håller inte med om beskrivningen",
    "Denna vill jag lyfta vidare",
]


def spaced_lower(code: str) -> str:
    """How a participant might type a code read off the screen: "ka3 kxm"."""
    return f"{code[:3]} {code[3:]}".lower()


def assert_fits_the_phone(page: Page) -> None:
    """Nothing sticks out sideways at 390 px (no horizontal scrolling on the phone)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide at a 390px viewport"


def facilitator(contexts: Contexts, room: Room | None = None) -> tuple[Page, Page]:
    """A logged-in laptop with the console and the projector of ``room`` open, both live."""
    laptop = contexts.new(LAPTOP)
    console = laptop.new_page()
    log_in(console)
    return console, laptop.new_page()


def open_live(console: Page, projector: Page, room: Room) -> None:
    projector.goto(room.projector)
    expect(projector.locator("#conn")).to_have_attribute("data-state", "online")
    console.goto(room.console)
    expect(console.locator("#conn")).to_have_attribute("data-state", "online")


def small_room(console: Page, title: str, text: str) -> Room:
    """Habilitering and BUP; one own description of Habilitering (BUP answers it)."""
    return create_workshop(
        console,
        title,
        ["Habilitering", "BUP inkl. En väg in"],
        [("Habilitering", "Målgrupp", "Egen beskrivning", [text])],
        threshold=1,
    )


def live_small_room(contexts: Contexts, title: str, text: str) -> tuple[Page, Page, Room]:
    """A small room made on a logged-in laptop, its console and projector open and live."""
    console, projector = facilitator(contexts)
    room = small_room(console, title, text)
    open_live(console, projector, room)
    return console, projector, room


def test_phone_at_390x844_joins_by_code_votes_and_changes_vote_while_the_projector_counts(
    server: Server, contexts: Contexts
) -> None:
    room = Room(server.workshop_id, server.join_code)
    console, projector = facilitator(contexts)
    set_threshold(console, room.workshop_id, 1)  # one phone votes: show its distribution
    open_live(console, projector, room)
    expect(projector.locator("#joined")).to_have_text("0")

    phone = contexts.page(PHONE)
    join_by_code(phone, spaced_lower(room.join_code), "BUP inkl. En väg in")
    expect(phone).to_have_url(re.compile(f"/{room.join_code}/p$"))
    expect(phone.locator(".phonebar .who")).to_have_text("BUP inkl. En väg in")
    expect(phone.get_by_role("heading", name="Väntar på nästa påstående")).to_be_visible()
    expect(projector.locator("#joined")).to_have_text("1")
    expect(projector.locator("#joined-label")).to_have_text("ansluten")  # not "1 anslutna"
    expect(console.locator("#joined")).to_have_text("1")
    expect(console.locator("#joined-label")).to_have_text("ansluten")

    start_first_statement(console)
    card = phone.locator(".statement-card")
    expect(card.locator(".statement-text")).to_have_text(DEMO_FIRST_STATEMENT)
    expect(card.locator(".eyebrow")).to_have_text("Habilitering · Målgrupp · Egen beskrivning")
    expect(card.locator(".question")).to_have_text("Stämmer Habiliterings egen beskrivning?")
    expect(card.locator(".vote .label")).to_have_text(["Yes", "No", "Let's discuss"])
    expect(card.locator(".vote small")).to_have_text(EXPLANATIONS_OWN)
    for label in ("Yes", "No", "Let's discuss"):
        expect(vote_button(phone, label)).to_be_enabled()
        expect(vote_button(phone, label)).to_have_attribute("aria-pressed", "false")
    expect(projector.locator(".proj-statement")).to_have_text(DEMO_FIRST_STATEMENT)
    expect(projector.locator(".proj-voted strong")).to_have_text("0 av 1")
    assert_fits_the_phone(phone)

    tap_vote(phone, "Yes")
    expect(projector.locator(".proj-voted strong")).to_have_text("1 av 1")
    expect(console.locator("#current .voted-line .stat-n")).to_have_text("1 av 1")
    expect(projector.locator(".bars")).to_have_count(0)  # the room sees no result before reveal
    expect(card.locator(".result")).to_be_hidden()

    # Changing the answer moves the pressed state and the tally, never the count.
    tap_vote(phone, "No")
    expect(vote_button(phone, "Yes")).to_have_attribute("aria-pressed", "false")
    expect(vote_button(phone, "Let's discuss")).to_have_attribute("aria-pressed", "false")
    console.get_by_role("button", name="Visa fördelningen för mig").click()
    expect(console.locator("#current .bars")).to_have_attribute(
        "aria-label", "Yes 0, No 1, Let's discuss 0"
    )
    expect(projector.locator(".proj-voted strong")).to_have_text("1 av 1")
    expect(console.locator("#current .voted-line .stat-n")).to_have_text("1 av 1")

    console.get_by_role("button", name="Visa resultatet").click()
    bars = projector.locator(".bars")
    expect(bars).to_have_attribute("aria-label", "Yes 0, No 1, Let's discuss 0")
    expect(bars.locator(".bar-no .bar-n")).to_have_text("1 · 100 %")
    expect(bars.locator(".bar-yes .bar-n")).to_have_text("0 · 0 %")
    expect(card.get_by_role("heading", name="Resultat")).to_be_visible()
    expect(card.locator(".result .bars")).to_have_attribute(
        "aria-label", "Yes 0, No 1, Let's discuss 0"
    )

    second = contexts.page(PHONE)
    join_by_code(second, spaced_lower(room.join_code), "Barn- och elevhälsa")
    expect(projector.locator("#joined")).to_have_text("2")
    expect(projector.locator("#joined-label")).to_have_text("anslutna")
    expect(projector.locator(".proj-voted strong")).to_have_text("1 av 2")
    expect(second.locator(".statement-card .statement-text")).to_have_text(DEMO_FIRST_STATEMENT)
    tap_vote(second, "Yes")
    expect(projector.locator(".proj-voted strong")).to_have_text("2 av 2")
    expect(bars).to_have_attribute("aria-label", "Yes 1, No 1, Let's discuss 0")
    # The first phone keeps its own answer and sees the new totals.
    expect(vote_button(phone, "No")).to_have_attribute("aria-pressed", "true")
    expect(card.locator(".result .bars")).to_have_attribute(
        "aria-label", "Yes 1, No 1, Let's discuss 0"
    )
    assert_fits_the_phone(phone)
    contexts.assert_no_page_errors()


def test_a_wrong_code_gets_a_clear_message_on_the_phone(server: Server, contexts: Contexts) -> None:
    wrong = "kaj kxm" if server.join_code != "KAJKXM" else "kaj kxn"
    phone = contexts.page(PHONE)
    phone.goto("/")
    expect(phone.get_by_role("heading", name="Delta i en workshop")).to_be_visible()
    phone.get_by_label("Kod", exact=True).fill(wrong)
    phone.get_by_role("button", name="Fortsätt").click()

    expect(phone.get_by_role("alert")).to_have_text(
        "Ingen workshop har den koden. Kontrollera koden på skärmen."
    )
    expect(phone.get_by_label("Kod", exact=True)).to_have_value(wrong)
    expect(phone.get_by_role("heading", name="Delta i en workshop")).to_be_visible()
    assert_fits_the_phone(phone)
    screenshot(phone, "phone-wrong-code.png")

    # A code that cannot be one (a zero) gets the same message, not a server error.
    phone.get_by_label("Kod", exact=True).fill("ka3kx0")
    phone.get_by_role("button", name="Fortsätt").click()
    expect(phone.get_by_role("alert")).to_have_text(
        "Ingen workshop har den koden. Kontrollera koden på skärmen."
    )
    expect(phone.get_by_label("Kod", exact=True)).to_have_value("ka3kx0")
    contexts.assert_no_page_errors()


def test_a_phone_that_goes_offline_queues_its_vote_and_sends_it_when_back(
    server: Server, contexts: Contexts
) -> None:
    console, projector, room = live_small_room(contexts, "Offline-test", "Barn och unga 0–18 år")
    phone_context = contexts.new(PHONE)
    phone = phone_context.new_page()
    join_by_code(phone, spaced_lower(room.join_code), "BUP inkl. En väg in")
    start_first_statement(console)
    expect(phone.locator(".statement-card .statement-text")).to_have_text("Barn och unga 0–18 år")
    expect(projector.locator(".proj-voted strong")).to_have_text("0 av 1")

    phone_context.set_offline(True)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "offline", timeout=20_000)
    expect(phone.locator("#conn")).to_have_text("Ingen anslutning – försöker igen")
    vote_button(phone, "Yes").tap()
    expect(vote_button(phone, "Yes")).to_have_attribute("aria-pressed", "true")
    expect(phone.locator(".statement-card .vote-status")).to_have_text(
        "Ingen anslutning just nu – ditt svar skickas så snart du är ansluten igen."
    )
    expect(phone.locator("#pending")).to_have_text("1 svar väntar på att skickas")
    expect(projector.locator(".proj-voted strong")).to_have_text("0 av 1")
    screenshot(phone, "phone-offline.png")

    phone_context.set_offline(False)
    # Socket.IO reconnects by itself (with backoff); the queued answer goes on connect.
    expect(projector.locator(".proj-voted strong")).to_have_text("1 av 1", timeout=20_000)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "online")
    expect(phone.locator("#pending")).to_be_hidden()
    expect(phone.locator(".statement-card .vote-status")).to_have_text(
        re.compile("^Ditt svar är sparat")
    )
    console.get_by_role("button", name="Visa fördelningen för mig").click()
    expect(console.locator("#current .bars")).to_have_attribute(
        "aria-label", "Yes 1, No 0, Let's discuss 0"
    )
    contexts.assert_no_page_errors()


def test_statement_text_with_html_is_shown_as_text(server: Server, contexts: Contexts) -> None:
    markup = "<img src=x onerror=alert(1)> <b>fet</b>"
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    console, projector = facilitator(contexts)
    room = small_room(console, "<script>alert('titel')</script>", markup)
    prepared = console.locator("#statements .statement-main p:not(.eyebrow)")
    expect(prepared).to_have_text(markup)
    expect(console.get_by_role("heading", level=1)).to_have_text("<script>alert('titel')</script>")
    phone = contexts.page(PHONE)
    for page in (console, projector, phone):
        page.on("dialog", record)
    open_live(console, projector, room)
    join_by_code(phone, spaced_lower(room.join_code), "BUP inkl. En väg in")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Väntar på nästa påstående")
    start_first_statement(console)

    shown = phone.locator(".statement-card .statement-text")
    expect(shown).to_have_text(markup)
    expect(phone.locator(".statement-card img, .statement-card b")).to_have_count(0)
    expect(projector.locator(".proj-statement")).to_have_text(markup)
    expect(projector.locator(".proj-stage img, .proj-stage b")).to_have_count(0)
    expect(console.locator("#current .current-text")).to_have_text(markup)
    expect(console.locator("#order").get_by_text(markup, exact=True)).to_have_count(1)
    expect(console.locator("#current img, #order img, #order b")).to_have_count(0)

    tap_vote(phone, "Let's discuss")
    console.goto(f"/f/w/{room.workshop_id}/discuss")
    expect(console.locator(".discuss-item h2")).to_have_text(markup)
    console.goto(f"/f/w/{room.workshop_id}/results")
    expect(console.locator(".result-row p").first).to_contain_text(markup)
    assert dialogs == []
    contexts.assert_no_page_errors()


def test_one_answer_is_counted_but_never_shown_on_the_projector_or_the_phone(
    server: Server, contexts: Contexts
) -> None:
    console, projector = facilitator(contexts)
    room = create_workshop(
        console,
        "Anonymitet",
        ["Habilitering", "BUP inkl. En väg in"],
        [("Habilitering", "Målgrupp", "Egen beskrivning", ["Barn och unga 0–18 år"])],
    )  # the default threshold: 3
    open_live(console, projector, room)
    phone = contexts.page(PHONE)
    join_by_code(phone, room.join_code, "BUP inkl. En väg in")
    start_first_statement(console)
    tap_vote(phone, "No")
    expect(projector.locator(".proj-voted strong")).to_have_text("1 av 1")
    console.locator("#current").get_by_role("button", name="Visa resultatet").click()
    withheld = "Fördelningen visas inte: färre än 3 har svarat."
    expect(projector.locator(".withheld")).to_have_text(withheld)
    expect(phone.locator(".statement-card .withheld")).to_have_text(withheld)
    expect(projector.locator(".bars")).to_have_count(0)
    expect(phone.locator(".bars")).to_have_count(0)
    screenshot(projector, "projector-withheld.png")


def test_a_ballot_the_server_asks_to_retry_is_sent_again_by_itself(
    server: Server, contexts: Contexts
) -> None:
    """The server answers the first ballot "try again" (as it does when the database is lost);
    the phone keeps it queued and resends it after a pause, without the person tapping again."""
    console, projector, room = live_small_room(contexts, "Försök igen", "Barn och unga 0–18 år")
    phone = contexts.new(PHONE).new_page()
    refused: list[str] = []
    retry = json.dumps({"ok": False, "retry": True, "code": "error.page.500", "error": "Fel"})

    def route(ws: WebSocketRoute) -> None:
        to_server = ws.connect_to_server()

        def from_phone(message: str | bytes) -> None:
            ballot = (
                re.match(r'^42/live,(\d+)\["cast_vote"', message)
                if isinstance(message, str)
                else None
            )
            if ballot and not refused:
                refused.append(message)
                ws.send(f"43/live,{ballot.group(1)}[{retry}]")  # the acknowledgement
                return
            to_server.send(message)

        ws.on_message(from_phone)

    phone.route_web_socket(re.compile(r"/socket\.io/"), route)
    join_by_code(phone, room.join_code, "BUP inkl. En väg in")
    start_first_statement(console)
    expect(phone.locator(".statement-card .statement-text")).to_have_text("Barn och unga 0–18 år")
    vote_button(phone, "Yes").tap()
    expect(projector.locator(".proj-voted strong")).to_have_text("1 av 1")
    assert len(refused) == 1, "the first ballot was not intercepted"
    expect(phone.locator("#pending")).to_be_hidden()
    expect(phone.locator(".statement-card .vote-status")).to_have_text(
        re.compile("^Ditt svar är sparat")
    )
    contexts.assert_no_page_errors()


def test_counting_again_after_a_break_leaves_out_the_phone_that_went_home(
    server: Server, contexts: Contexts
) -> None:
    console, projector, room = live_small_room(
        contexts, "Räkna om efter pausen", "Barn med funktionsnedsättning"
    )
    stays = contexts.page(PHONE)
    join_by_code(stays, room.join_code, "BUP inkl. En väg in")
    leaves = contexts.page(PHONE)
    join_by_code(leaves, room.join_code, "Habilitering")
    expect(projector.locator("#joined")).to_have_text("2")
    leaves.close()  # went home at the break
    expect(projector.locator("#joined")).to_have_text("2")  # still counted until a roll call

    console.get_by_role("button", name="Räkna om").click()
    expect(console.locator("#roll-call-note")).to_have_text(
        "Räknar om – telefonerna som är kvar anmäler sig nu."
    )
    # The screens say they are counting again instead of a count that drops and climbs back
    expect(projector.locator("#recounting")).to_have_text(" · räknar om")
    expect(projector.locator("#joined")).to_have_text("…")
    expect(console.locator("#joined")).to_have_text("…")
    # then the phone still on the page has answered by itself and is counted again.
    expect(projector.locator("#recounting")).to_be_hidden()
    expect(projector.locator("#joined")).to_have_text("1")
    expect(console.locator("#joined")).to_have_text("1")
    start_first_statement(console)
    expect(projector.locator(".proj-voted strong")).to_have_text("0 av 1")
    expect(projector.locator(".proj-who")).to_have_text(" · alla utom Habilitering svarar")
    tap_vote(stays, "Yes")
    expect(projector.locator(".proj-voted strong")).to_have_text("1 av 1")
    screenshot(console, "console-roll-call.png")
    contexts.assert_no_page_errors()


def test_one_ticked_statement_is_named_in_the_singular_and_opens_on_the_phone(
    server: Server, contexts: Contexts
) -> None:
    console, projector, room = live_small_room(
        contexts, "Egen takt", "Barn och unga med funktionsnedsättning"
    )
    phone = contexts.page(PHONE)
    join_by_code(phone, room.join_code, "BUP inkl. En väg in")

    console.locator("#order input[type=checkbox]").first.check()
    console.get_by_role("button", name="Öppna 1 markerat", exact=True).click()
    expect(vote_button(phone, "Yes")).to_be_enabled()
    expect(projector.locator(".proj-sub")).to_have_text("Svara på din telefon")
    contexts.assert_no_page_errors()


LONG_STATEMENT = (
    "Barn och unga 0–18 år med misstänkt eller konstaterad neuropsykiatrisk "
    "funktionsnedsättning, intellektuell funktionsnedsättning eller autism, och deras "
    "föräldrar och syskon, när behoven är så sammansatta att stödet behöver samordnas mellan "
    "habilitering, barn- och ungdomspsykiatri, elevhälsa, socialtjänst och primärvård, också "
    "när barnet ännu inte har någon diagnos och familjen inte vet vart de ska vända sig först"
)


def test_the_projector_shows_a_long_statement_its_result_and_the_code_on_one_screen(
    server: Server, contexts: Contexts
) -> None:
    console, _ = facilitator(contexts)
    assert 400 < len(LONG_STATEMENT) <= 500
    room = small_room(console, "Lång text", LONG_STATEMENT)
    phone = contexts.page(PHONE)
    join_by_code(phone, room.join_code, "BUP inkl. En väg in")
    console.goto(room.console)
    start_first_statement(console)
    tap_vote(phone, "Yes")
    console.locator("#current").get_by_role("button", name="Visa resultatet").click()
    for width, height in ((1920, 1080), (1280, 720)):
        projector = contexts.new({"viewport": {"width": width, "height": height}}).new_page()
        log_in(projector)
        projector.goto(room.projector)
        expect(projector.locator(".proj-stage .bars")).to_be_visible()
        expect(projector.locator(".proj-statement")).to_have_text(LONG_STATEMENT)
        expect(projector.locator(".proj-stage")).to_have_attribute("data-fit", re.compile(r"^0\."))
        assert projector.evaluate("() => document.documentElement.scrollHeight") <= height
        for part in (".proj-stage .bars", ".proj-voted", ".proj-code"):
            box = projector.locator(part).bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, (width, part, box)
        screenshot(projector, f"projector-long-statement-{width}.png")
    contexts.assert_no_page_errors()


def test_the_console_says_when_nobody_in_the_room_may_answer(
    server: Server, contexts: Contexts
) -> None:
    console, _, room = live_small_room(
        contexts, "Ingen kan svara", "Barn och unga med rörelsehinder"
    )
    own = contexts.page(PHONE)
    join_by_code(own, room.join_code, "Habilitering")  # its own description: others answer
    start_first_statement(console)
    nobody = console.locator("#current .nobody-eligible")
    expect(nobody).to_have_text(
        "Ingen i rummet kan svara på det här (alla utom Habilitering svarar)."
        " Gå vidare till nästa påstående."
    )
    other = contexts.page(PHONE)
    join_by_code(other, room.join_code, "BUP inkl. En väg in")
    expect(console.locator("#current .stat-n")).to_have_text("0 av 1")
    expect(nobody).to_have_count(0)
    contexts.assert_no_page_errors()
