"""A facilitator and two phones run a statement end to end over HTTP and Socket.IO."""

from __future__ import annotations

import pytest

from db import session_scope
from tests.conftest import Demo, join_phone, live, live_socket, post
from workshops import services, survey


def states(sio) -> list[dict]:
    return [e["args"][0] for e in sio.get_received("/live") if e["name"] == "state"]


def last_state(sio) -> dict:
    received = states(sio)
    assert received, "no state pushed"
    return received[-1]


def vote(sio, statement_id: int, choice: str, ballot_id: str) -> dict:
    return sio.emit(
        "cast_vote",
        {"statement_id": statement_id, "choice": choice, "ballot_id": ballot_id},
        namespace="/live",
        callback=True,
    )


@pytest.fixture
def room(app, logged_in, demo: Demo):
    """Console and projector of the logged-in facilitator, and two phones (BUP, Elevhälsa)."""
    console = live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    projector = live(app, logged_in, role="projector", workshop_id=demo.workshop_id)
    phones = [join_phone(app, demo, "BUP", "Anna"), join_phone(app, demo, "Elevhälsa")]
    sockets = [live(app, p, role="participant", code=demo.code) for p in phones]
    for sio in (console, projector, *sockets):
        sio.get_received("/live")
    return console, projector, sockets


def action(client, demo: Demo, name: str, **fields) -> None:
    response = post(
        client,
        f"/f/w/{demo.workshop_id}/live/{name}",
        fields,
        headers={"Accept": "application/json"},
    )
    assert response.get_json() == {"ok": True}, response.get_data(as_text=True)


def test_phones_vote_change_their_vote_and_see_the_result_only_after_reveal(
    app, logged_in, demo, room
):
    console, projector, (anna, bea) = room
    sid = demo.own[0]
    with session_scope(app) as session:  # two phones: show their distribution for this test
        services.set_anonymity_threshold(session, workshop_id=demo.workshop_id, threshold=1)
    action(logged_in, demo, "open", statement_id=sid)
    opened = last_state(anna)
    assert opened["current"]["text"] == "Barn och unga 0–18 år"
    assert opened["current"]["eligible"] == 2

    assert vote(anna, sid, "yes", "ballot-anna-1")["ok"] is True
    assert vote(bea, sid, "no", "ballot-bea-01")["ok"] is True
    assert vote(anna, sid, "discuss", "ballot-anna-2")["ok"] is True

    seen_by_projector = last_state(projector)["current"]
    assert (seen_by_projector["voted"], seen_by_projector["tally"]) == (2, None)
    assert last_state(console)["current"]["tally"] == {"yes": 0, "no": 1, "discuss": 1, "total": 2}
    assert last_state(bea)["current"]["tally"] is None

    action(logged_in, demo, "reveal", statement_id=sid)
    assert last_state(projector)["current"]["tally"] == {
        "yes": 0,
        "no": 1,
        "discuss": 1,
        "total": 2,
    }
    assert last_state(anna)["current"]["tally"]["discuss"] == 1

    action(logged_in, demo, "close", statement_id=sid)
    refused = vote(bea, sid, "yes", "ballot-bea-02")
    assert refused["ok"] is False and "stängt" in refused["error"]
    assert last_state(console)["current"]["tally"]["no"] == 1

    queue = logged_in.get(f"/f/w/{demo.workshop_id}/discuss").get_data(as_text=True)
    assert "Barn och unga 0–18 år" in queue


def test_the_console_s_running_order_says_how_many_raised_it_only_from_the_threshold(
    app, logged_in, demo, room
):
    """One phone's "Let's discuss" is that phone's answer: the console's list (which says how
    many answered) says nothing of how, until as many as the threshold (3) answered."""
    _, _, (anna, bea) = room
    sid = demo.own[0]
    action(logged_in, demo, "open", statement_id=sid)
    assert vote(anna, sid, "discuss", "ballot-anna-1")["ok"] is True

    def listed() -> dict:
        data = logged_in.get(f"/f/w/{demo.workshop_id}/statements.json").get_json()
        return next(s for s in data["statements"] if s["id"] == sid)

    assert (listed()["voted"], listed()["discuss"]) == (1, None)
    assert vote(bea, sid, "yes", "ballot-bea-01")["ok"] is True
    third = live(app, join_phone(app, demo, "BUP"), role="participant", code=demo.code)
    assert vote(third, sid, "discuss", "ballot-third-1")["ok"] is True
    assert (listed()["voted"], listed()["discuss"]) == (3, 2)


def test_a_retried_ballot_over_the_socket_counts_once(app, logged_in, demo, room):
    console, _, (anna, _) = room
    action(logged_in, demo, "open", statement_id=demo.own[0])
    first = vote(anna, demo.own[0], "yes", "ballot-retry-01")
    again = vote(anna, demo.own[0], "yes", "ballot-retry-01")
    assert (first["retried"], again["retried"]) == (False, True)
    assert last_state(console)["current"]["voted"] == 1


def test_a_vote_is_handled_without_building_a_request(app, logged_in, demo, room, monkeypatch):
    """The lean path: no request context, yet the voter, their language and their rate
    window (kept in the connection's session between events) are all known."""
    console, _, (anna, _) = room
    action(logged_in, demo, "open", statement_id=demo.own[0])
    built: list[str] = []
    request_context = app.request_context
    monkeypatch.setattr(
        app, "request_context", lambda environ: built.append("!") or request_context(environ)
    )
    acks = [
        vote(anna, demo.own[0], c, f"lean-ballot-{i:02d}") for i, c in enumerate(["yes", "no"] * 15)
    ]
    assert built == []
    assert all(a["ok"] for a in acks) and acks[-1]["choice"] == "no"
    refused = vote(anna, demo.own[0], "yes", "lean-ballot-31")
    assert refused["ok"] is False and refused["code"] == "error.rate_limited"
    monkeypatch.undo()
    assert last_state(console)["current"]["voted"] == 1


def test_a_phone_that_reconnects_gets_its_own_votes_back(app, logged_in, demo, room):
    _, _, (anna, _) = room
    action(logged_in, demo, "open", statement_id=demo.own[0])
    vote(anna, demo.own[0], "no", "ballot-anna-77")
    anna.disconnect(namespace="/live")
    anna.connect(namespace="/live", auth={"role": "participant", "code": demo.code})
    state = last_state(anna)
    assert state["me"]["votes"] == {str(demo.own[0]): "no"}
    assert state["current"]["id"] == demo.own[0]


def test_a_participant_may_not_answer_their_own_organisations_description(app, logged_in, demo):
    hab = live(app, join_phone(app, demo, "Habilitering"), role="participant", code=demo.code)
    action(logged_in, demo, "open", statement_id=demo.own[0])
    refused = vote(hab, demo.own[0], "yes", "ballot-hab-001")
    assert refused == {
        "ok": False,
        "code": "error.not_eligible",
        "error": "Det här påståendet besvaras av andra verksamheter – ditt svar sparades inte.",
    }


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "yes",
        ["statement_id", 1],
        {"statement_id": "one", "choice": "yes", "ballot_id": "ballot-00001"},
        {"statement_id": 1, "choice": "YES!", "ballot_id": "ballot-00001"},
        {"statement_id": 1, "choice": "yes"},
        {"statement_id": 1, "choice": "yes", "ballot_id": "x" * 5000},
        {"statement_id": 10**30, "choice": "yes", "ballot_id": "ballot-00001"},
    ],
)
def test_a_malformed_payload_gets_an_error_ack_and_the_room_keeps_working(
    app, logged_in, demo, room, payload
):
    _, _, (anna, bea) = room
    action(logged_in, demo, "open", statement_id=demo.own[0])
    ack = anna.emit("cast_vote", payload, namespace="/live", callback=True)
    assert ack["ok"] is False and ack["error"]
    assert vote(bea, demo.own[0], "yes", "ballot-bea-ok1")["ok"] is True


def test_a_connection_without_a_joined_phone_or_login_is_refused(app, demo):
    stranger = live_socket(app, role="participant", code=demo.code)
    assert not stranger.is_connected("/live")
    spy = live_socket(app, role="projector", workshop_id=demo.workshop_id)
    assert not spy.is_connected("/live")


def test_a_batch_is_answered_at_each_phones_own_pace(app, logged_in, demo, room):
    console, _, (anna, _) = room
    fields = {"statement_id": [str(s) for s in demo.own]}
    action(logged_in, demo, "open-batch", **fields)
    assert [s["id"] for s in last_state(anna)["open"]] == demo.own
    assert vote(anna, demo.own[1], "yes", "ballot-batch-2")["ok"] is True
    assert vote(anna, demo.own[0], "no", "ballot-batch-1")["ok"] is True
    assert {s["id"]: s["voted"] for s in last_state(console)["open"]} == {
        demo.own[0]: 1,
        demo.own[1]: 1,
    }


def test_a_phone_counts_in_the_room_once_it_opens_the_live_page(app, logged_in, demo):
    """Joining alone (as for the survey, days ahead) does not put a phone in the room; its
    first live connection does, once however often it reconnects."""
    console = live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    projector = live(app, logged_in, role="projector", workshop_id=demo.workshop_id)
    assert last_state(projector)["joined"] == 0
    phone = join_phone(app, demo, "BUP")
    assert states(projector) == []  # nothing changed in the room
    first = live(app, phone, role="participant", code=demo.code)
    assert last_state(first)["joined"] == 1
    assert last_state(projector)["joined"] == 1
    action(logged_in, demo, "open", statement_id=demo.own[0])  # answered by the others (BUP)
    assert last_state(console)["current"]["eligible"] == 1
    first.disconnect("/live")
    again = live(app, phone, role="participant", code=demo.code)
    assert last_state(again)["joined"] == 1
    assert last_state(projector)["joined"] == 1


def test_a_survey_only_participant_is_not_counted_in_the_room(app, logged_in, demo):
    """Someone answering the survey at home is not in the room, even if they follow the
    survey page's link to the live page while the survey is open; a vote puts them there."""
    with session_scope(app) as session:
        survey.set_survey_open(session, workshop_id=demo.workshop_id, is_open=True)
    at_home = join_phone(app, demo, "BUP")
    projector = live(app, logged_in, role="projector", workshop_id=demo.workshop_id)
    assert last_state(projector)["joined"] == 0
    curious = live(app, at_home, role="participant", code=demo.code)
    assert last_state(curious)["joined"] == 0
    assert states(projector) == []
    action(logged_in, demo, "open", statement_id=demo.own[0])
    assert vote(curious, demo.own[0], "yes", "ballot-at-home-1")["ok"] is True
    shown = last_state(projector)
    assert (shown["joined"], shown["current"]["voted"], shown["current"]["eligible"]) == (1, 1, 1)


def roll_calls(sio) -> list[dict]:
    return [e["args"][0] for e in sio.get_received("/live") if e["name"] == "roll_call"]


def here(sio) -> dict:
    return sio.emit("here", {}, namespace="/live", callback=True)


def test_a_roll_call_counts_only_the_phones_still_here(app, logged_in, demo, room):
    """After a break the facilitator counts again: everyone is out until their phone answers
    (an answer given stays in its statement's m, so n never exceeds m); a phone that left
    stays out."""
    console, projector, (anna, bea) = room
    gone = live(app, join_phone(app, demo, "BUP"), role="participant", code=demo.code)
    assert last_state(projector)["joined"] == 3
    gone.disconnect("/live")
    action(logged_in, demo, "open", statement_id=demo.own[0])
    assert vote(anna, demo.own[0], "yes", "ballot-anna-roll")["ok"] is True
    for sio in (console, projector, anna, bea):
        sio.get_received("/live")

    action(logged_in, demo, "roll-call")
    shown = last_state(projector)
    assert (shown["joined"], shown["current"]["voted"], shown["current"]["eligible"]) == (0, 1, 1)
    assert roll_calls(anna) == roll_calls(bea) == [{"spread": 2.0}]  # every phone is asked
    assert roll_calls(projector) == []  # the screens are not

    assert here(bea) == {"ok": True}
    shown = last_state(projector)
    assert (shown["joined"], shown["current"]["eligible"]) == (1, 2)  # bea, and anna's answer
    assert here(anna) == {"ok": True}
    shown = last_state(projector)
    assert (shown["joined"], shown["current"]["eligible"]) == (2, 2)
    assert last_state(console)["joined"] == 2  # the one who left is not counted again


def test_a_roll_call_answer_is_only_a_connected_phones_and_not_hammered(app, logged_in, demo, room):
    console, projector, (anna, _) = room
    assert here(console)["code"] == "error.not_joined"
    action(logged_in, demo, "roll-call")
    assert last_state(projector)["joined"] == 0
    with session_scope(app) as session:
        survey.set_survey_open(session, workshop_id=demo.workshop_id, is_open=True)
    assert here(anna) == {"ok": True}
    assert states(projector) == []  # while the survey is open, no one comes in
    refused = post(
        logged_in,
        f"/f/w/{demo.workshop_id}/live/roll-call",
        {},
        headers={"Accept": "application/json"},
    ).get_json()
    assert refused == {
        "ok": False,
        "error": "Stäng förhandsenkäten först: medan den är öppen räknas ingen in i rummet.",
    }
    answers = [here(anna) for _ in range(10)]
    assert answers[-1]["code"] == "error.rate_limited"
    assert all(a == {"ok": True} for a in answers[:-1])


def test_opening_a_batch_with_nothing_ticked_says_so(app, logged_in, demo):
    response = post(
        logged_in,
        f"/f/w/{demo.workshop_id}/live/open-batch",
        {},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json() == {"ok": False, "error": "Markera minst ett påstående."}
