"""A workshop's open live pages end with it: deleted (by its facilitator or by retention), every
page is told and leaves its room; handed over, the screens are told to connect again, and only
those who still may watch are let back in. A page that ignores the message reads nothing more."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from db import session_scope
from tests.conftest import (
    Demo,
    Ws2,
    account,
    join_phone,
    join_ws2,
    live,
    live_socket,
    login_as,
    post,
)
from tests.e2e.test_live_workshop import action
from workshops import services
from workshops.live import AUDIENCES, room
from workshops.models import Workshop


def closings(sio) -> list[dict[str, Any]]:
    return [e["args"][0] for e in sio.get_received("/live") if e["name"] == "closed"]


def in_room(app, workshop_id: int, audience: str) -> list[str]:
    manager = app.extensions["socketio"].server.manager
    return [sid for sid, _ in manager.get_participants("/live", room(workshop_id, audience))]


def sync(sio, event: str = "sync") -> dict[str, Any]:
    return sio.emit(event, {}, namespace="/live", callback=True)


@pytest.fixture
def screens_and_phones(app, logged_in, demo: Demo):
    console = live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    projector = live(app, logged_in, role="projector", workshop_id=demo.workshop_id)
    phone = live(app, join_phone(app, demo, "BUP"), role="participant", code=demo.code)
    for sio in (console, projector, phone):
        sio.get_received("/live")
    return console, projector, phone


def delete(client, demo: Demo) -> None:
    response = post(client, f"/f/w/{demo.workshop_id}/delete", {"confirm": demo.code})
    assert response.status_code == 302 and response.location.endswith("/f/")


def test_deleting_a_workshop_tells_every_open_page_and_empties_its_rooms(
    app, logged_in, demo, screens_and_phones
):
    console, projector, phone = screens_and_phones
    assert all(in_room(app, demo.workshop_id, a) for a in AUDIENCES)

    delete(logged_in, demo)

    for sio in (console, projector, phone):
        assert closings(sio) == [{"reason": "deleted"}]
    assert not any(in_room(app, demo.workshop_id, a) for a in AUDIENCES)
    # A page that ignored the message and asks for the state gets an answer, not the state
    assert sync(phone)["code"] == "error.not_joined"
    assert sync(console)["code"] == "error.no_longer_allowed"
    assert sync(projector)["code"] == "error.no_longer_allowed"


def test_a_wrong_confirmation_deletes_nothing_and_closes_nothing(
    app, logged_in, demo, screens_and_phones
):
    console, _, phone = screens_and_phones
    post(logged_in, f"/f/w/{demo.workshop_id}/delete", {"confirm": "XXXXXX"})
    assert closings(console) == closings(phone) == []
    assert sync(phone)["ok"] is True and sync(console)["ok"] is True


def test_another_workshop_s_pages_are_left_alone(app, logged_in, demo, ws2: Ws2):
    board = live(app, logged_in, role="facilitator", workshop_id=ws2.workshop_id)
    phone, _ = join_ws2(app, ws2, "BUP")
    journey_phone = live(app, phone, role="participant", code=ws2.code)
    for sio in (board, journey_phone):
        sio.get_received("/live")

    delete(logged_in, demo)

    assert closings(board) == closings(journey_phone) == []
    assert sync(board, "journey_sync")["ok"] is True
    assert sync(journey_phone, "journey_sync")["ok"] is True


def test_a_deleted_ws2_workshop_s_board_and_phones_are_closed_too(app, logged_in, ws2: Ws2):
    board = live(app, logged_in, role="facilitator", workshop_id=ws2.workshop_id)
    phone, _ = join_ws2(app, ws2, "BUP")
    journey_phone = live(app, phone, role="participant", code=ws2.code)
    for sio in (board, journey_phone):
        sio.get_received("/live")

    response = post(logged_in, f"/f/w/{ws2.workshop_id}/delete", {"confirm": ws2.code})
    assert response.status_code == 302

    assert closings(board) == closings(journey_phone) == [{"reason": "deleted"}]
    assert sync(journey_phone, "journey_sync")["code"] == "error.not_joined"
    assert sync(board, "journey_sync")["code"] == "error.no_longer_allowed"


def test_retention_s_deletion_closes_the_workshop_s_pages(app, demo, screens_and_phones):
    console, projector, phone = screens_and_phones
    with session_scope(app) as s:
        workshop = s.get(Workshop, demo.workshop_id)
        assert workshop is not None
        workshop.date = dt.date.today() - dt.timedelta(days=400)
        s.commit()

    result = app.test_cli_runner().invoke(args=["retention", "--delete", "--yes"])

    assert result.exit_code == 0, result.output
    for sio in (console, projector, phone):
        assert closings(sio) == [{"reason": "deleted"}]
    assert not any(in_room(app, demo.workshop_id, a) for a in AUDIENCES)


def test_a_withdrawn_participant_s_other_page_reads_nothing_more(app, demo):
    phone = join_phone(app, demo, "BUP")
    first, second = (live(app, phone, role="participant", code=demo.code) for _ in range(2))
    assert post(phone, f"/{demo.code}/withdraw").status_code == 302

    assert sync(second)["code"] == "error.not_joined"
    assert sync(first)["code"] == "error.not_joined"


# --- Handed over -----------------------------------------------------------------------------


@pytest.mark.lead
def test_handing_over_lets_back_only_those_who_still_may_watch(app, logged_in, demo):
    """The lead (``logged_in``) hands the owner's workshop to a colleague: the owner's console
    and projector are told to connect again and are refused; the lead's console, told the same,
    is let back in; the phones are not disturbed."""
    owner, colleague = account(app, "owner@example.org"), account(app, "colleague@example.org")
    with session_scope(app) as s:
        services.hand_over_workshop(s, workshop_id=demo.workshop_id, owner_id=owner)
    owners = login_as(app, "owner@example.org")
    console = live(app, owners, role="facilitator", workshop_id=demo.workshop_id)
    projector = live(app, owners, role="projector", workshop_id=demo.workshop_id)
    leads = live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    phone = live(app, join_phone(app, demo, "BUP"), role="participant", code=demo.code)
    for sio in (console, projector, leads, phone):
        sio.get_received("/live")

    response = post(
        logged_in, "/f/accounts/handover", {"workshop_id": demo.workshop_id, "owner_id": colleague}
    )
    assert response.status_code == 302

    for sio in (console, projector, leads):
        assert closings(sio) == [{"reason": "access"}]
    assert closings(phone) == []
    assert not in_room(app, demo.workshop_id, "facilitator")
    assert in_room(app, demo.workshop_id, "phones")
    assert sync(console)["code"] == "error.no_longer_allowed"
    assert sync(leads)["ok"] is True
    # Connecting again, as the page does: the previous owner is refused, the lead let in
    again = live_socket(app, owners, role="facilitator", workshop_id=demo.workshop_id)
    assert not again.is_connected("/live")
    assert live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    # ... and a pushed state reaches the phones and the lead's new console, not the old ones
    action(logged_in, demo, "open", statement_id=demo.own[0])
    assert not console.get_received("/live")


@pytest.mark.lead
def test_a_refused_handover_closes_nothing(app, logged_in, demo):
    console = live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    console.get_received("/live")
    post(logged_in, "/f/accounts/handover", {"workshop_id": demo.workshop_id, "owner_id": 9999})
    assert closings(console) == []
    assert in_room(app, demo.workshop_id, "facilitator")


# --- Where a closed page goes ----------------------------------------------------------------


def test_the_closed_page_says_the_workshop_is_deleted_and_the_phone_forgets_its_place(
    app, logged_in, demo
):
    phone = join_phone(app, demo, "BUP")
    delete(logged_in, demo)

    page = phone.get(f"/closed?code={demo.code.lower()}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Workshopen är raderad" in html and "Gå med i en annan workshop" in html
    assert f'data-forget="{demo.code}"' in html and "js/forget.js" in html
    with phone.session_transaction() as sess:
        assert demo.code not in sess.get("pt", {})


def test_a_phone_still_in_its_workshop_goes_back_to_it(app, demo):
    phone = join_phone(app, demo, "BUP")
    page = phone.get(f"/closed?code={demo.code}")
    assert page.status_code == 302 and page.location.endswith(f"/{demo.code}/p")
    with phone.session_transaction() as sess:
        assert demo.code in sess["pt"]


def test_the_closed_page_for_a_screen_leads_back_to_the_workshops(app, logged_in):
    html = logged_in.get("/closed?lang=en").get_data(as_text=True)
    assert "The workshop has been deleted" in html and "To the workshops" in html
    assert "data-forget" not in html and "forget.js" not in html


def test_the_closed_page_ignores_a_code_that_cannot_be_one(client):
    html = client.get('/closed?code="><b>x').get_data(as_text=True)
    assert "data-forget" not in html and "<b>x" not in html


# --- The phone forgets its storage only where its place is gone -------------------------------


def forgets(html: str, code: str) -> bool:
    return f'data-forget="{code}"' in html and "js/forget.js" in html


def test_leaving_takes_the_phone_to_the_start_page_which_forgets_the_workshop(app, demo):
    phone = join_phone(app, demo, "BUP")
    response = post(phone, f"/{demo.code}/leave")
    assert response.status_code == 302 and response.location.endswith(f"/?left={demo.code}")
    assert forgets(phone.get(response.location).get_data(as_text=True), demo.code)


def test_a_link_cannot_make_a_phone_still_in_the_workshop_forget_it(app, demo):
    """The pages that have a phone forget its storage (unsent answers among it) do so only when
    the browser has no place in the workshop: a link to them must not wipe a live one."""
    phone = join_phone(app, demo, "BUP")
    for url in (f"/?left={demo.code}", f"/{demo.code}/withdrawn"):
        html = phone.get(url).get_data(as_text=True)
        assert not forgets(html, demo.code), url
        assert "data-forget" not in html
    with phone.session_transaction() as sess:
        assert demo.code in sess["pt"]


def test_the_withdrawn_page_forgets_the_workshop_once_the_answers_are_gone(app, demo):
    phone = join_phone(app, demo, "BUP")
    response = post(phone, f"/{demo.code}/withdraw")
    assert forgets(phone.get(response.location).get_data(as_text=True), demo.code)
