"""Issue 4 in a real browser: a phone builds the patient journey while the board watches.

The phone (390×844, touch) joins the WS2 demo by code, places two roles (one on two stages at
once) and records a handoff between them; a logged-in laptop has the facilitator's board open
and sees each of them appear. The board's DOM contract: a placement is
``[data-placement-id]`` inside ``[data-cell="<role id>:<stage id>"]`` and names its
organisation; a handoff is ``[data-handoff-id]``.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    SCREENSHOTS,
    Contexts,
    Server,
    join_by_code,
    log_in,
)

pytestmark = pytest.mark.browser

ORG = "Habilitering"
INTERVENTION = "Insats / behandling / stöd i vardagen"
COORDINATION = "Samordning (SIP)"
INITIATES = "Den som initierar SIP eller samordning"  # role 7
COORDINATES = "Den som samordnar plan och kontinuitet"  # role 8
HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1">'


def assert_fits(page: Page, width: int) -> None:
    """Nothing sticks out sideways (no horizontal scrolling on the phone)."""
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide at a {width}px viewport"


def screenshot(page: Page, name: str) -> None:
    """What the thumb sees: the viewport, with the tab bar and the sheet where they sit."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), animations="disabled")


def role_card(phone: Page, code: str) -> Locator:
    return phone.locator(".jp-role").filter(
        has=phone.locator(".jp-code", has_text=re.compile(f"^{re.escape(code)}$"))
    )


def stage_pick(phone: Page, label: str) -> Locator:
    return phone.locator("#sheet .jp-pick").filter(
        has=phone.locator(".jp-pick-label", has_text=re.compile(f"^{re.escape(label)}$"))
    )


def tab(phone: Page, name: str) -> Locator:
    return phone.get_by_role("tab", name=re.compile(name))


def open_journey(contexts: Contexts, server: Server) -> Page:
    """A phone joins the WS2 demo by its code, picking its organisation, then opens the journey."""
    phone = contexts.page(PHONE)
    join_by_code(phone, server.ws2_join_code, ORG)
    phone.goto(f"/{server.ws2_join_code}/journey")
    expect(phone.locator("#conn")).to_have_attribute("data-state", "online")
    expect(phone.get_by_role("heading", name="Ta ett rollkort")).to_be_visible()
    return phone


def my_placement(phone: Page, role_id: str, stage_id: str) -> Locator:
    return phone.locator(f'#my-placements [data-role-id="{role_id}"][data-stage-id="{stage_id}"]')


def test_a_phone_places_two_roles_and_a_handoff_while_the_board_shows_them(
    server: Server, contexts: Contexts
) -> None:
    board = contexts.new(LAPTOP).new_page()
    log_in(board)
    board.goto(f"/f/w/{server.ws2_workshop_id}/board")

    phone = open_journey(contexts, server)
    expect(phone.locator(".jp-role")).to_have_count(15)
    expect(role_card(phone, "7")).to_contain_text(INITIATES)
    expect(role_card(phone, "7").locator(".jp-role-examples")).to_contain_text("T.ex.")
    assert_fits(phone, 390)
    screenshot(phone, "journey-phone-roles-390.png")

    # Role 7 on two stages at once: one tap per stage, own organisation preselected.
    role_card(phone, "7").tap()
    sheet = phone.locator("#sheet")
    expect(sheet.get_by_role("heading", name=INITIATES)).to_be_visible()
    expect(sheet.get_by_label("Vilken verksamhet fyller rollen här?")).to_have_value(
        re.compile(r"^\d+$")
    )
    expect(
        sheet.get_by_label("Vilken verksamhet fyller rollen här?").locator("option:checked")
    ).to_have_text(f"{ORG} (din)")
    stage_pick(phone, INTERVENTION).tap()
    stage_pick(phone, COORDINATION).tap()
    expect(stage_pick(phone, INTERVENTION)).to_have_attribute("aria-pressed", "true")
    sheet.get_by_label("Vad behöver rollen?").fill(HOSTILE)
    sheet.get_by_label("Största hindren").fill("Ingen vet vem som kallar")
    expect(sheet.get_by_role("button", name="Placera på 2 steg")).to_be_visible()
    assert_fits(phone, 390)
    sheet.evaluate("node => { node.scrollTop = 0; }")
    screenshot(phone, "journey-phone-sheet-390.png")
    sheet.get_by_role("button", name="Placera på 2 steg").tap()
    expect(sheet).to_be_hidden()
    expect(phone.locator("#toast")).to_contain_text(f"”{INITIATES}” är placerad på 2 steg")
    expect(role_card(phone, "7").locator(".jp-role-placed")).to_have_text(
        "✓ Du har placerat rollen på steg 5, 6"
    )

    # Role 8 on the coordination stage.
    role_card(phone, "8").tap()
    stage_pick(phone, COORDINATION).tap()
    sheet.get_by_role("button", name="Placera", exact=True).tap()
    expect(sheet).to_be_hidden()

    tab(phone, "Mina").tap()
    mine = phone.locator("#my-placements [data-placement-id]")
    expect(mine).to_have_count(3)
    expect(phone.locator("#mine-count")).to_have_text("3")
    hostile = phone.locator("#my-placements").get_by_text(HOSTILE)
    expect(hostile.first).to_be_visible()  # shown as text, never as markup
    assert phone.evaluate("() => document.body.dataset.pwned") is None
    screenshot(phone, "journey-phone-mine-390.png")

    # The board shows every placement in its role × stage cell, with the organisation.
    for i in range(3):
        item = mine.nth(i)
        pid, rid, sid = (
            item.get_attribute(a) for a in ("data-placement-id", "data-role-id", "data-stage-id")
        )
        expect(
            board.locator(f'[data-cell="{rid}:{sid}"] [data-placement-id="{pid}"]')
        ).to_contain_text(ORG)

    # A handoff: only roles placed on each end are offered.
    tab(phone, "Överlämning").tap()
    transitions = phone.get_by_label("Övergång").locator("option")
    expect(transitions.filter(has_text="(tillbaka)")).to_have_count(2)  # the demo's way back
    phone.get_by_label("Övergång").select_option(label=f"5 → 6 · {INTERVENTION} → {COORDINATION}")
    giver = phone.get_by_label("Rollen som lämnar över")
    taker = phone.get_by_label("Rollen som tar emot")
    expect(giver.locator("option", has_text=INITIATES)).to_have_count(1)
    expect(giver.locator("option", has_text=COORDINATES)).to_have_count(0)
    giver.select_option(label=f"7 · {INITIATES}")
    taker.select_option(label=f"8 · {COORDINATES}")
    phone.get_by_label("Hur sker överlämningen?").select_option(label="SIP-möte")
    phone.get_by_label("Mottagaren bekräftar").check()
    phone.get_by_label("Anteckning").fill("Kallelse via Lifecare")
    assert_fits(phone, 390)
    screenshot(phone, "journey-phone-handoff-390.png")
    phone.get_by_role("button", name="Spara överlämningen").tap()
    expect(phone.locator("#h-status")).to_have_text("✓ Överlämningen är sparad.")
    handoff = phone.locator("#my-handoffs [data-handoff-id]")
    expect(handoff).to_have_count(1)
    expect(handoff).to_contain_text("SIP-möte · mottagaren bekräftar")
    expect(
        board.locator(f'[data-handoff-id="{handoff.get_attribute("data-handoff-id")}"]')
    ).to_have_count(1)

    # 360 px wide: still no sideways scrolling, on any tab or with the sheet open.
    phone.set_viewport_size({"width": 360, "height": 740})
    for name in ("Roller", "Resan", "Överlämning", "Mina"):
        tab(phone, name).tap()
        assert_fits(phone, 360)
    tab(phone, "Roller").tap()
    role_card(phone, "5B").tap()
    assert_fits(phone, 360)
    sheet.get_by_role("button", name="Avbryt").tap()
    contexts.assert_no_page_errors()


def test_a_duplicate_placement_shows_the_servers_message_and_a_reaction_counts(
    server: Server, contexts: Contexts
) -> None:
    phone = open_journey(contexts, server)
    sheet = phone.locator("#sheet")
    for _ in range(2):
        role_card(phone, "6").tap()
        stage_pick(phone, INTERVENTION).tap()
        sheet.get_by_role("button", name="Placera", exact=True).tap()
    # BUP's placement comes from the demo map; Habilitering's from the first round above.
    expect(sheet.locator("#sheet-result li")).to_have_text(
        f"”Den som behandlar kliniskt” är redan placerad på ”{INTERVENTION}” för den "
        "organisationen. Du kan instämma i den placeringen i stället."
    )
    expect(sheet).to_be_visible()
    screenshot(phone, "journey-phone-duplicate-390.png")
    sheet.get_by_role("button", name="Avbryt").tap()
    expect(phone.locator("#my-placements [data-placement-id]")).to_have_count(1)

    tab(phone, "Resan").tap()
    first = phone.locator("#journey-stages details").first
    first.locator("summary").tap()
    agree = first.locator(".jp-react-agree").first
    expect(agree).to_have_text("Instämmer 0")
    agree.tap()
    expect(agree).to_have_attribute("aria-pressed", "true")
    expect(first.locator(".jp-react-agree").first).to_have_text("Instämmer 1")
    screenshot(phone, "journey-phone-journey-390.png")
    contexts.assert_no_page_errors()


def test_writes_left_in_the_outbox_are_sent_once_after_the_page_comes_back(
    server: Server, contexts: Contexts
) -> None:
    """A placement queued while offline (and sent twice: once before the connection dropped)
    is stored once, and the outbox empties."""
    phone = open_journey(contexts, server)
    role_id = role_card(phone, "10").get_attribute("data-role-id")
    tab(phone, "Resan").tap()
    last_stage = phone.locator("#journey-stages details").last.get_attribute("data-stage-id")
    op = {
        "id": "retry-test-0001",
        "event": "journey_place",
        "payload": {
            "role_id": int(role_id or 0),
            "stage_id": int(last_stage or 0),
            "client_id": "retry-test-0001",
        },
        "meta": {},
    }
    key = f"brygga:journey:{server.ws2_join_code}"
    phone.evaluate(
        "([key, queue]) => localStorage.setItem(key, queue)", [key, json.dumps([op, op])]
    )
    phone.reload()
    tab(phone, "Mina").tap()
    expect(phone.locator("#my-placements [data-placement-id]")).to_have_count(1)
    expect(phone.locator("#pending")).to_be_hidden()
    assert phone.evaluate("(key) => localStorage.getItem(key)", key) == "[]"
    contexts.assert_no_page_errors()


def test_the_phone_waits_while_the_journey_is_closed_and_follows_when_it_opens(
    server: Server, contexts: Contexts
) -> None:
    """Runs last in the module: it closes the shared demo journey and opens it again."""
    phone = open_journey(contexts, server)
    board = contexts.new(LAPTOP).new_page()
    log_in(board)
    board.goto(f"/f/w/{server.ws2_workshop_id}/board")
    toggle = board.locator("[data-open-toggle] button")
    closed = phone.get_by_role("heading", name="Facilitatorn har inte öppnat patientresan än")
    toggle.click()
    try:
        expect(closed).to_be_visible()
        expect(phone.locator(".jp-tabs")).to_be_hidden()
        expect(phone.locator(".jp-role").first).to_be_hidden()
        screenshot(phone, "journey-phone-closed-390.png")
    finally:
        board.locator("[data-open-toggle] button").click()
    expect(closed).to_be_hidden()
    expect(phone.get_by_role("heading", name="Ta ett rollkort")).to_be_visible()
    contexts.assert_no_page_errors()


def test_the_sheet_says_who_is_on_a_stage_already_in_words_that_fit_the_role(
    server: Server, contexts: Contexts
) -> None:
    """The child is on every stage of the demo without an organisation: "present", not "placed
    by no organisation"; a professional role names the organisations."""
    phone = open_journey(contexts, server)
    role_card(phone, "1").tap()
    expect(stage_pick(phone, INTERVENTION).locator("small")).to_have_text("Finns redan med här")
    phone.locator("#sheet").get_by_role("button", name="Stäng").tap()
    role_card(phone, "8").tap()
    expect(stage_pick(phone, COORDINATION).locator("small")).to_have_text(
        re.compile(r"^Redan placerad här: .*BUP")
    )
