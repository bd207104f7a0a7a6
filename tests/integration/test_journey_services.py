"""WS2 use cases on a real SQLite database: stages, placements, handoffs, moderation, board."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import func, select

from journey_maps import board, moderation, placing, triage
from journey_maps import stages as journey
from journey_maps.analysis import gap_report
from journey_maps.model import MODE_LIMIT
from journey_maps.rows import Handoff, JourneyEdit, RolePlacement
from journey_maps.validate import JourneyFormatError
from tests.conftest import Ws2
from workshops import services, voting
from workshops.domain import WorkshopError
from workshops.models import Workshop

_ids = itertools.count(1)


def cid() -> str:
    return f"client-{next(_ids):06d}"


def joined(session, ws2: Ws2, org: str) -> int:
    return voting.join(
        session, workshop_id=ws2.workshop_id, organisation_id=ws2.orgs[org], display_name=None
    ).participant_id


def place(session, pid: int, ws2: Ws2, role: str, stage: int, **kw) -> placing.Written:
    return placing.place_role(
        session,
        participant_id=pid,
        role_id=ws2.roles[role],
        stage_id=ws2.stages[stage],
        client_id=kw.pop("client_id", None) or cid(),
        **kw,
    )


def handoff(session, pid: int, ws2: Ws2, a: int, b: int, giver: str, taker: str, **kw):
    return placing.record_handoff(
        session,
        participant_id=pid,
        transition_id=ws2.transitions[(ws2.stages[a], ws2.stages[b])],
        from_role_id=ws2.roles[giver],
        to_role_id=ws2.roles[taker],
        client_id=kw.pop("client_id", None) or cid(),
        **kw,
    )


def active(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.removed_at.is_(None)))


# --- Setting up ------------------------------------------------------------------------------


def test_a_ws2_workshop_starts_with_the_catalogue_and_the_default_journey(session, ws2):
    stages = journey.stages(session, ws2.workshop_id)
    assert [s.label for s in stages][:2] == ["Oro / tidiga tecken", "Första kontakt"]
    assert len(stages) == 7
    kinds = sorted(t.kind for t in journey.transitions(session, ws2.workshop_id))
    assert kinds.count("back") == 2 and kinds.count("forward") == 6
    assert set(ws2.roles) >= {"1", "2", "5B", "6B", "13", "F"}


def test_a_stage_added_at_the_end_is_linked_from_the_last_one(session, ws2):
    sid = journey.add_stage(session, workshop_id=ws2.workshop_id, label="  Efter  avslut ")
    stages = journey.stages(session, ws2.workshop_id)
    assert stages[-1].id == sid and stages[-1].label == "Efter avslut"
    ends = {(t.source_id, t.target_id) for t in journey.transitions(session, ws2.workshop_id)}
    assert (ws2.stages[-1], sid) in ends


def test_stages_are_renamed_and_reordered(session, ws2):
    journey.rename_stage(
        session, workshop_id=ws2.workshop_id, stage_id=ws2.stages[0], label="Oro", label_en="Worry"
    )
    journey.move_stage(session, workshop_id=ws2.workshop_id, stage_id=ws2.stages[0], offset=1)
    stages = journey.stages(session, ws2.workshop_id)
    assert [s.id for s in stages][:2] == [ws2.stages[1], ws2.stages[0]]
    assert (stages[1].label, stages[1].label_en) == ("Oro", "Worry")


def test_a_stage_with_placements_is_removed_only_when_confirmed_and_comes_back_whole(session, ws2):
    pid = joined(session, ws2, "BUP")
    place(session, pid, ws2, "4", 2)
    with pytest.raises(WorkshopError) as refused:
        journey.remove_stage(session, workshop_id=ws2.workshop_id, stage_id=ws2.stages[2])
    assert refused.value.key == "error.stage_removal_unconfirmed"
    assert refused.value.params == {"placements": 1, "handoffs": 0}

    journey.remove_stage(
        session, workshop_id=ws2.workshop_id, stage_id=ws2.stages[2], confirmed=True
    )
    doc = board.journey_document(session, ws2.workshop_id)
    assert f"s{ws2.stages[2]}" not in {s["id"] for s in doc["stages"]}
    assert doc["placements"] == []
    assert all(f"s{ws2.stages[2]}" not in (t["from"], t["to"]) for t in doc["transitions"])

    journey.restore_stage(session, workshop_id=ws2.workshop_id, stage_id=ws2.stages[2])
    doc = board.journey_document(session, ws2.workshop_id)
    assert [p["role"] for p in doc["placements"]] == ["4"]


def test_a_backward_transition_is_added_and_a_duplicate_or_loop_refused(session, ws2):
    wid, s = ws2.workshop_id, ws2.stages
    tid = journey.add_transition(
        session, workshop_id=wid, source_id=s[6], target_id=s[0], kind="back", label="Återfall"
    )
    assert journey.get_transition(session, wid, tid).kind == "back"
    for source, target, key in [
        (s[6], s[0], "error.transition_exists"),
        (s[1], s[1], "error.transition_to_itself"),
    ]:
        with pytest.raises(WorkshopError) as refused:
            journey.add_transition(session, workshop_id=wid, source_id=source, target_id=target)
        assert refused.value.key == key
    with pytest.raises(WorkshopError, match="bad_transition_kind"):
        journey.add_transition(
            session, workshop_id=wid, source_id=s[0], target_id=s[5], kind="sideways"
        )


def test_a_removed_transition_keeps_its_handoffs_for_a_restore(session, ws2):
    pid = joined(session, ws2, "Elevhälsa")
    place(session, pid, ws2, "3", 0)
    place(session, pid, ws2, "3", 1)
    handoff(session, pid, ws2, 0, 1, "3", "3")
    tid = ws2.transitions[(ws2.stages[0], ws2.stages[1])]
    journey.remove_transition(session, workshop_id=ws2.workshop_id, transition_id=tid)
    assert board.journey_document(session, ws2.workshop_id)["handoffs"] == []
    journey.add_transition(
        session, workshop_id=ws2.workshop_id, source_id=ws2.stages[0], target_id=ws2.stages[1]
    )
    assert len(board.journey_document(session, ws2.workshop_id)["handoffs"]) == 1


# --- Placing from phones ---------------------------------------------------------------------


def test_a_placement_is_filled_by_the_phones_own_organisation_unless_it_names_another(session, ws2):
    pid = joined(session, ws2, "BUP")
    place(session, pid, ws2, "4", 2)
    place(session, pid, ws2, "5B", 3, organisation_id=ws2.orgs["Socialtjänst"])
    place(session, pid, ws2, "1", 0)
    doc = board.journey_document(session, ws2.workshop_id)
    filled = {(p["role"], p.get("organisation"), p.get("principal")) for p in doc["placements"]}
    assert filled == {
        ("4", "BUP", "region"),
        ("5B", "Socialtjänst", "municipality"),
        ("1", None, None),
    }
    assert {p["placed_by"] for p in doc["placements"]} == {"BUP"}


def test_a_retried_placement_counts_once_and_a_stolen_client_id_is_refused(session, ws2):
    pid = joined(session, ws2, "BUP")
    first = place(session, pid, ws2, "4", 2, client_id="same-client-id")
    again = place(session, pid, ws2, "4", 2, client_id="same-client-id")
    assert (again.id, again.retried) == (first.id, True)
    assert active(session, RolePlacement) == 1
    other = joined(session, ws2, "Elevhälsa")
    with pytest.raises(WorkshopError, match="bad_client_id"):
        place(session, other, ws2, "3", 0, client_id="same-client-id")


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"role_id": 999_999}, "error.role_not_found"),
        ({"stage_id": 999_999}, "error.stage_not_found"),
        ({"organisation_id": 999_999}, "error.organisation_not_found"),
        ({"needs": "x" * 1001}, "error.note_too_long"),
    ],
)
def test_a_bad_placement_gets_a_clear_message_and_writes_nothing(session, ws2, change, key):
    pid = joined(session, ws2, "BUP")
    args = {
        "participant_id": pid,
        "role_id": ws2.roles["4"],
        "stage_id": ws2.stages[2],
        "client_id": cid(),
    } | change
    with pytest.raises(WorkshopError) as refused:
        placing.place_role(session, **args)
    assert refused.value.key == key
    session.rollback()
    assert active(session, RolePlacement) == 0


def test_the_same_role_stage_and_organisation_twice_is_a_duplicate(session, ws2):
    bup, school = joined(session, ws2, "BUP"), joined(session, ws2, "Elevhälsa")
    place(session, bup, ws2, "4", 2)
    with pytest.raises(WorkshopError) as refused:
        place(session, school, ws2, "4", 2, organisation_id=ws2.orgs["BUP"])
    assert refused.value.key == "error.duplicate_placement"
    assert refused.value.params["stage"] == "Bedömning och styrning vidare"
    place(session, school, ws2, "4", 2)  # the same role filled by another organisation is fine
    assert active(session, RolePlacement) == 2


def test_nothing_is_placed_while_the_journey_is_closed(session, ws2):
    pid = joined(session, ws2, "BUP")
    journey.set_journey_open(session, workshop_id=ws2.workshop_id, is_open=False)
    with pytest.raises(WorkshopError, match="journey_closed"):
        place(session, pid, ws2, "4", 2)


def test_a_handoff_needs_both_ends_placed_on_the_stages_it_joins(session, ws2):
    pid = joined(session, ws2, "Elevhälsa")
    place(session, pid, ws2, "3", 1)
    with pytest.raises(WorkshopError) as refused:
        handoff(session, pid, ws2, 1, 2, "3", "4", mode="referral")
    assert refused.value.key == "error.handoff_end_not_placed"
    assert refused.value.params["role"].startswith("Den som bedömer")
    assert active(session, Handoff) == 0

    place(session, pid, ws2, "4", 2, organisation_id=ws2.orgs["BUP"])
    made = handoff(session, pid, ws2, 1, 2, "3", "4", mode="referral", acknowledged=True)
    doc = board.journey_document(session, ws2.workshop_id)
    assert doc["handoffs"] == [
        {
            "from_stage": f"s{ws2.stages[1]}",
            "from_role": "3",
            "to_stage": f"s{ws2.stages[2]}",
            "to_role": "4",
            "acknowledged": True,
            "id": f"h{made.id}",
            "mode": "referral",
        }
    ]
    with pytest.raises(WorkshopError, match="duplicate_handoff"):
        handoff(session, pid, ws2, 1, 2, "3", "4")
    with pytest.raises(WorkshopError, match="bad_handoff_mode"):
        handoff(session, pid, ws2, 1, 2, "3", "3", mode="pigeon")


def test_a_mode_longer_than_the_limit_is_refused_by_name_from_a_phone_and_a_facilitator(
    session, ws2
):
    pid = joined(session, ws2, "Elevhälsa")
    place(session, pid, ws2, "3", 1)
    place(session, pid, ws2, "4", 2)
    too_long = "x" * (MODE_LIMIT + 1)
    with pytest.raises(WorkshopError) as refused:
        handoff(session, pid, ws2, 1, 2, "3", "4", mode=too_long)
    assert (refused.value.key, refused.value.params) == (
        "error.handoff_mode_too_long",
        {"limit": MODE_LIMIT},
    )
    made = handoff(session, pid, ws2, 1, 2, "3", "4", mode="referral")
    with pytest.raises(WorkshopError) as refused:
        moderation.edit_handoff(
            session,
            workshop_id=ws2.workshop_id,
            handoff_id=made.id,
            mode=too_long,
            acknowledged=False,
            notes=None,
        )
    assert refused.value.key == "error.handoff_mode_too_long"
    assert session.get(Handoff, made.id).mode == "referral"


def test_an_imported_mode_in_the_map_s_own_words_is_kept_whole(session):
    from journey_maps.importing import import_journey
    from projects.demo import ADULTS_MAP
    from workshops.setup import prepare_ws2

    wid = services.create_workshop(
        session, owner_id=None, title="WS2 Vuxna", date=None, target_group="adults", kind="ws2"
    )
    prepare_ws2(session, workshop_id=wid)
    import_journey(session, workshop_id=wid, document=json.loads(ADULTS_MAP.read_text("utf-8")))
    modes = set(session.scalars(select(Handoff.mode).where(Handoff.workshop_id == wid)))
    assert "följer med till besöket" in modes
    row = session.scalar(select(Handoff).where(Handoff.mode == "följer med till besöket"))
    # the facilitator may keep it as it is when editing the rest
    moderation.edit_handoff(
        session, workshop_id=wid, handoff_id=row.id, mode=row.mode, acknowledged=True, notes=None
    )
    assert session.get(Handoff, row.id).mode == "följer med till besöket"


def test_an_imported_organisation_name_too_long_for_the_table_is_refused_not_cut(session):
    from journey_maps.importing import import_journey
    from journey_maps.model import LABEL_LIMIT
    from projects.demo import ADULTS_MAP
    from workshops.setup import prepare_ws2

    wid = services.create_workshop(
        session, owner_id=None, title="WS2 Vuxna", date=None, target_group="adults", kind="ws2"
    )
    prepare_ws2(session, workshop_id=wid)
    document = json.loads(ADULTS_MAP.read_text("utf-8"))
    long_name = "Verksamheten " * 10  # 130 characters
    document["placements"][1] |= {"organisation": long_name, "principal": "region"}
    with pytest.raises(JourneyFormatError) as refused:
        import_journey(session, workshop_id=wid, document=document)
    assert refused.value.messages == [
        f"organisation {long_name!r}: at most {LABEL_LIMIT} characters allowed"
    ]


def test_a_participant_takes_back_only_their_own_and_not_under_a_handoff(session, ws2):
    mine, theirs = joined(session, ws2, "Elevhälsa"), joined(session, ws2, "BUP")
    p1 = place(session, mine, ws2, "3", 1)
    p2 = place(session, theirs, ws2, "4", 2)
    with pytest.raises(WorkshopError, match="not_yours"):
        placing.withdraw_placement(session, participant_id=mine, placement_id=p2.id)
    h = handoff(session, mine, ws2, 1, 2, "3", "4")
    with pytest.raises(WorkshopError, match="placement_has_handoffs"):
        placing.withdraw_placement(session, participant_id=mine, placement_id=p1.id)
    placing.withdraw_handoff(session, participant_id=mine, handoff_id=h.id)
    placing.withdraw_placement(session, participant_id=mine, placement_id=p1.id)
    assert placing.my_entries(session, participant_id=mine) == {
        "placements": [],
        "handoffs": [],
        "reactions": {},
    }


def test_agreeing_and_disputing_are_counted_on_the_board_one_per_participant(session, ws2):
    a, b, c = (joined(session, ws2, org) for org in ("BUP", "Elevhälsa", "Socialtjänst"))
    p = place(session, a, ws2, "7", 5)
    placing.react(session, participant_id=b, placement_id=p.id, kind="dispute")
    placing.react(session, participant_id=c, placement_id=p.id, kind="agree")
    placing.react(session, participant_id=c, placement_id=p.id, kind="dispute")
    shown = board.board_state(session, ws2.workshop_id)["placements"][0]
    assert (shown["agree"], shown["dispute"]) == (0, 2)
    placing.react(session, participant_id=b, placement_id=p.id, kind=None)
    shown = board.board_state(session, ws2.workshop_id)["placements"][0]
    assert (shown["agree"], shown["dispute"]) == (0, 1)
    with pytest.raises(WorkshopError, match="bad_reaction"):
        placing.react(session, participant_id=b, placement_id=p.id, kind="love")


# --- The facilitator tidies the board --------------------------------------------------------


def test_removing_a_placement_takes_its_handoffs_and_one_undo_brings_all_back(session, ws2):
    pid = joined(session, ws2, "Elevhälsa")
    place(session, pid, ws2, "3", 1)
    p4 = place(session, pid, ws2, "4", 2, organisation_id=ws2.orgs["BUP"])
    handoff(session, pid, ws2, 1, 2, "3", "4")
    gone = moderation.remove_placement(session, workshop_id=ws2.workshop_id, placement_id=p4.id)
    assert gone == 1 and active(session, Handoff) == 0
    edit = moderation.edit_log(session, workshop_id=ws2.workshop_id)[0]
    assert (edit.entity, edit.action) == ("placement", "remove")
    moderation.undo(session, workshop_id=ws2.workshop_id, edit_id=edit.id)
    assert active(session, Handoff) == 1 and active(session, RolePlacement) == 2


def test_an_edit_keeps_the_participants_words_for_an_undo(session, ws2):
    pid = joined(session, ws2, "BUP")
    p = place(session, pid, ws2, "4", 2, needs="Tid", obstacles="Väntetid")
    moderation.edit_placement(
        session,
        workshop_id=ws2.workshop_id,
        placement_id=p.id,
        stage_id=ws2.stages[3],
        organisation_id=ws2.orgs["Elevhälsa"],
        needs="Tid för bedömning",
        obstacles=None,
    )
    row = session.get(RolePlacement, p.id)
    assert (row.stage_id, row.needs, row.obstacles) == (ws2.stages[3], "Tid för bedömning", None)
    edit = moderation.edit_log(session, workshop_id=ws2.workshop_id)[0]
    moderation.undo(session, workshop_id=ws2.workshop_id, edit_id=edit.id)
    session.refresh(row)
    assert (row.stage_id, row.organisation_id, row.needs, row.obstacles) == (
        ws2.stages[2],
        ws2.orgs["BUP"],
        "Tid",
        "Väntetid",
    )


def test_an_edit_into_an_existing_placement_is_refused_and_merging_is_offered(session, ws2):
    a, b = joined(session, ws2, "BUP"), joined(session, ws2, "Elevhälsa")
    keep = place(session, a, ws2, "4", 2, needs="Remiss")
    other = place(session, b, ws2, "4", 2, needs="Tid")
    with pytest.raises(WorkshopError, match="edit_makes_duplicate"):
        moderation.edit_placement(
            session,
            workshop_id=ws2.workshop_id,
            placement_id=other.id,
            stage_id=ws2.stages[2],
            organisation_id=ws2.orgs["BUP"],
            needs="Tid",
            obstacles=None,
        )
    placing.react(session, participant_id=b, placement_id=other.id, kind="agree")
    moderation.merge_placements(
        session, workshop_id=ws2.workshop_id, keep_id=keep.id, merge_ids=[other.id]
    )
    shown = board.board_state(session, ws2.workshop_id)["placements"]
    assert [(p["id"], p["needs"], p["agree"]) for p in shown] == [(keep.id, "Remiss\nTid", 1)]
    merge = next(
        e for e in moderation.edit_log(session, workshop_id=ws2.workshop_id) if e.action == "merge"
    )
    moderation.undo(session, workshop_id=ws2.workshop_id, edit_id=merge.id)
    assert active(session, RolePlacement) == 2


def test_only_placements_of_one_role_on_one_stage_merge(session, ws2):
    pid = joined(session, ws2, "BUP")
    a, b = place(session, pid, ws2, "4", 2), place(session, pid, ws2, "4", 3)
    with pytest.raises(WorkshopError, match="merge_different_roles"):
        moderation.merge_placements(
            session, workshop_id=ws2.workshop_id, keep_id=a.id, merge_ids=[b.id]
        )
    assert session.scalar(select(func.count()).select_from(JourneyEdit)) == 0


# --- Reading the map -------------------------------------------------------------------------


def test_the_workshops_map_is_a_valid_journey_document_that_the_analysis_reads(session, ws2):
    pid = joined(session, ws2, "Elevhälsa")
    for role, stage in [("1", 0), ("1", 1), ("3", 0), ("3", 1), ("4", 1), ("4", 2)]:
        place(session, pid, ws2, role, stage)
    report = gap_report(board.workshop_journey(session, ws2.workshop_id))
    k = {t.name: t.k for t in report.transitions}
    first, second, third = (f"s{ws2.stages[i]}" for i in range(3))
    assert k[f"{first}>{second}"] == 1  # role 3 crosses
    assert k[f"{second}>{third}"] == 1  # role 4 crosses
    state = board.board_state(session, ws2.workshop_id)
    forward = [t for t in state["transitions"] if t["kind"] == "forward"]
    assert state["analysis"]["figures"]["forward_transitions"] == len(forward)


def test_a_verdict_on_a_finding_survives_recomputation(session, ws2):
    state = board.board_state(session, ws2.workshop_id)
    finding = state["analysis"]["findings"][0]
    with pytest.raises(WorkshopError, match="dismiss_needs_reason"):
        triage.set_triage(
            session,
            workshop_id=ws2.workshop_id,
            fingerprint=finding["fingerprint"],
            status="dismissed",
        )
    triage.set_triage(
        session,
        workshop_id=ws2.workshop_id,
        fingerprint=finding["fingerprint"],
        status="dismissed",
        reason="Hanteras i annat forum",
    )
    pid = joined(session, ws2, "BUP")
    place(session, pid, ws2, "4", 2)
    again = board.board_state(session, ws2.workshop_id)["analysis"]["findings"]
    verdicts = {f["fingerprint"]: f["triage"] for f in again}
    assert verdicts[finding["fingerprint"]] == {
        "status": "dismissed",
        "reason": "Hanteras i annat forum",
    }


def test_deleting_a_ws2_workshop_takes_the_whole_journey(session, ws2):
    pid = joined(session, ws2, "Elevhälsa")
    place(session, pid, ws2, "3", 0)
    place(session, pid, ws2, "3", 1)
    handoff(session, pid, ws2, 0, 1, "3", "3")
    services.delete_workshop(session, workshop_id=ws2.workshop_id)
    for model in (RolePlacement, Handoff):
        assert session.scalar(select(func.count()).select_from(model)) == 0
    assert journey.stages(session, ws2.workshop_id) == []


def test_the_board_counts_the_phones_in_the_room(session, ws2):
    joined = voting.join(
        session, workshop_id=ws2.workshop_id, organisation_id=ws2.orgs["BUP"], display_name=None
    )
    assert board.board_state(session, ws2.workshop_id)["participants"] == 0  # not there yet
    voting.mark_present(session, joined.participant_id)
    assert board.board_state(session, ws2.workshop_id)["participants"] == 1


def test_after_a_roll_call_the_board_says_its_participant_count_is_settling(session, ws2: Ws2):
    assert board.board_state(session, ws2.workshop_id)["recounting_ms"] == 0
    voting.roll_call(session, workshop_id=ws2.workshop_id)
    at = session.get(Workshop, ws2.workshop_id).roll_call_at
    later = [at + dt.timedelta(seconds=s) for s in (1, 3)]
    left = [board.board_state(session, ws2.workshop_id, now=t)["recounting_ms"] for t in later]
    assert left == [2000, 0]
