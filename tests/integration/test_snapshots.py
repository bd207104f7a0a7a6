"""Snapshots of a workshop's map and comparisons, on a real SQLite database."""

from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import func, select

from journey_maps import board, placing, snapshots
from journey_maps.rows import JourneySnapshot
from roles import services as role_services
from tests.conftest import Ws2
from workshops import services, voting
from workshops.domain import WorkshopError
from workshops.setup import prepare_ws2

_ids = itertools.count(1)


def joined(session, wid: int, org_id: int) -> int:
    return voting.join(
        session, workshop_id=wid, organisation_id=org_id, display_name=None
    ).participant_id


def place(session, pid: int, role_id: int, stage_id: int) -> None:
    placing.place_role(
        session,
        participant_id=pid,
        role_id=role_id,
        stage_id=stage_id,
        client_id=f"snap-{next(_ids):06d}",
    )


def place_in(session, ws2: Ws2, role: str, stage: int, org: str = "Elevhälsa") -> None:
    pid = joined(session, ws2.workshop_id, ws2.orgs[org])
    place(session, pid, ws2.roles[role], ws2.stages[stage])


def second_ws2(session, facilitator: int, target_group: str = "adults") -> int:
    """Another WS2 workshop on the default stages, open for placements."""
    from journey_maps import stages as journey_stages

    wid = services.create_workshop(
        session,
        owner_id=facilitator,
        title="Vuxna",
        date=None,
        target_group=target_group,
        kind="ws2",
    )
    prepare_ws2(session, workshop_id=wid)
    journey_stages.set_journey_open(session, workshop_id=wid, is_open=True)
    return wid


def save(session, ws2: Ws2, kind: str = "as_is", label: str = "") -> int:
    return snapshots.save_snapshot(
        session, workshop_id=ws2.workshop_id, kind=kind, label=label, facilitator_id=None
    )


# --- Saving, listing, deleting ---------------------------------------------------------------


def test_a_snapshot_freezes_the_map_later_placements_do_not_change_it(session, ws2):
    place_in(session, ws2, "3", 0)
    sid = save(session, ws2, "as_is", "Före workshopen")
    frozen = snapshots.get_snapshot(session, workshop_id=ws2.workshop_id, snapshot_id=sid)

    place_in(session, ws2, "4", 1, org="BUP")

    again = snapshots.get_snapshot(session, workshop_id=ws2.workshop_id, snapshot_id=sid)
    assert again.document == frozen.document
    assert [p["role"] for p in again.document["placements"]] == ["3"]
    live = board.journey_document(session, ws2.workshop_id)
    assert [p["role"] for p in live["placements"]] == ["3", "4"]
    assert again.document["snapshot"] == "Före workshopen"
    assert {k: again.document[k] for k in ("stages", "roles")} == {
        k: live[k] for k in ("stages", "roles")
    }


def test_a_snapshot_without_a_label_is_named_after_its_kind(session, ws2):
    sid = save(session, ws2, "to_be", "   ")
    snapshot = snapshots.get_snapshot(session, workshop_id=ws2.workshop_id, snapshot_id=sid)
    assert (snapshot.info.kind, snapshot.info.label) == ("to_be", "")
    assert snapshot.document["snapshot"] == "målbild"


def test_snapshots_are_listed_newest_first_with_who_saved_them_and_what_they_hold(
    session, ws2, facilitator
):
    place_in(session, ws2, "3", 0)
    first = save(session, ws2, "as_is", "Nuläge")
    second = snapshots.save_snapshot(
        session, workshop_id=ws2.workshop_id, kind="to_be", label="Mål", facilitator_id=facilitator
    )
    listed = snapshots.list_snapshots(session, ws2.workshop_id)
    assert [s.id for s in listed] == [second, first]
    assert (listed[0].saved_by, listed[1].saved_by) == ("Facilitator", None)
    assert (listed[1].stages, listed[1].placements, listed[1].handoffs) == (7, 1, 0)


@pytest.mark.parametrize(
    ("kind", "label", "key"),
    [
        ("nuläge", "", "error.snapshot_bad_kind"),
        ("as_is", "x" * 121, "error.snapshot_label_too_long"),
    ],
)
def test_a_snapshot_with_a_bad_kind_or_a_long_label_is_refused(session, ws2, kind, label, key):
    with pytest.raises(WorkshopError) as refused:
        save(session, ws2, kind, label)
    assert refused.value.key == key
    assert session.scalar(select(func.count()).select_from(JourneySnapshot)) == 0


def test_a_snapshot_belongs_to_its_workshop(session, ws2, facilitator):
    sid = save(session, ws2)
    other = second_ws2(session, facilitator)
    with pytest.raises(WorkshopError) as refused:
        snapshots.get_snapshot(session, workshop_id=other, snapshot_id=sid)
    assert refused.value.key == "error.snapshot_not_found"
    with pytest.raises(WorkshopError):
        snapshots.delete_snapshot(session, workshop_id=other, snapshot_id=sid)
    assert snapshots.get_snapshot(session, workshop_id=ws2.workshop_id, snapshot_id=sid)


def test_a_deleted_snapshot_is_gone_and_the_live_map_stays(session, ws2):
    place_in(session, ws2, "3", 0)
    sid = save(session, ws2)
    snapshots.delete_snapshot(session, workshop_id=ws2.workshop_id, snapshot_id=sid)
    assert snapshots.list_snapshots(session, ws2.workshop_id) == []
    assert len(board.journey_document(session, ws2.workshop_id)["placements"]) == 1
    with pytest.raises(WorkshopError):
        snapshots.delete_snapshot(session, workshop_id=ws2.workshop_id, snapshot_id=sid)


def test_deleting_the_workshop_deletes_its_snapshots(session, ws2):
    save(session, ws2, "as_is")
    save(session, ws2, "to_be")
    services.delete_workshop(session, workshop_id=ws2.workshop_id)
    assert session.scalar(select(func.count()).select_from(JourneySnapshot)) == 0


def test_the_stored_document_is_json_of_a_valid_journey(session, ws2):
    place_in(session, ws2, "3", 0)
    sid = save(session, ws2)
    row = session.get(JourneySnapshot, sid)
    assert json.loads(row.document)["format"] == "brygga.journey/1"


# --- Comparing -------------------------------------------------------------------------------


def fingerprints(findings) -> set[str]:
    return {f.fingerprint for f in findings}


def test_comparing_a_snapshot_with_the_live_map_gives_closed_opened_and_persisting(session, ws2):
    s = [f"s{sid}" for sid in ws2.stages]
    sid = save(session, ws2, "as_is")  # the empty map
    place_in(session, ws2, "3", 0)
    place_in(session, ws2, "3", 1)

    result = snapshots.compare_maps(
        session, workshop_id=ws2.workshop_id, before=f"snapshot:{sid}", after="live"
    )
    c = result.comparison
    assert {
        f"stage:{s[0]}:empty_stage",
        f"stage:{s[1]}:empty_stage",
        f"{s[0]}>{s[1]}:unbridged",
    } <= fingerprints(c.closed)
    assert {f"{s[0]}>{s[1]}:single_point:3", f"{s[0]}>{s[1]}:implicit_only"} <= fingerprints(
        c.opened
    )
    assert {f"stage:{s[2]}:empty_stage", f"{s[1]}>{s[2]}:unbridged"} <= fingerprints(c.persisting)
    assert not fingerprints(c.closed) & fingerprints(c.opened)
    assert (s[0], s[1], 0, 1) in c.k_changes
    assert (result.before.kind, result.after.kind) == ("snapshot", "live")
    assert not result.stages_matched_by_label

    rows = {r.key: r for r in snapshots.figure_rows(c.before.figures, c.after.figures)}
    assert rows["bridged"].change == "better"
    assert rows["bridged"].before.startswith("0/6") and rows["bridged"].after.startswith("1/6")


def test_two_snapshots_of_the_same_map_have_only_persisting_findings(session, ws2):
    place_in(session, ws2, "3", 0)
    a, b = save(session, ws2, "as_is"), save(session, ws2, "to_be")
    c = snapshots.compare_maps(
        session, workshop_id=ws2.workshop_id, before=f"snapshot:{a}", after=f"snapshot:{b}"
    ).comparison
    assert (c.closed, c.opened) == ((), ())
    assert len(c.persisting) == len(c.before.findings) > 0


def test_the_childrens_map_is_compared_with_the_adults_stage_by_stage_label(
    session, ws2, facilitator
):
    adults = second_ws2(session, facilitator)
    same = snapshots.compare_maps(
        session, workshop_id=ws2.workshop_id, before="live", after=f"workshop:{adults}"
    )
    assert same.stages_matched_by_label
    assert (same.comparison.closed, same.comparison.opened) == ((), ())

    org = services.add_organisation(session, workshop_id=adults, name="VC", principal="region")
    pid = joined(session, adults, org)
    role_id = {r.code: r.id for r in role_services.list_roles(session, adults)}["3"]
    first_stage = int(board.journey_document(session, adults)["stages"][0]["id"][1:])
    place(session, pid, role_id, first_stage)

    after = snapshots.compare_maps(
        session, workshop_id=ws2.workshop_id, before="live", after=f"workshop:{adults}"
    ).comparison
    # the fingerprints speak of the children's stage ids: the adults' stages were aligned
    assert f"stage:s{ws2.stages[0]}:empty_stage" in fingerprints(after.closed)


def test_the_compare_sources_offer_live_snapshots_then_other_ws2_workshops(
    session, ws2, facilitator
):
    sid = save(session, ws2, "as_is", "Före")
    adults = second_ws2(session, facilitator)
    services.create_workshop(
        session, owner_id=facilitator, title="WS1", date=None, target_group="adults"
    )
    refs = [s.ref for s in snapshots.compare_sources(session, ws2.workshop_id)]
    assert refs == ["live", f"snapshot:{sid}", f"workshop:{adults}"]


@pytest.mark.parametrize(
    ("before", "after", "key"),
    [
        ("live", "live", "error.compare_same_map"),
        ("snapshot:999", "live", "error.compare_unknown_map"),
        ("workshop:999", "live", "error.compare_unknown_map"),
        ("drop table", "live", "error.compare_unknown_map"),
    ],
)
def test_a_comparison_of_unknown_or_identical_maps_is_refused(session, ws2, before, after, key):
    with pytest.raises(WorkshopError) as refused:
        snapshots.compare_maps(session, workshop_id=ws2.workshop_id, before=before, after=after)
    assert refused.value.key == key


def test_another_workshops_snapshot_cannot_be_compared_through_this_one(session, ws2, facilitator):
    adults = second_ws2(session, facilitator)
    sid = snapshots.save_snapshot(
        session, workshop_id=adults, kind="as_is", label="", facilitator_id=None
    )
    with pytest.raises(WorkshopError) as refused:
        snapshots.compare_maps(
            session, workshop_id=ws2.workshop_id, before=f"snapshot:{sid}", after="live"
        )
    assert refused.value.key == "error.compare_unknown_map"
