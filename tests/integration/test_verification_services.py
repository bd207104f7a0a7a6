"""Verification use cases on a real SQLite session: versions, links, notes and decisions."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from reports import verification
from reports.document import build_report, iter_items
from reports.models import ReportVersion, VerificationLink
from tests.conftest import Demo
from tests.integration.test_report_document import answer
from workshops import services
from workshops.domain import WorkshopError
from workshops.voting import hash_token

T0 = dt.datetime(2026, 6, 1, 9, 0)


# Every use case gets its time from the test, never from the clock.
def with_now(call):
    def timed(*args, **kwargs):
        kwargs.setdefault("now", T0)
        return call(*args, **kwargs)

    return timed


open_link_ = with_now(verification.open_link)
add_note_ = with_now(verification.add_note)
links_ = with_now(verification.links)
publish_version_ = with_now(verification.publish_version)
decide_note_ = with_now(verification.decide_note)
revoke_link_ = with_now(verification.revoke_link)


def items(document):
    return {item["key"]: item for item in iter_items(document)}


def refused(key, call, *args, **kwargs):
    with pytest.raises(WorkshopError) as caught:
        call(*args, **kwargs)
    assert caught.value.key == key, caught.value.key
    return caught.value


@pytest.fixture
def published(session, demo: Demo) -> Demo:
    publish_version_(session, workshop_id=demo.workshop_id, note="Första", now=T0)
    return demo


def link_for(session, demo: Demo, org: str = "BUP", *, days=30, now=T0) -> str:
    return verification.create_link(
        session, workshop_id=demo.workshop_id, organisation_id=demo.orgs[org], days=days, now=now
    )


# --- Versions ---------------------------------------------------------------------------------


def test_publishing_freezes_the_report_as_the_next_version(session, demo):
    assert publish_version_(session, workshop_id=demo.workshop_id, note=" v1 ") == 1
    services.add_statements(
        session,
        workshop_id=demo.workshop_id,
        organisation_id=demo.orgs["BUP"],
        topic="mandate",
        perspective="own",
        texts=["Akut psykiatri för barn"],
    )
    assert publish_version_(session, workshop_id=demo.workshop_id, note="") == 2

    versions = verification.list_versions(session, demo.workshop_id)
    assert [(v.number, v.note, v.changes) for v in versions] == [(2, None, 1), (1, "v1", None)]
    first = verification.get_version(session, demo.workshop_id, 1)
    assert first["format"] == "brygga.report/1"
    assert "Akut psykiatri för barn" not in {i["text"] for i in iter_items(first)}


def test_a_version_identical_to_the_latest_is_refused(session, published):
    error = refused(
        "verification.error.unchanged",
        publish_version_,
        session,
        workshop_id=published.workshop_id,
        note="igen",
        today=dt.date(2030, 1, 1),  # another day: the date alone is no change
    )
    assert error.params == {"number": 1}


def test_a_version_stored_by_an_older_brygga_is_not_a_change_by_itself(session, demo):
    """Before the discussion points were ordered by how many raised each (and said how many),
    a version listed them in running order without counts: republishing the same workshop
    is still refused."""
    answer(session, demo, demo.own[0], [("BUP", "discuss")] * 3)
    answer(session, demo, demo.own[1], [("BUP", "yes"), ("BUP", "discuss"), ("Elevhälsa", "no")])
    publish_version_(session, workshop_id=demo.workshop_id, note="Första")
    version = session.scalar(
        select(ReportVersion).where(ReportVersion.workshop_id == demo.workshop_id)
    )
    document = json.loads(version.document)
    discussion = document["ws1"]["discussion"]
    assert [point["raised"] for point in discussion] == [3, 1]
    for point in discussion:
        del point["raised"]
    discussion.reverse()
    version.document = json.dumps(document)
    session.commit()
    refused(
        "verification.error.unchanged",
        publish_version_,
        session,
        workshop_id=demo.workshop_id,
        note="igen",
    )


def test_a_version_note_has_a_length_limit_and_versions_must_exist(session, demo):
    refused(
        "verification.error.note_too_long",
        publish_version_,
        session,
        workshop_id=demo.workshop_id,
        note="x" * (verification.MAX_VERSION_NOTE + 1),
    )
    refused("verification.error.version_not_found", verification.get_version, session, 1, 9)
    assert verification.draft_changes(session, demo.workshop_id) is None


# --- Links ------------------------------------------------------------------------------------


def test_a_link_stores_only_the_hash_of_its_token(session, published):
    token = link_for(session, published)
    assert len(token) >= 43
    stored = session.scalars(select(VerificationLink.token_hash)).all()
    assert stored == [hash_token(token)]


def test_links_need_a_published_version_a_known_organisation_and_sane_days(session, demo):
    refused("verification.error.publish_first", link_for, session, demo)
    publish_version_(session, workshop_id=demo.workshop_id, note=None)
    for days in (0, 91, "many"):
        refused("verification.error.days", link_for, session, demo, days=days)
    refused(
        "verification.error.organisation_not_found",
        verification.create_link,
        session,
        workshop_id=demo.workshop_id,
        organisation_id=9999,
    )


def test_a_link_expires_after_its_days(session, published):
    token = link_for(session, published, days=2)
    open_link_(session, token, now=T0 + dt.timedelta(days=1, hours=23))
    refused(
        "verify.error.expired",
        open_link_,
        session,
        token,
        now=T0 + dt.timedelta(days=2),
    )
    [info] = links_(session, published.workshop_id, now=T0 + dt.timedelta(days=3))
    assert (info.organisation, info.status) == ("BUP", "expired")


def test_a_revoked_link_stops_working_and_says_so(session, published):
    token = link_for(session, published)
    [info] = links_(session, published.workshop_id, now=T0)
    assert info.status == "active"
    revoke_link_(session, workshop_id=published.workshop_id, link_id=info.id, now=T0)
    refused("verify.error.revoked", open_link_, session, token, now=T0)
    [info] = links_(session, published.workshop_id, now=T0)
    assert info.status == "revoked"


def test_a_new_link_for_an_organisation_revokes_its_old_one(session, published):
    old = link_for(session, published)
    new = link_for(session, published, now=T0 + dt.timedelta(hours=1))
    refused("verify.error.revoked", open_link_, session, old, now=T0)
    assert open_link_(session, new, now=T0).organisation == "BUP"
    link_for(session, published, "Elevhälsa")
    statuses = [(i.organisation, i.status) for i in links_(session, published.workshop_id)]
    assert statuses == [("BUP", "active"), ("BUP", "revoked"), ("Elevhälsa", "active")]


def test_an_unknown_token_is_refused_and_guessing_is_throttled(session, published):
    for _ in range(verification.BAD_TOKENS_ALLOWED):
        refused("verify.error.unknown", open_link_, session, "nope", client="c1")
    token = link_for(session, published)
    refused("error.rate_limited", open_link_, session, token, client="c1")
    assert open_link_(session, token, client="c2").version == 1


# --- What the verifier sees -------------------------------------------------------------------


def test_the_verifier_sees_the_latest_version_and_what_changed_since_they_last_looked(
    session, published
):
    token = link_for(session, published)
    first = open_link_(session, token, now=T0)
    assert (first.version, first.since, first.changes, first.organisation) == (1, None, {}, "BUP")
    [info] = links_(session, published.workshop_id)
    assert (info.last_seen_version, info.last_seen_at) == (1, T0)

    services.add_statements(
        session,
        workshop_id=published.workshop_id,
        organisation_id=published.orgs["Habilitering"],
        topic="mandate",
        perspective="others",
        texts=["Samverkan med skolan"],
    )
    hidden = published.others[0]
    services.set_hidden(
        session, workshop_id=published.workshop_id, statement_id=hidden, hidden=True
    )
    publish_version_(session, workshop_id=published.workshop_id, note="Ny punkt")

    second = open_link_(session, token, now=T0 + dt.timedelta(days=1))
    added = [k for k, v in second.changes.items() if v == "added"]
    assert (second.version, second.since, second.version_note) == (2, 1, "Ny punkt")
    assert [items(second.document)[k]["text"] for k in added] == ["Samverkan med skolan"]
    assert [i["key"] for i in second.removed] == [f"statement:{hidden}"]

    again = open_link_(session, token, now=T0 + dt.timedelta(days=1))
    assert (again.since, again.changes) == (None, {})
    remembered = open_link_(session, token, remembered_since=1)
    assert remembered.since == 1 and remembered.changes == second.changes


# --- Notes ------------------------------------------------------------------------------------


def test_a_verifier_comments_and_proposes_a_correction(session, published):
    token = link_for(session, published)
    view = open_link_(session, token, now=T0)
    own = f"statement:{published.own[0]}"
    other = f"statement:{published.others[0]}"
    add_note_(session, token, item_key=own, kind="comment", text="Stämmer inte helt", version=1)
    add_note_(
        session,
        token,
        item_key=other,
        kind="correction",
        text="Vi gör stödsamtal bara vid funktionsnedsättning",
        proposed_text="Stödsamtal vid funktionsnedsättning",
        version=view.version,
    )
    inbox = verification.notes(session, published.workshop_id)
    assert [g.key for g in inbox] == [own, other]
    correction = inbox[1].notes[0]
    assert (correction.organisation, correction.kind, correction.state) == (
        "BUP",
        "correction",
        "open",
    )
    assert (correction.item_text, correction.proposed_text) == (
        "Stödsamtal",
        "Stödsamtal vid funktionsnedsättning",
    )
    assert inbox[0].open == 1
    [info] = links_(session, published.workshop_id)
    assert (info.open_notes, info.notes) == (2, 2)
    assert len(open_link_(session, token).notes) == 2


def test_a_note_is_checked_before_it_is_stored(session, published):
    token = link_for(session, published)
    open_link_(session, token, now=T0)
    key = f"statement:{published.others[0]}"

    def note(**kw):
        return add_note_(
            session, token, **{"item_key": key, "kind": "comment", "text": "ok", "version": 1, **kw}
        )

    refused("verification.error.item_not_found", note, item_key="statement:999")
    refused("verification.error.version_not_found", note, version=2)
    refused("verification.error.version_not_found", note, version="x")
    refused("verification.error.kind", note, kind="praise")
    refused("verification.error.comment_empty", note, text="  ")
    refused("verification.error.proposal_empty", note, kind="correction", proposed_text="")
    refused(
        "verification.error.proposal_same", note, kind="correction", proposed_text="Stödsamtal "
    )
    refused("verification.error.text_too_long", note, text="x" * 2001)
    assert note() == note()  # a double submit is one note


def test_a_note_needs_a_version_the_link_was_shown(session, published):
    token = link_for(session, published)
    refused(
        "verification.error.version_not_found",
        add_note_,
        session,
        token,
        item_key="attendance",
        kind="comment",
        text="Vi var där",
        version=1,
    )


def test_a_revoked_link_can_no_longer_send_notes(session, published):
    token = link_for(session, published)
    open_link_(session, token)
    [info] = links_(session, published.workshop_id)
    revoke_link_(session, workshop_id=published.workshop_id, link_id=info.id)
    refused(
        "verify.error.revoked",
        add_note_,
        session,
        token,
        item_key="attendance",
        kind="comment",
        text="hej",
        version=1,
    )


# --- Decisions and the next version -----------------------------------------------------------


def test_an_accepted_correction_is_in_the_next_version_with_the_text_it_replaced(
    session, published
):
    wid = published.workshop_id
    token = link_for(session, published)
    open_link_(session, token, now=T0)
    corrected = f"statement:{published.others[0]}"
    commented = f"statement:{published.own[0]}"
    correction = add_note_(
        session,
        token,
        item_key=corrected,
        kind="correction",
        text="",
        proposed_text="Stödsamtal vid funktionsnedsättning",
        version=1,
    )
    comment = add_note_(
        session, token, item_key=commented, kind="comment", text="Till 18 år", version=1
    )
    assert verification.draft_changes(session, wid) == {}

    decide_note_(session, workshop_id=wid, note_id=correction, accept=True)
    decide_note_(session, workshop_id=wid, note_id=comment, accept=False, response="Står i texten")
    assert verification.draft_changes(session, wid) == {corrected: "changed"}
    draft = items(build_report(session, wid))
    assert draft[corrected]["text"] == "Stödsamtal vid funktionsnedsättning"
    assert "remarks" not in draft[commented]

    assert publish_version_(session, workshop_id=wid, note="Rättelse från BUP") == 2
    view = open_link_(session, token, now=T0 + dt.timedelta(days=2))
    assert (view.version, view.since, view.changes) == (2, 1, {corrected: "changed"})
    item = items(view.document)[corrected]
    assert (item["text"], item["corrected_from"], item["corrected_by"]) == (
        "Stödsamtal vid funktionsnedsättning",
        "Stödsamtal",
        "BUP",
    )
    states = {n.id: (n.state, n.response) for n in view.notes}
    assert states == {correction: ("accepted", None), comment: ("rejected", "Står i texten")}
    [info] = links_(session, wid)
    assert info.open_notes == 0


def test_an_accepted_comment_is_shown_with_its_item_and_a_decision_can_be_undone(
    session, published
):
    wid = published.workshop_id
    token = link_for(session, published)
    open_link_(session, token)
    key = f"statement:{published.own[1]}"
    note = add_note_(
        session, token, item_key=key, kind="comment", text="Gäller även 7 år", version=1
    )
    decide_note_(session, workshop_id=wid, note_id=note, accept=True, response="Ja")
    remarks = items(build_report(session, wid))[key]["remarks"]
    assert remarks == [{"organisation": "BUP", "text": "Gäller även 7 år", "response": "Ja"}]

    verification.reopen_note(session, workshop_id=wid, note_id=note)
    assert "remarks" not in items(build_report(session, wid))[key]
    assert verification.notes(session, wid)[0].notes[0].state == "open"


def test_decisions_check_the_workshop_and_the_answer(session, published, facilitator):
    token = link_for(session, published)
    open_link_(session, token)
    note = add_note_(
        session, token, item_key="attendance", kind="comment", text="Vi var tre", version=1
    )
    other = services.create_workshop(
        session, owner_id=facilitator, title="Annan", date=None, target_group="adults"
    )
    refused(
        "verification.error.note_not_found",
        decide_note_,
        session,
        workshop_id=other,
        note_id=note,
        accept=True,
    )
    refused(
        "verification.error.response_too_long",
        decide_note_,
        session,
        workshop_id=published.workshop_id,
        note_id=note,
        accept=False,
        response="x" * (verification.MAX_RESPONSE + 1),
    )
    refused(
        "verification.error.link_not_found",
        revoke_link_,
        session,
        workshop_id=other,
        link_id=1,
    )
