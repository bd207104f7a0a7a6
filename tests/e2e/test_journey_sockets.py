"""Two phones build a small journey over Socket.IO while the facilitator's board receives it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Ws2, join_ws2, live


def boards(sio) -> list[dict]:
    return [e["args"][0] for e in sio.get_received("/live") if e["name"] == "board"]


def last_board(sio) -> dict:
    received = boards(sio)
    assert received, "no board pushed"
    return received[-1]


def send(sio, event: str, **payload: Any) -> dict:
    return sio.emit(event, payload, namespace="/live", callback=True)


@pytest.fixture
def room(app, logged_in, ws2: Ws2):
    """The facilitator's board and two phones (Elevhälsa, BUP) on the WS2 workshop."""
    board = live(app, logged_in, role="facilitator", workshop_id=ws2.workshop_id)
    school, _ = join_ws2(app, ws2, "Elevhälsa")
    bup, _ = join_ws2(app, ws2, "BUP")
    phones = [live(app, p, role="participant", code=ws2.code) for p in (school, bup)]
    return board, phones


def test_a_board_and_a_phone_get_the_map_when_they_connect(room, ws2):
    board, (school, _) = room
    first = last_board(board)
    assert [s["id"] for s in first["stages"]] == ws2.stages
    assert first["journey_open"] is True and first["placements"] == []
    assert last_board(school)["analysis"]["findings"], "an empty map has findings"


def test_two_phones_build_a_journey_and_the_board_sees_every_step(room, ws2):
    board, (school, bup) = room
    s1, s2, s3 = ws2.stages[:3]
    role = ws2.roles
    board.get_received("/live")

    placed = send(school, "journey_place", role_id=role["3"], stage_id=s2, client_id="school-0001")
    assert placed["ok"] is True and placed["mine"]["placements"] == [placed["id"]]
    shown = last_board(board)
    assert [(p["role_id"], p["stage_id"], p["organisation"]) for p in shown["placements"]] == [
        (role["3"], s2, "Elevhälsa")
    ]

    assert send(bup, "journey_place", role_id=role["4"], stage_id=s3, client_id="bup-000001")["ok"]
    handoff = send(
        school,
        "journey_handoff",
        transition_id=ws2.transitions[(s2, s3)],
        from_role_id=role["3"],
        to_role_id=role["4"],
        mode="referral",
        acknowledged=False,
        client_id="school-0002",
    )
    assert handoff["ok"] is True, handoff
    shown = last_board(board)
    assert [(h["from_role_id"], h["to_role_id"], h["counted"]) for h in shown["handoffs"]] == [
        (role["3"], role["4"], True)
    ]
    crossing = {t["from"]: t for t in shown["analysis"]["transitions"]}[f"s{s2}"]
    assert crossing["to"] == f"s{s3}" and crossing["handoffs"] == 1

    disputed = send(bup, "journey_react", placement_id=placed["id"], kind="dispute")
    assert disputed["ok"] is True and disputed["mine"]["reactions"] == {
        str(placed["id"]): "dispute"
    }
    shown = last_board(board)
    assert shown["placements"][0]["dispute"] == 1
    assert last_board(school)["placements"][0]["dispute"] == 1
    empty = [f["stage"] for f in shown["analysis"]["findings"] if f["code"] == "empty_stage"]
    assert f"s{s1}" in empty  # nobody placed a role on the first stage


def test_a_write_retried_after_a_reconnect_counts_once(app, room, ws2):
    _, (school, _) = room
    payload = {"role_id": ws2.roles["3"], "stage_id": ws2.stages[0], "client_id": "retry-00001"}
    first = send(school, "journey_place", **payload)
    school.disconnect(namespace="/live")
    school.connect(namespace="/live", auth={"role": "participant", "code": ws2.code})
    again = send(school, "journey_place", **payload)
    assert (again["ok"], again["id"], again["retried"]) == (True, first["id"], True)
    synced = send(school, "journey_sync")
    assert len(synced["board"]["placements"]) == 1 and synced["mine"]["placements"] == [first["id"]]


@pytest.mark.parametrize(
    ("event", "payload", "code"),
    [
        ("journey_place", {"role_id": 999999, "stage_id": 1, "client_id": "bad-000001"}, None),
        ("journey_place", {"role_id": "x", "stage_id": 1, "client_id": "bad-000002"}, None),
        ("journey_place", {"role_id": 1, "stage_id": 1, "client_id": "x"}, "error.bad_client_id"),
        ("journey_handoff", {"transition_id": 999999, "from_role_id": 1, "to_role_id": 1,
                             "client_id": "bad-000003"}, "error.transition_not_found"),
        ("journey_react", {"placement_id": 999999, "kind": "agree"}, "error.placement_not_found"),
        ("journey_withdraw", {"placement_id": 999999}, "error.not_yours"),
        ("journey_place", ["not", "an", "object"], "error.bad_payload"),
        ("journey_place", {"role_id": 1, "stage_id": 1, "client_id": "a" * 9,
                           "needs": "x" * 5000}, "error.payload_too_large"),
    ],
)  # fmt: skip
def test_bad_writes_get_a_clear_message_and_change_nothing(room, event, payload, code):
    board, (school, _) = room
    board.get_received("/live")
    answer = school.emit(event, payload, namespace="/live", callback=True)
    assert answer["ok"] is False and answer["error"]
    if code:
        assert answer["code"] == code
    assert boards(board) == []


def test_the_message_follows_the_phones_language(app, ws2):
    phone, _ = join_ws2(app, ws2, "BUP")
    sio = live(app, phone, role="participant", code=ws2.code, lang="en")
    answer = send(sio, "journey_place", role_id=999999, stage_id=1, client_id="lang-000001")
    assert answer["error"] == "That role is not in this workshop."


def test_a_projector_and_a_board_cannot_write_to_the_map(app, room, logged_in, ws2):
    board, _ = room
    answer = send(board, "journey_place", role_id=ws2.roles["3"], stage_id=ws2.stages[0],
                  client_id="board-00001")  # fmt: skip
    assert (answer["ok"], answer["code"]) == (False, "error.not_joined")


def test_a_closed_journey_refuses_placements_and_the_phone_is_told(app, room, ws2):
    from db import session_scope
    from journey_maps.stages import set_journey_open

    _, (school, _) = room
    with session_scope(app) as s:
        set_journey_open(s, workshop_id=ws2.workshop_id, is_open=False)
    answer = send(school, "journey_place", role_id=ws2.roles["3"], stage_id=ws2.stages[0],
                  client_id="closed-0001")  # fmt: skip
    assert answer["code"] == "error.journey_closed"
    assert "inte öppen" in answer["error"]


def test_the_board_counts_a_phone_when_it_arrives(app, logged_in, ws2):
    board = live(app, logged_in, role="facilitator", workshop_id=ws2.workshop_id)
    assert last_board(board)["participants"] == 0
    phone, _ = join_ws2(app, ws2, "BUP")
    assert boards(board) == []  # joining is not arriving
    live(app, phone, role="participant", code=ws2.code)
    assert last_board(board)["participants"] == 1
