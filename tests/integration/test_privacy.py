"""Privacy use cases: a participant withdraws everything they entered, a deleted workshop leaves
nothing behind in any table, workshops past the retention period are found and deleted, and
old audit lines are pruned."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import Base, session_scope
from journey_maps import moderation, placing, snapshots
from journey_maps.rows import Handoff, JourneyEdit, PlacementReaction, RolePlacement
from projects import services as project_services
from reports import pdf_store, verification
from tests.conftest import Demo, Ws2
from tests.integration.test_archive import held_ws1, held_ws2, join
from workshops import audit, privacy, results, services
from workshops.domain import WorkshopError
from workshops.models import (
    AuditEvent,
    Participant,
    StatementProposal,
    SurveyAnswer,
    Vote,
    VoteEvent,
    Workshop,
)

T0 = dt.datetime(2026, 5, 4, 12, 0)
# Tables that belong to no workshop: accounts, project groupings, rate-limit windows, the log.
GLOBAL_TABLES = {"facilitators", "logins", "projects", "rate_limit_hits", "audit_events"}


def count(session: Session, model: type, **where: object) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query) or 0


def references_to(session: Session, participant_id: int) -> dict[str, int]:
    """Rows in any table whose foreign key points at the participant (every such table, found
    from the metadata, so a new one is covered without touching this test)."""
    found = {}
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "participants":
                n = session.scalar(
                    select(func.count()).select_from(table).where(fk.parent == participant_id)
                )
                if n:
                    found[f"{table.name}.{fk.parent.name}"] = n
    found_participant = count(session, Participant, id=participant_id)
    if found_participant:
        found["participants"] = found_participant
    return found


def totals(session: Session, workshop_id: int) -> dict[int, int]:
    return {r.id: r.tally.total for r in results.statement_results(session, workshop_id)}


# --- A participant withdraws -----------------------------------------------------------------


def test_a_withdrawn_participant_leaves_no_row_and_the_tallies_drop(session, demo: Demo):
    people = held_ws1(session, demo)
    leaving = people["BUP"][0]  # voted, answered the survey, proposed a statement
    staying = [p for group in people.values() for p in group if p != leaving]
    before = totals(session, demo.workshop_id)
    others_votes = count(session, Vote) - count(session, Vote, participant_id=leaving)
    assert count(session, StatementProposal, participant_id=leaving) == 1
    assert count(session, SurveyAnswer, participant_id=leaving) == 1
    voted_on = set(session.scalars(select(Vote.statement_id).where(Vote.participant_id == leaving)))

    gone = privacy.withdraw_participant(session, participant_id=leaving)

    assert (gone.workshop_id, gone.kind) == (demo.workshop_id, "ws1")
    assert references_to(session, leaving) == {}
    assert count(session, StatementProposal, participant_id=None) == 0  # not kept anonymously
    after = totals(session, demo.workshop_id)
    assert {sid: before[sid] - after[sid] for sid in before if before[sid] != after[sid]} == {
        sid: 1 for sid in voted_on
    }
    assert count(session, Vote) == others_votes
    assert all(count(session, Participant, id=p) == 1 for p in staying)
    assert count(session, VoteEvent, participant_id=staying[0]) > 0


def test_withdrawing_twice_is_refused_as_not_joined(session, demo: Demo):
    pid = join(session, demo.workshop_id, demo.orgs["BUP"])
    privacy.withdraw_participant(session, participant_id=pid)
    with pytest.raises(WorkshopError) as caught:
        privacy.withdraw_participant(session, participant_id=pid)
    assert caught.value.key == "error.not_joined"


def test_a_withdrawn_ws2_participant_takes_placements_handoffs_reactions_and_comments(
    session, ws2: Ws2
):
    held_ws2(session, ws2)
    # the BUP participant who placed role 4, recorded the handoff and commented a role
    leaving = session.scalar(
        select(Handoff.participant_id).where(Handoff.workshop_id == ws2.workshop_id)
    )
    assert leaving is not None
    assert count(session, RolePlacement, participant_id=leaving) == 1
    commented = count(session, Vote, participant_id=leaving)
    assert commented and session.scalar(select(Vote.comment).where(Vote.participant_id == leaving))
    placements_before = count(session, RolePlacement)
    others_reactions = count(session, PlacementReaction)

    gone = privacy.withdraw_participant(session, participant_id=leaving)

    assert gone.kind == "ws2"
    assert references_to(session, leaving) == {}
    assert count(session, Handoff, workshop_id=ws2.workshop_id) == 0
    assert count(session, RolePlacement) == placements_before - 1
    assert count(session, PlacementReaction) == others_reactions  # none were on theirs


def place(session: Session, ws2: Ws2, pid: int, org: str, needs: str, n: int) -> int:
    return placing.place_role(
        session,
        participant_id=pid,
        role_id=ws2.roles["3"],
        stage_id=ws2.stages[0],
        client_id=f"privacy-{n}",
        organisation_id=ws2.orgs[org],
        needs=needs,
    ).id


def test_a_placement_merged_into_the_withdrawn_one_comes_back(session, ws2: Ws2):
    mine_pid = join(session, ws2.workshop_id, ws2.orgs["BUP"])
    other_pid = join(session, ws2.workshop_id, ws2.orgs["Elevhälsa"])
    mine = place(session, ws2, mine_pid, "BUP", "remiss", 1)
    other = place(session, ws2, other_pid, "Elevhälsa", "väntetid", 2)
    moderation.merge_placements(
        session, workshop_id=ws2.workshop_id, keep_id=mine, merge_ids=[other]
    )

    privacy.withdraw_participant(session, participant_id=mine_pid)

    back = session.get(RolePlacement, other)
    assert back is not None
    session.refresh(back)
    assert (back.removed_at, back.merged_into_id, back.needs) == (None, None, "väntetid")
    assert count(session, JourneyEdit, entity_id=mine) == 0  # the log of their row went too


def test_the_withdrawn_note_leaves_the_placement_theirs_was_merged_into(session, ws2: Ws2):
    mine_pid = join(session, ws2.workshop_id, ws2.orgs["BUP"])
    other_pid = join(session, ws2.workshop_id, ws2.orgs["Elevhälsa"])
    mine = place(session, ws2, mine_pid, "BUP", "remiss", 1)
    other = place(session, ws2, other_pid, "Elevhälsa", "väntetid", 2)
    moderation.merge_placements(
        session, workshop_id=ws2.workshop_id, keep_id=other, merge_ids=[mine]
    )
    kept = session.get(RolePlacement, other)
    assert kept is not None and kept.needs == "väntetid\nremiss"

    privacy.withdraw_participant(session, participant_id=mine_pid)

    session.refresh(kept)
    assert (kept.needs, kept.removed_at) == ("väntetid", None)


# --- Deleting a workshop leaves nothing ------------------------------------------------------


def row_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def fill_every_feature(session: Session, demo: Demo, ws2: Ws2) -> None:
    """Both workshops with data in every feature: votes, comments, survey, proposals,
    discussion notes, the journey with its edits, versions and verification, a project."""
    held_ws1(session, demo)
    held_ws2(session, ws2)
    verification.publish_version(session, workshop_id=demo.workshop_id, note="v1", now=T0)
    token = verification.create_link(
        session, workshop_id=demo.workshop_id, organisation_id=demo.orgs["BUP"], now=T0
    )
    verification.open_link(session, token, now=T0)
    laid_out = pdf_store.stored_layout(
        session, workshop_id=demo.workshop_id, number=1, layout=lambda html: b"%PDF-1.7"
    )
    laid_out("<p>Version 1</p>")  # the version's PDF, kept
    verification.add_note(
        session,
        token,
        item_key=f"statement:{demo.own[0]}",
        kind="comment",
        text="Stämmer",
        version=1,
        now=T0,
    )
    snapshots.save_snapshot(
        session, workshop_id=ws2.workshop_id, kind="as_is", label="Nuläge", facilitator_id=None
    )
    placement = session.scalar(
        select(RolePlacement.id).where(RolePlacement.workshop_id == ws2.workshop_id)
    )
    assert placement is not None
    moderation.remove_placement(session, workshop_id=ws2.workshop_id, placement_id=placement)
    project = project_services.create_project(session, name="Ingen ska falla mellan stolarna")
    for wid in (demo.workshop_id, ws2.workshop_id):
        project_services.assign_workshop(session, project_id=project, workshop_id=wid)


def test_deleting_the_workshops_leaves_no_row_in_any_table_but_the_deletion_records(
    session, demo: Demo, ws2: Ws2
):
    fill_every_feature(session, demo, ws2)
    before = row_counts(session)
    # every table of a workshop has rows, so each one is really checked below
    assert sorted(t for t, n in before.items() if n == 0 and t not in GLOBAL_TABLES) == []

    for wid in (demo.workshop_id, ws2.workshop_id):
        title = services.get_workshop(session, wid).title
        audit.record(
            session,
            action="facilitator.delete_workshop",
            actor="Facilitator",
            workshop_id=wid,
            workshop_title=title,
        )
        services.delete_workshop(session, workshop_id=wid)

    left = {t: n for t, n in row_counts(session).items() if n}
    assert left == {"audit_events": 2, "facilitators": 1, "projects": 1}


# --- Retention -------------------------------------------------------------------------------


def dated(session: Session, workshop_id: int, date: dt.date | None, created: dt.datetime) -> None:
    workshop = session.get(Workshop, workshop_id)
    assert workshop is not None
    workshop.date, workshop.created_at = date, created
    session.commit()


def test_workshops_past_the_retention_period_are_listed_oldest_first(session, demo: Demo, ws2: Ws2):
    fresh = services.create_workshop(
        session, owner_id=None, title="Ny", date=None, target_group="adults"
    )
    dated(session, demo.workshop_id, dt.date(2025, 3, 1), dt.datetime(2026, 1, 1))
    dated(session, ws2.workshop_id, None, dt.datetime(2024, 6, 1))
    dated(session, fresh, None, dt.datetime(2026, 4, 1))
    join(session, demo.workshop_id, demo.orgs["BUP"])

    due = privacy.due_workshops(session, today=dt.date(2026, 3, 2), days=365)

    assert [(w.id, w.participants) for w in due] == [(ws2.workshop_id, 0), (demo.workshop_id, 1)]
    assert privacy.due_workshops(session, today=dt.date(2026, 3, 1), days=365)[0].id == (
        ws2.workshop_id
    )
    assert privacy.due_workshops(session, today=dt.date(2030, 1, 1), days=0) == []


def test_deleting_due_workshops_keeps_the_others_and_writes_one_audit_line_each(
    session, demo: Demo, ws2: Ws2
):
    dated(session, demo.workshop_id, dt.date(2024, 1, 1), dt.datetime(2024, 1, 1))
    gone = privacy.delete_due_workshops(
        session, today=dt.date(2026, 1, 1), days=365, actor="flask retention"
    )
    assert [w.id for w in gone] == [demo.workshop_id]
    assert session.get(Workshop, ws2.workshop_id) is not None
    assert count(session, Workshop, id=demo.workshop_id) == 0
    line = session.scalars(select(AuditEvent)).one()
    assert (line.action, line.workshop_id, line.workshop_title, line.actor) == (
        "retention.delete_workshop",
        demo.workshop_id,
        "WS1 test",
        "flask retention",
    )


def test_audit_lines_older_than_their_period_are_pruned(session):
    for days_ago in (800, 731, 729, 1):
        line = audit.record(session, action="auth.login", actor="A")
        line.at = T0 - dt.timedelta(days=days_ago)
    session.commit()
    assert privacy.expired_audit_lines(session, now=T0, days=730) == 2
    assert privacy.prune_audit(session, now=T0, days=0) == 0
    assert privacy.prune_audit(session, now=T0, days=730) == 2
    ages = sorted((T0 - at).days for at in session.scalars(select(AuditEvent.at)))
    assert ages == [1, 729]


# --- Through the phone's pages ---------------------------------------------------------------


def test_withdrawing_on_the_phone_clears_its_cookie_and_the_projector_count_drops(
    app, logged_in, demo: Demo
):
    from tests.conftest import join_phone, live_socket, post

    projector = live_socket(app, logged_in, role="projector", workshop_id=demo.workshop_id)
    phone = join_phone(app, demo, "BUP", "Anna")
    other = join_phone(app, demo, "Elevhälsa")
    for client in (phone, other):  # both open the live page: two in the room
        live_socket(app, client, role="participant", code=demo.code)
    pushed = [e["args"][0] for e in projector.get_received("/live") if e["name"] == "state"]
    assert pushed[-1]["joined"] == 2

    confirm = phone.get(f"/{demo.code}/withdraw")
    assert confirm.status_code == 200
    assert "Ja, ta bort mina svar" in confirm.get_data(as_text=True)
    done = post(phone, f"/{demo.code}/withdraw")
    assert done.status_code == 302 and done.location.endswith(f"/{demo.code}/withdrawn")

    pushed = [e["args"][0] for e in projector.get_received("/live") if e["name"] == "state"]
    assert pushed and pushed[-1]["joined"] == 1
    page = phone.get(done.location).get_data(as_text=True)
    assert "Dina svar är borttagna" in page and f'href="/{demo.code}"' in page
    assert phone.get(f"/{demo.code}/p").status_code == 302  # no longer joined: back to pick
    with phone.session_transaction() as sess:
        assert demo.code not in sess.get("pt", {})
    with session_scope(app) as s:
        assert count(s, Participant, workshop_id=demo.workshop_id) == 1
    again = post(phone, f"/{demo.code}/withdraw")  # a second press: nothing left, same page
    assert again.status_code == 302 and again.location.endswith("/withdrawn")
