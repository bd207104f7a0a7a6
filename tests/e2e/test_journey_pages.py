"""The facilitator's journey pages through the Flask test client: stages, board, moderation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from db import session_scope
from journey_maps import placing, stages
from journey_maps.board import board_state
from tests.conftest import Ws2, csrf, join_ws2, page_data, post

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def place(app: Flask, pid: int, role: int, stage: int, suffix: str = "", **kw: Any) -> int:
    with session_scope(app) as s:
        written = placing.place_role(
            s,
            participant_id=pid,
            role_id=role,
            stage_id=stage,
            client_id=f"x-12345678{suffix}",
            **kw,
        )
        return written.id


def handoff(app: Flask, pid: int, transition: int, from_role: int, to_role: int) -> int:
    with session_scope(app) as s:
        return placing.record_handoff(
            s,
            participant_id=pid,
            transition_id=transition,
            from_role_id=from_role,
            to_role_id=to_role,
            client_id="h-12345678",
        ).id


def board(app: Flask, ws2: Ws2) -> dict[str, Any]:
    with session_scope(app) as s:
        return board_state(s, ws2.workshop_id)


def latest_edit(html: str) -> str:
    """The id of the newest entry on the edit log page (listed newest first)."""
    found = re.search(r'data-edit-id="(\d+)"', html)
    assert found is not None
    return found.group(1)


@pytest.fixture
def base(ws2: Ws2) -> str:
    return f"/f/w/{ws2.workshop_id}"


# --- Access --------------------------------------------------------------------------------


def test_the_journey_pages_need_a_login(client, ws2, base):
    for url in (
        "/journey",
        "/board",
        "/board/projector",
        "/board/edits",
        f"/journey/stages/{ws2.stages[0]}/remove",
        "/board/placements/1",
    ):
        response = client.get(base + url)
        assert response.status_code == 302 and "/login" in response.location, url
    response = post(client, base + "/board/findings", {"fingerprint": "x", "status": "fixed"})
    assert response.status_code == 302 and "/login" in response.location


def test_every_journey_page_renders(app, logged_in, ws2, base):
    _, pid = join_ws2(app, ws2, "BUP")
    placement = place(app, pid, ws2.roles["4"], ws2.stages[1])
    for url in ("/journey", "/board", "/board/projector", "/board/edits"):
        response = logged_in.get(base + url)
        assert response.status_code == 200, url
    page = logged_in.get(f"{base}/board/placements/{placement}").get_data(as_text=True)
    assert "BUP" in page and "Första kontakt" in page
    projector = logged_in.get(base + "/board/projector").get_data(as_text=True)
    assert ws2.code in projector and f"/qr/{ws2.code}.svg" in projector
    board_page = logged_in.get(base + "/board").get_data(as_text=True)
    assert f"/f/w/{ws2.workshop_id}/map/" in board_page  # the map files page
    assert page_data(board_page)["board"]["placements"][0]["organisation"] == "BUP"


def test_a_page_of_another_workshop_s_placement_is_not_found(app, logged_in, ws2, base):
    assert logged_in.get(f"{base}/board/placements/999").status_code == 404
    assert logged_in.get(f"{base}/board/handoffs/999").status_code == 404


# --- Stages and transitions ----------------------------------------------------------------


def test_a_stage_is_added_linked_from_the_last_renamed_and_moved(app, logged_in, ws2, base):
    response = post(
        logged_in,
        base + "/journey/stages",
        {"label": "Efter avslut", "label_en": "After closure", "link_from_last": "1"},
    )
    assert response.status_code == 302
    with session_scope(app) as s:
        ordered = stages.stages(s, ws2.workshop_id)
        new = ordered[-1]
        assert new.label == "Efter avslut"
        assert (ws2.stages[-1], new.id) in {
            (t.source_id, t.target_id) for t in stages.transitions(s, ws2.workshop_id)
        }
    post(
        logged_in,
        f"{base}/journey/stages/{new.id}/rename",
        {"label": "Eftervård", "label_en": "Aftercare"},
    )
    post(logged_in, f"{base}/journey/stages/{new.id}/move", {"direction": "left"})
    with session_scope(app) as s:
        ordered = stages.stages(s, ws2.workshop_id)
        assert [st.label for st in ordered][-2:] == ["Eftervård", "Uppföljning och avslut"]
    page = logged_in.get(base + "/journey").get_data(as_text=True)
    assert "Eftervård" in page and "Aftercare" in page
    # the add form reads in order: names, then the "link from the last" choice, then the button
    form = page[page.index('class="add-stage"') :].split("</form>")[0]
    assert form.index('name="link_from_last"') < form.index("<button")


def test_an_unlinked_stage_gets_no_transition(app, logged_in, ws2, base):
    before = len(board(app, ws2)["transitions"])
    post(logged_in, base + "/journey/stages", {"label": "Fristående"})
    assert len(board(app, ws2)["transitions"]) == before


def test_an_empty_label_is_refused_with_a_message(logged_in, ws2, base):
    response = post(logged_in, base + "/journey/stages", {"label": "  "}, follow_redirects=True)
    assert "Skriv ett namn på steget." in response.get_data(as_text=True)


def test_removing_a_stage_with_placements_asks_first_and_can_be_restored(app, logged_in, ws2, base):
    _, pid = join_ws2(app, ws2, "BUP")
    place(app, pid, ws2.roles["4"], ws2.stages[2])
    stage = ws2.stages[2]
    response = post(logged_in, f"{base}/journey/stages/{stage}/remove")
    assert response.status_code == 302
    assert response.location.endswith(f"/journey/stages/{stage}/remove")
    confirm = logged_in.get(response.location).get_data(as_text=True)
    assert "1 placeringar" in confirm and "återställ" in confirm
    assert stage in [s["id"] for s in board(app, ws2)["stages"]]

    post(logged_in, f"{base}/journey/stages/{stage}/remove", {"confirmed": "1"})
    assert stage not in [s["id"] for s in board(app, ws2)["stages"]]
    assert "Borttagna steg" in logged_in.get(base + "/journey").get_data(as_text=True)

    post(logged_in, f"{base}/journey/stages/{stage}/restore")
    state = board(app, ws2)
    assert stage in [s["id"] for s in state["stages"]]
    assert [p["stage_id"] for p in state["placements"]] == [stage]


def test_an_empty_stage_is_removed_without_asking(app, logged_in, ws2, base):
    response = post(logged_in, f"{base}/journey/stages/{ws2.stages[-1]}/remove")
    assert response.location.endswith("/journey")
    assert ws2.stages[-1] not in [s["id"] for s in board(app, ws2)["stages"]]


def test_a_backward_transition_is_added_removed_and_restored(app, logged_in, ws2, base):
    source, target = ws2.stages[6], ws2.stages[1]
    post(
        logged_in,
        base + "/journey/transitions",
        {
            "source_id": source,
            "target_id": target,
            "kind": "back",
            "label": "Kontakten tappas",
            "label_en": "Contact lost",
        },
    )
    added = next(
        t for t in board(app, ws2)["transitions"] if (t["from_id"], t["to_id"]) == (source, target)
    )
    assert (added["kind"], added["label"]) == ("back", "Kontakten tappas")
    post(logged_in, f"{base}/journey/transitions/{added['id']}/remove")
    assert added["id"] not in [t["id"] for t in board(app, ws2)["transitions"]]
    page = logged_in.get(base + "/journey").get_data(as_text=True)
    assert "Borttagna övergångar" in page
    post(logged_in, f"{base}/journey/transitions/{added['id']}/restore")
    assert added["id"] in [t["id"] for t in board(app, ws2)["transitions"]]


def test_a_transition_to_itself_is_refused(logged_in, ws2, base):
    response = post(
        logged_in,
        base + "/journey/transitions",
        {"source_id": ws2.stages[0], "target_id": ws2.stages[0], "kind": "forward"},
        follow_redirects=True,
    )
    assert "två olika steg" in response.get_data(as_text=True)


def test_owners_of_a_transition_are_set_and_replaced(app, logged_in, ws2, base):
    tid = ws2.transitions[(ws2.stages[0], ws2.stages[1])]
    url = f"{base}/journey/transitions/{tid}/owners"
    post(logged_in, url, {"role_id": [ws2.roles["7"], ws2.roles["8"]]})
    owners = {t["id"]: t["owners"] for t in board(app, ws2)["transitions"]}
    assert owners[tid] == sorted([ws2.roles["7"], ws2.roles["8"]])
    post(logged_in, url, {"role_id": [ws2.roles["8"]]})
    assert {t["id"]: t["owners"] for t in board(app, ws2)["transitions"]}[tid] == [ws2.roles["8"]]


def test_the_journey_is_opened_and_closed_for_participants(app, logged_in, ws2, base):
    post(logged_in, base + "/journey/open", {"open": "0", "back": "board"})
    assert board(app, ws2)["journey_open"] is False
    token = csrf(logged_in)
    response = logged_in.post(
        base + "/journey/open",
        data={"open": "1"},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert response.get_json()["ok"] is True
    assert response.get_json()["board"]["journey_open"] is True


# --- Findings --------------------------------------------------------------------------------


def triage(client: FlaskClient, base: str, **fields: str) -> Any:
    token = csrf(client)
    return client.post(
        base + "/board/findings",
        data=fields,
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )


def test_a_dismissal_needs_a_reason_and_the_verdict_survives_recomputation(
    app, logged_in, ws2, base
):
    fingerprint = board(app, ws2)["analysis"]["findings"][0]["fingerprint"]
    refused = triage(logged_in, base, fingerprint=fingerprint, status="dismissed")
    assert refused.status_code == 400
    assert refused.get_json() == {"ok": False, "error": "Skriv varför fyndet avfärdas."}

    answer = triage(
        logged_in, base, fingerprint=fingerprint, status="dismissed", reason="Känt, hanteras i SIP"
    )
    assert answer.get_json()["ok"] is True
    _, pid = join_ws2(app, ws2, "BUP")
    place(app, pid, ws2.roles["4"], ws2.stages[1])  # the analysis runs again
    verdict = {f["fingerprint"]: f["triage"] for f in board(app, ws2)["analysis"]["findings"]}
    assert verdict[fingerprint] == {"status": "dismissed", "reason": "Känt, hanteras i SIP"}

    post(logged_in, base + "/board/findings", {"fingerprint": fingerprint, "status": ""})
    verdict = {f["fingerprint"]: f["triage"] for f in board(app, ws2)["analysis"]["findings"]}
    assert verdict[fingerprint] is None


def test_a_finding_is_confirmed_and_marked_fixed_through_the_form(app, logged_in, ws2, base):
    fingerprint = board(app, ws2)["analysis"]["findings"][0]["fingerprint"]
    response = post(
        logged_in, base + "/board/findings", {"fingerprint": fingerprint, "status": "fixed"}
    )
    assert response.status_code == 302 and response.location.endswith("/board#findings")
    found = {f["fingerprint"]: f["triage"] for f in board(app, ws2)["analysis"]["findings"]}
    assert found[fingerprint]["status"] == "fixed"


# --- Moderation ----------------------------------------------------------------------------


def test_a_placement_is_edited_and_the_edit_undone(app, logged_in, ws2, base):
    _, pid = join_ws2(app, ws2, "BUP")
    placement = place(app, pid, ws2.roles["4"], ws2.stages[1], needs="Väntetid")
    response = post(
        logged_in,
        f"{base}/board/placements/{placement}/edit",
        {
            "stage_id": ws2.stages[2],
            "organisation_id": ws2.orgs["Elevhälsa"],
            "needs": "Kortare väntetid",
            "obstacles": "",
        },
    )
    assert response.status_code == 302
    edited = board(app, ws2)["placements"][0]
    assert (edited["stage_id"], edited["organisation"], edited["needs"]) == (
        ws2.stages[2],
        "Elevhälsa",
        "Kortare väntetid",
    )
    log = logged_in.get(base + "/board/edits").get_data(as_text=True)
    assert "Väntetid" in log and "Ångra" in log
    edit_id = latest_edit(log)
    post(logged_in, f"{base}/board/edits/{edit_id}/undo")
    back = board(app, ws2)["placements"][0]
    assert (back["stage_id"], back["organisation"], back["needs"]) == (
        ws2.stages[1],
        "BUP",
        "Väntetid",
    )


def test_a_refused_edit_keeps_what_the_facilitator_typed(app, logged_in, ws2, base):
    _, pid = join_ws2(app, ws2, "BUP")
    first = place(app, pid, ws2.roles["4"], ws2.stages[1])
    place(app, pid, ws2.roles["4"], ws2.stages[2], suffix="b")
    response = post(
        logged_in,
        f"{base}/board/placements/{first}/edit",
        {"stage_id": ws2.stages[2], "organisation_id": ws2.orgs["BUP"], "needs": "Min text"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "dubblett" in page and "Min text" in page


def test_removing_a_placement_says_how_many_handoffs_go_and_undo_brings_all_back(
    app, logged_in, ws2, base
):
    _, pid = join_ws2(app, ws2, "BUP")
    source = place(app, pid, ws2.roles["3"], ws2.stages[0])
    place(app, pid, ws2.roles["4"], ws2.stages[1], suffix="b")
    transition = ws2.transitions[(ws2.stages[0], ws2.stages[1])]
    handoff(app, pid, transition, ws2.roles["3"], ws2.roles["4"])
    page = logged_in.get(f"{base}/board/placements/{source}").get_data(as_text=True)
    assert "1 överlämningar som bygger på placeringen tas bort" in page

    response = post(logged_in, f"{base}/board/placements/{source}/remove", follow_redirects=True)
    assert "1 överlämningar följde med" in response.get_data(as_text=True)
    state = board(app, ws2)
    assert len(state["placements"]) == 1 and state["handoffs"] == []
    assert "borttagen" in logged_in.get(f"{base}/board/placements/{source}").get_data(as_text=True)

    edit_id = latest_edit(response.get_data(as_text=True))
    post(logged_in, f"{base}/board/edits/{edit_id}/undo")
    state = board(app, ws2)
    assert len(state["placements"]) == 2 and len(state["handoffs"]) == 1


def test_placements_of_the_same_role_and_stage_are_merged_and_unmerged(app, logged_in, ws2, base):
    _, bup = join_ws2(app, ws2, "BUP")
    _, school = join_ws2(app, ws2, "Elevhälsa")
    keep = place(app, bup, ws2.roles["4"], ws2.stages[1], needs="Remiss")
    other = place(app, school, ws2.roles["4"], ws2.stages[1], suffix="b", needs="Tid")
    page = logged_in.get(f"{base}/board/placements/{keep}").get_data(as_text=True)
    assert f'name="merge_id" value="{other}"' in page
    post(logged_in, f"{base}/board/placements/{keep}/merge", {"merge_id": [other]})
    state = board(app, ws2)
    assert [p["id"] for p in state["placements"]] == [keep]
    assert state["placements"][0]["needs"] == "Remiss\nTid"

    log = logged_in.get(base + "/board/edits").get_data(as_text=True)
    for edit_id in re.findall(r'data-edit-id="(\d+)"', log):
        post(logged_in, f"{base}/board/edits/{edit_id}/undo")
    state = board(app, ws2)
    assert sorted(p["id"] for p in state["placements"]) == sorted([keep, other])
    assert {p["id"]: p["needs"] for p in state["placements"]} == {keep: "Remiss", other: "Tid"}


def test_merging_nothing_is_refused_with_a_message(app, logged_in, ws2, base):
    _, pid = join_ws2(app, ws2, "BUP")
    keep = place(app, pid, ws2.roles["4"], ws2.stages[1])
    response = post(logged_in, f"{base}/board/placements/{keep}/merge", follow_redirects=True)
    assert "Välj minst två placeringar" in response.get_data(as_text=True)


def test_a_handoff_is_edited_removed_and_brought_back(app, logged_in, ws2, base):
    _, pid = join_ws2(app, ws2, "BUP")
    place(app, pid, ws2.roles["3"], ws2.stages[0])
    place(app, pid, ws2.roles["4"], ws2.stages[1], suffix="b")
    transition = ws2.transitions[(ws2.stages[0], ws2.stages[1])]
    hid = handoff(app, pid, transition, ws2.roles["3"], ws2.roles["4"])
    assert logged_in.get(f"{base}/board/handoffs/{hid}").status_code == 200
    post(
        logged_in,
        f"{base}/board/handoffs/{hid}/edit",
        {"mode": "referral", "acknowledged": "1", "notes": "Via EVI"},
    )
    edited = board(app, ws2)["handoffs"][0]
    assert (edited["mode"], edited["acknowledged"], edited["notes"]) == (
        "referral",
        True,
        "Via EVI",
    )
    post(logged_in, f"{base}/board/handoffs/{hid}/remove")
    assert board(app, ws2)["handoffs"] == []
    log = logged_in.get(base + "/board/edits").get_data(as_text=True)
    edit_id = latest_edit(log)
    post(logged_in, f"{base}/board/edits/{edit_id}/undo")
    assert [h["id"] for h in board(app, ws2)["handoffs"]] == [hid]


def test_a_too_long_handoff_mode_is_refused_with_its_limit_and_nothing_is_cut(
    app, logged_in, ws2, base
):
    _, pid = join_ws2(app, ws2, "BUP")
    place(app, pid, ws2.roles["3"], ws2.stages[0])
    place(app, pid, ws2.roles["4"], ws2.stages[1], suffix="b")
    transition = ws2.transitions[(ws2.stages[0], ws2.stages[1])]
    hid = handoff(app, pid, transition, ws2.roles["3"], ws2.roles["4"])
    response = post(
        logged_in,
        f"{base}/board/handoffs/{hid}/edit",
        {"mode": "följer med " * 12, "acknowledged": "1"},
        follow_redirects=True,
    )
    assert "Hur överlämningen sker får beskrivas med högst 120 tecken." in response.get_data(
        as_text=True
    )
    assert board(app, ws2)["handoffs"][0]["acknowledged"] is False


# --- Hostile text --------------------------------------------------------------------------


def test_hostile_text_from_participants_is_escaped_everywhere(app, logged_in, ws2, base):
    _, pid = join_ws2(app, ws2, "BUP")
    placement = place(app, pid, ws2.roles["4"], ws2.stages[1], needs=HOSTILE, obstacles=HOSTILE)
    post(logged_in, f"{base}/journey/stages/{ws2.stages[1]}/rename", {"label": HOSTILE})
    for url in (
        "/board",
        "/board/projector",
        "/journey",
        f"/board/placements/{placement}",
        "/board/edits",
    ):
        page = logged_in.get(base + url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
    data = page_data(logged_in.get(base + "/board").get_data(as_text=True))
    assert data["board"]["placements"][0]["needs"] == HOSTILE


def test_in_english_the_journey_page_names_stages_in_english_where_it_can(logged_in, ws2):
    page = logged_in.get(f"/f/w/{ws2.workshop_id}/journey?lang=en").get_data(as_text=True)
    options = re.findall(r'<option value="\d+"[^>]*>\d+\. ([^<]+)</option>', page)
    assert "First contact" in options and "Första kontakt" not in options
    transitions = page[page.index('id="transitions"') :]
    assert "<span>First contact</span>" in transitions
