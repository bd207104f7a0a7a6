"""Answers that come in after a report version was published (reports/late_answers.py): the
next version must not let anyone work out a late answer by comparing the two."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from reports import verification
from reports.document import build_report, iter_items
from reports.render import render_report_html
from roles import services as roles
from tests.integration.test_project_services import answer, statement, ws1
from tests.integration.test_role_services import answer as role_answer
from tests.integration.test_role_services import joined, validation
from workshops import services as workshop_services
from workshops import voting


@dataclass(frozen=True)
class Room:
    wid: int
    bup: int
    ifo: int
    tie: int  # about BUP, others: Yes 2 · No 2, so no gap yet
    own: int  # BUP's own description: Yes 3
    vc: int
    split: int  # IFO's own description, answered by BUP and VC: a breakdown


@pytest.fixture
def room(session: Session) -> Room:
    names = ["BUP", "IFO", "VC"]
    wid, orgs = ws1(session, "WS1 Barn", "children", dt.date(2026, 5, 4), names)
    bup, ifo, vc = orgs["BUP"], orgs["IFO"], orgs["VC"]

    tie = statement(session, wid, bup, "others", "Hembesök", [(bup, "yes")] * 2 + [(bup, "no")] * 2)
    own = statement(session, wid, bup, "own", "Utredning av barn", [(ifo, "yes")] * 3)
    votes = [(bup, "yes")] * 2 + [(bup, "no")] + [(vc, "yes")] * 3
    split = statement(session, wid, ifo, "own", "Stödsamtal", votes)
    return Room(wid, bup, ifo, tie, own, vc, split)


def publish(session: Session, wid: int, note: str) -> dict:
    number = verification.publish_version(session, workshop_id=wid, note=note)
    return {
        item["key"]: item for item in iter_items(verification.get_version(session, wid, number))
    }


def test_one_late_answer_leaves_the_distribution_as_the_version_before_showed_it(session, room):
    first = publish(session, room.wid, "v1")
    answer(session, room.wid, room.tie, [(room.bup, "no")])  # would make it a gap
    answer(session, room.wid, room.own, [(room.ifo, "no")])
    second = publish(session, room.wid, "v2")
    key = f"statement:{room.tie}"
    assert second[key]["tally"] == first[key]["tally"]
    assert second[key]["answers"] == 4 and second[key]["held_from"] == 1
    # and every figure counted from the answers with it: no new gap, the same agreement
    assert not second[key]["gap"]
    document = verification.get_version(session, room.wid, 2)
    assert [g["key"] for g in document["ws1"]["gaps"]] == []
    before = verification.get_version(session, room.wid, 1)["ws1"]["organisations"]
    after = document["ws1"]["organisations"]
    assert [o["agreement"] for o in after] == [o["agreement"] for o in before]
    # the facilitator's draft is the live picture
    draft = verification.next_version(session, room.wid)[1]
    assert draft["ws1"]["gaps"] == []  # the next version would still hold it
    live = {item["key"]: item for item in iter_items(build_report(session, room.wid))}
    assert live[key]["tally"]["no"] == 3 and live[key]["gap"]


def test_a_held_distribution_moves_once_enough_answers_have_come_in(session, room):
    publish(session, room.wid, "v1")
    key = f"statement:{room.tie}"
    answer(session, room.wid, room.tie, [(room.bup, "no")])
    assert publish(session, room.wid, "v2")[key]["held_from"] == 1
    answer(session, room.wid, room.tie, [(room.bup, "yes")])
    third = publish(session, room.wid, "v3")  # two since version 1: still held, still v1's
    assert third[key]["held_from"] == 1 and third[key]["answers"] == 4
    answer(session, room.wid, room.tie, [(room.bup, "no")])
    fourth = publish(session, room.wid, "v4")  # three since version 1, and mixed
    assert fourth[key]["tally"] == {"yes": 3, "no": 4, "discuss": 0, "total": 7}
    assert "held_from" not in fourth[key] and fourth[key]["gap"]


def test_a_breakdown_cell_moved_by_one_answer_withholds_the_whole_breakdown(session, room):
    key = f"statement:{room.split}"
    first = publish(session, room.wid, "v1")
    assert {c["organisation"]: c["tally"] is not None for c in first[key]["breakdown"]} == {
        "BUP": True,
        "VC": True,
    }
    # three more: enough for the total, but VC's cell moves by one answer
    answer(session, room.wid, room.split, [(room.bup, "no"), (room.bup, "yes"), (room.vc, "no")])
    second = publish(session, room.wid, "v2")
    assert second[key]["tally"]["total"] == 9 and "held_from" not in second[key]
    assert [(c["tally"], c["withheld"]) for c in second[key]["breakdown"]] == [
        (None, "later"),
        (None, "later"),
    ]


def test_the_version_says_which_distribution_it_shows_and_why(app: Flask, session, room):
    publish(session, room.wid, "v1")
    answer(session, room.wid, room.tie, [(room.bup, "no")])
    answer(session, room.wid, room.split, [(room.bup, "no"), (room.bup, "yes"), (room.vc, "no")])
    publish(session, room.wid, "v2")
    document = verification.get_version(session, room.wid, 2)
    with app.test_request_context():
        sv = render_report_html(document, lang="sv", mode="version", version=2, diagram=None)
        en = render_report_html(document, lang="en", mode="version", version=2, diagram=None)
    assert "Fördelningen från version 1. Svar som kommit in sedan dess visas när minst 3" in sv
    assert "för få nya svar sedan förra versionen" in sv
    assert "The distribution of version 1. Answers given since then are shown" in en


def test_only_late_answers_still_make_a_new_version_but_change_no_figure(session, room):
    publish(session, room.wid, "v1")
    answer(session, room.wid, room.tie, [(room.bup, "no")])
    changes = verification.draft_changes(session, room.wid)
    # it now says it is held; the attendance counts the late participant
    assert changes == {f"statement:{room.tie}": "changed", "attendance": "changed"}
    second = publish(session, room.wid, "v2")
    assert second[f"statement:{room.tie}"]["held_from"] == 1


def role_answered(session: Session, ws2) -> int:
    """Role 7's validation statement, open, answered Yes 2 · No 1."""
    sid = validation(session, ws2)["7"].id
    voting.open_statements(session, workshop_id=ws2.workshop_id, statement_ids=[sid])
    for org, choice in (("BUP", "yes"), ("Elevhälsa", "yes"), ("Socialtjänst", "no")):
        role_answer(session, joined(session, ws2, org), sid, choice)
    return sid


def test_a_role_s_distribution_is_held_like_a_statement_s(session, ws2):
    sid = role_answered(session, ws2)
    first = publish(session, ws2.workshop_id, "v1")
    role_answer(session, joined(session, ws2, "BUP"), sid, "no")
    second = publish(session, ws2.workshop_id, "v2")
    assert second["role:7"]["tally"] == first["role:7"]["tally"]
    assert (second["role:7"]["answers"], second["role:7"]["held_from"]) == (3, 1)
    for org in ("Elevhälsa", "Socialtjänst"):
        role_answer(session, joined(session, ws2, org), sid, "discuss")
    third = publish(session, ws2.workshop_id, "v3")
    assert third["role:7"]["tally"] == {"yes": 2, "no": 2, "discuss": 2, "total": 6}
    assert "held_from" not in third["role:7"]


# --- Against every version, not only the latest (a review's cases) -----------------------------


def test_a_breakdown_withheld_for_late_answers_stays_withheld_in_the_next_version(session, room):
    key = f"statement:{room.split}"
    publish(session, room.wid, "v1")  # VC: Yes 3
    answer(session, room.wid, room.split, [(room.bup, "no"), (room.bup, "yes"), (room.vc, "no")])
    assert {c["withheld"] for c in publish(session, room.wid, "v2")[key]["breakdown"]} == {"later"}
    answer(session, room.wid, room.own, [(room.ifo, "no")] * 3)  # something else, to publish
    third = publish(session, room.wid, "v3")
    # VC's cell is compared with version 1's, where it was last shown: still one answer more
    assert {c["withheld"] for c in third[key]["breakdown"]} == {"later"}


def test_a_distribution_withheld_in_between_is_compared_with_the_one_shown_before(session, room):
    key = f"statement:{room.tie}"
    first = publish(session, room.wid, "v1")  # Yes 2 · No 2
    workshop_services.set_anonymity_threshold(session, workshop_id=room.wid, threshold=5)
    assert publish(session, room.wid, "v2")[key]["tally"] is None  # 4 answers: withheld
    answer(session, room.wid, room.tie, [(room.bup, "no")])  # 5: the threshold lets it show
    third = publish(session, room.wid, "v3")
    # but it is one answer more than version 1 showed: held, and withheld, as 4 < 5
    assert third[key]["tally"] is None and third[key]["withheld"]
    assert (third[key]["answers"], third[key]["held_from"]) == (4, 1)
    assert first[key]["tally"]["total"] == 4


def test_a_held_distribution_under_a_raised_threshold_shows_no_cell(session, room):
    key = f"statement:{room.split}"
    publish(session, room.wid, "v1")  # BUP Yes 2 · No 1, VC Yes 3
    workshop_services.set_anonymity_threshold(session, workshop_id=room.wid, threshold=7)
    answer(session, room.wid, room.split, [(room.vc, "no")])  # 7 answers, one more
    item = publish(session, room.wid, "v2")[key]
    assert (item["tally"], item["withheld"], item["held_from"]) == (None, True, 1)
    assert not any(c["tally"] for c in item.get("breakdown") or [])


def test_late_answers_all_alike_move_the_distribution_once_there_are_enough(session, room):
    """Holding three late Yes (because alike) would itself say they were alike."""
    key = f"statement:{room.tie}"
    publish(session, room.wid, "v1")
    answer(session, room.wid, room.tie, [(room.bup, "yes")] * 3)
    second = publish(session, room.wid, "v2")
    assert second[key]["tally"] == {"yes": 5, "no": 2, "discuss": 0, "total": 7}


def test_a_role_left_out_and_taken_in_again_is_compared_with_its_last_shown(session, ws2):
    sid = role_answered(session, ws2)
    first = publish(session, ws2.workshop_id, "v1")
    role = ws2.roles["7"]
    roles.set_included(session, workshop_id=ws2.workshop_id, role_id=role, included=False)
    publish(session, ws2.workshop_id, "v2")
    role_answer(session, joined(session, ws2, "BUP"), sid, "no")
    roles.set_included(session, workshop_id=ws2.workshop_id, role_id=role, included=True)
    third = publish(session, ws2.workshop_id, "v3")
    assert third["role:7"]["tally"] == first["role:7"]["tally"]
    assert third["role:7"]["held_from"] == 1


def test_a_cell_withheld_under_answers_all_alike_is_compared_with_what_they_imply(session, room):
    """Version 1 shows Yes 5 of 5 and BUP's Yes 3: VC's two withheld answers were Yes. Version
    2 may not then show VC's cell with one No more: that No would be the late answer."""
    votes = [(room.bup, "yes")] * 3 + [(room.vc, "yes")] * 2
    alike = statement(session, room.wid, room.ifo, "own", "Familjestöd", votes)
    key = f"statement:{alike}"
    first = publish(session, room.wid, "v1")
    assert first[key]["tally"] == {"yes": 5, "no": 0, "discuss": 0, "total": 5}
    assert [(c["organisation"], c["withheld"]) for c in first[key]["breakdown"]] == [
        ("BUP", None),
        ("VC", "few"),
    ]
    # BUP's cell moves by three, enough; VC's, never shown, by the one No
    answer(session, room.wid, alike, [(room.bup, "yes")] * 3 + [(room.vc, "no")])
    second = publish(session, room.wid, "v2")
    assert second[key]["tally"] == {"yes": 8, "no": 1, "discuss": 0, "total": 9}
    assert [(c["tally"], c["withheld"]) for c in second[key]["breakdown"]] == [
        (None, "later"),
        (None, "later"),
    ]
