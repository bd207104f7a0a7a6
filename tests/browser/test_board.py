"""The facilitator's journey board in a real browser: the demo map, gap markers, findings,
placements arriving live from a phone, the projector board, the stages and moderation pages.

Screenshots land in test-artifacts/screenshots/: the board at 1440×900, the projector board at
1920×1080, the stages page and a moderation page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    Contexts,
    Server,
    log_in,
    screenshot,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def board(module_contexts: Contexts, server: Server) -> Iterator[Page]:
    """The facilitator's board of the WS2 demo, logged in, connected."""
    page = module_contexts.page(LAPTOP)
    log_in(page)
    page.goto(f"/f/w/{server.ws2_workshop_id}/board")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    yield page
    module_contexts.assert_no_page_errors()


def board_data(page: Page) -> dict[str, Any]:
    data: dict[str, Any] = page.evaluate(
        "JSON.parse(document.getElementById('page-data').textContent).board"
    )
    return data


def ids(data: dict[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    """Role ids by code and stage ids by Swedish label."""
    return (
        {r["code"]: r["id"] for r in data["roles"]},
        {s["label"]: s["id"] for s in data["stages"]},
    )


def test_the_board_shows_the_demo_map_with_gap_markers(board: Page) -> None:
    data = board_data(board)
    roles, stages = ids(data)
    expect(board.locator("thead .stage-head")).to_have_count(len(data["stages"]))
    expect(board.locator("tbody tr")).to_have_count(len(data["roles"]))
    markers = board.locator("[data-transition-id][data-grade]")
    expect(markers).to_have_count(len(data["transitions"]))
    grades = {m.get_attribute("data-grade") for m in markers.all()}
    assert grades <= {"gap", "fragile", "robust"} and "fragile" in grades
    fragile = board.locator('thead [data-grade="fragile"]').first
    expect(fragile).to_contain_text("Skört")
    expect(fragile).to_contain_text("1 roll")  # how many roles carry it, in words

    cell = board.locator(f'[data-cell="{roles["3"]}:{stages["Första kontakt"]}"]')
    expect(cell.locator("[data-placement-id]")).to_have_count(2)
    expect(cell).to_contain_text("Elevhälsa")
    expect(cell).to_contain_text("VC med UPH")
    expect(cell.locator(".disputed-flag")).to_contain_text("Ifrågasatt")
    expect(board.locator("[data-handoff-id]").first).to_be_visible()
    expect(board.locator("#finding-list > li.finding").first).to_be_visible()
    expect(board.locator("#honesty")).to_contain_text("beskriver kartan")
    screenshot(board, "board-laptop.png")


def test_the_grid_shows_a_shadow_at_an_edge_with_stages_out_of_sight(board: Page) -> None:
    frame = board.locator("#board-frame")
    scroller = board.locator(".board-scroll")
    wider = scroller.evaluate("node => node.scrollWidth > node.clientWidth")
    assert wider, "the demo journey fits a 1440 px laptop: this test needs a wider grid"
    expect(frame).to_have_attribute("data-more-left", "false")
    expect(frame).to_have_attribute("data-more-right", "true")
    scroller.evaluate("node => { node.scrollLeft = node.scrollWidth; }")
    expect(frame).to_have_attribute("data-more-left", "true")
    expect(frame).to_have_attribute("data-more-right", "false")
    scroller.evaluate("node => { node.scrollLeft = 0; }")
    expect(frame).to_have_attribute("data-more-left", "false")


def test_triaging_a_finding_updates_the_panel(board: Page) -> None:
    first = board.locator("#finding-list > li.finding").first
    fingerprint = first.get_attribute("data-fingerprint")
    item = board.locator(f'#finding-list > li[data-fingerprint="{fingerprint}"]')
    item.get_by_role("button", name="Bekräfta").click()
    expect(item).to_have_attribute("data-triage", "confirmed")
    expect(item.locator(".triage-tag")).to_have_text("Bekräftat")

    item.locator("summary", has_text="Avfärda").click()
    item.get_by_label("Varför avfärdas fyndet?").fill("Hanteras redan i SIP-rutinen")
    item.get_by_role("button", name="Avfärda med skälet").click()
    expect(item).to_have_attribute("data-triage", "dismissed")
    expect(item.locator(".finding-reason")).to_contain_text("Hanteras redan i SIP-rutinen")

    item.get_by_role("button", name="Rensa").click()
    expect(item).to_have_attribute("data-triage", "")


def test_a_placement_from_a_phone_appears_on_the_board_without_reload(
    board: Page, module_contexts: Contexts, server: Server
) -> None:
    data = board_data(board)
    filled = {(p["role_id"], p["stage_id"]) for p in data["placements"]}
    role, stage = next(
        (r["id"], s["id"])
        for r in data["roles"]
        if r["professional"]
        for s in data["stages"]
        if (r["id"], s["id"]) not in filled
    )
    cell = board.locator(f'[data-cell="{role}:{stage}"]')
    expect(cell.locator("[data-placement-id]")).to_have_count(0)
    board.evaluate("window.__sameDocument = true")

    phone = module_contexts.page(PHONE)
    phone.goto(f"/{server.ws2_join_code}")
    phone.get_by_role("radio", name=re.compile("^Habilitering")).check()
    phone.get_by_role("button", name="Gå med").click()
    expect(phone).not_to_have_url(re.compile(r"/pick|/$"))
    phone.add_script_tag(url="/static/vendor/socket.io.min.js")
    answer = phone.evaluate(
        """([code, role, stage]) => new Promise((resolve) => {
            const socket = io("/live", { auth: { role: "participant", code: code } });
            socket.on("connect", () => socket.emit("journey_place",
                { role_id: role, stage_id: stage, client_id: "browser-test-0001",
                  needs: "<b>Samordnad plan</b>" },
                resolve));
        })""",
        [server.ws2_join_code, role, stage],
    )
    assert answer["ok"], answer
    chip = cell.locator(f'[data-placement-id="{answer["id"]}"]')
    expect(chip).to_contain_text("Habilitering")
    expect(chip).to_contain_text("lagd av Habilitering")
    chip.locator("summary").click()
    expect(chip).to_contain_text("<b>Samordnad plan</b>")  # shown as text, never as markup
    assert board.evaluate("window.__sameDocument") is True

    # a second channel: the moderation page moves it to another organisation
    moderation = module_contexts.page(LAPTOP)
    log_in(moderation)
    moderation.goto(f"/f/w/{server.ws2_workshop_id}/board/placements/{answer['id']}")
    moderation.get_by_label("Verksamhet som fyller rollen").select_option(label="BUP")
    moderation.get_by_role("button", name="Spara ändringen").click()
    expect(moderation.locator(".flash-ok")).to_be_visible()
    expect(chip.locator(".p-org")).to_have_text("BUP")
    screenshot(moderation, "board-moderation.png")
    assert board.evaluate("window.__sameDocument") is True


def test_the_projector_board_fits_1920_by_1080_without_controls(
    module_contexts: Contexts, server: Server
) -> None:
    page = module_contexts.page(PROJECTOR)
    log_in(page)
    page.goto(f"/f/w/{server.ws2_workshop_id}/board/projector")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    expect(page.locator(".bp-code")).to_have_text(server.ws2_join_code)
    expect(page.locator("[data-transition-id][data-grade]").first).to_be_visible()
    expect(page.locator("[data-placement-id]").first).to_be_visible()
    expect(page.locator("button, form, details, textarea")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "board-projector.png")
    # A projector cannot scroll: the page fits the screen's height too, in either language
    # and on a laptop (the type is made smaller when it would not)
    for lang, (width, height) in [("sv", (1920, 1080)), ("en", (1920, 1080)), ("en", (1280, 800))]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/f/w/{server.ws2_workshop_id}/board/projector?lang={lang}")
        expect(page.locator("[data-placement-id]").first).to_be_visible()
        expect(page.locator(".board-projector")).to_have_attribute("data-fit", re.compile(r"^[01]"))
        size = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        assert size[0] <= width and size[1] <= height, (lang, width, height, size)
    page.goto(f"/f/w/{server.ws2_workshop_id}/board/projector?lang=sv")  # as it was


def test_the_stages_page_lists_stages_and_backward_transitions(
    module_contexts: Contexts, server: Server
) -> None:
    page = module_contexts.page(LAPTOP)
    log_in(page)
    page.goto(f"/f/w/{server.ws2_workshop_id}/journey")
    expect(page.locator(".stage-item")).to_have_count(7)
    expect(page.locator(".transition-item.kind-back")).to_have_count(2)
    expect(page.locator("#transitions")).to_contain_text("Hänvisas tillbaka")
    expect(page.locator("#transitions")).to_contain_text("Kontakten tappas")
    screenshot(page, "journey-stages.png")


def test_a_roll_call_makes_the_board_say_it_is_counting_again_then_count(
    contexts: Contexts, server: Server
) -> None:
    """A WS2 workshop of its own (a roll call would empty the shared demo's room)."""
    laptop = contexts.new(LAPTOP)
    board = laptop.new_page()
    log_in(board)
    board.goto("/f/new")
    board.get_by_label("WS2 · Roller i patientresan").check()
    board.get_by_label("Titel").fill("Räkna om på tavlan")
    board.get_by_role("button", name="Skapa workshop").click()
    expect(board).to_have_url(re.compile(r"/f/w/\d+$"))
    wid = int(board.url.rsplit("/", 1)[1])
    board.goto(f"/f/w/{wid}/board")
    expect(board.locator("#conn")).to_have_attribute("data-state", "online")
    counts = board.locator("#board-counts")
    expect(counts).to_contain_text("0 deltagare")

    console = laptop.new_page()
    console.goto(f"/f/w/{wid}/console")
    expect(console.locator("#conn")).to_have_attribute("data-state", "online")
    console.get_by_role("button", name="Räkna om").click()
    expect(counts).to_contain_text("räknar om deltagarna …")
    expect(counts).to_contain_text("0 deltagare")  # once the answers have had their time
    contexts.assert_no_page_errors()
