"""Use cases on a real SQLite database: preparation, voting, discussion, deletion."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.conftest import Demo
from workshops import domain, results, services, survey, voting
from workshops.domain import CsvError, WorkshopError
from workshops.models import Organisation, Participant, Statement, Vote, VoteEvent, Workshop


def joined(session, demo: Demo, org: str) -> int:
    return voting.join(
        session, workshop_id=demo.workshop_id, organisation_id=demo.orgs[org], display_name=None
    ).participant_id


def open_for(session, demo: Demo, org: str, sid: int) -> int:
    """Join a participant of ``org`` and open statement ``sid``; returns the participant."""
    pid = joined(session, demo, org)
    voting.open_statements(session, workshop_id=demo.workshop_id, statement_ids=[sid])
    return pid


def cast(session, pid: int, sid: int, choice: str, ballot_id: str):
    return voting.cast_vote(
        session, participant_id=pid, statement_id=sid, choice=choice, ballot_id=ballot_id
    )


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_facilitator_password_is_stored_hashed_and_checked(session):
    fid = services.create_facilitator(session, email="A@b.se", name="A", password="long-password-1")
    assert services.authenticate(session, email="a@b.se", password="long-password-1") == fid
    assert services.authenticate(session, email="a@b.se", password="wrong-password") is None


def test_a_short_password_is_refused(session):
    with pytest.raises(WorkshopError, match="password_too_short"):
        services.create_facilitator(session, email="a@b.se", name="A", password="short")


def test_an_organisation_cannot_be_added_twice(session, demo):
    with pytest.raises(WorkshopError, match="organisation_exists"):
        services.add_organisation(
            session, workshop_id=demo.workshop_id, name="habilitering", principal="region"
        )


def test_pasted_statements_keep_their_order_after_the_existing_ones(session, demo):
    ids = services.add_statements(
        session,
        workshop_id=demo.workshop_id,
        organisation_id=demo.orgs["BUP"],
        topic="mandate",
        perspective="others",
        texts=domain.pasted_lines("- Stödsamtal\n- Hjälpmedel\n"),
    )
    order = [s.id for s in services.get_workshop(session, demo.workshop_id).statements]
    assert order[-2:] == ids


def test_a_csv_with_an_unknown_organisation_imports_nothing(session, demo):
    before = count(session, Statement)
    data = "organisation;topic;perspective;text\nBUP;uppdrag;andra;A\nOkänd;uppdrag;andra;B\n"
    with pytest.raises(CsvError) as exc:
        services.import_statements_csv(session, workshop_id=demo.workshop_id, data=data)
    assert exc.value.problems == ["unknown organisation 'Okänd': add it first"]
    assert count(session, Statement) == before


def test_a_csv_is_imported_whole(session, demo):
    data = "organisation;topic;perspective;text\nBUP;uppdrag;andra;A\nelevhälsa;målgrupp;egen;B\n"
    assert services.import_statements_csv(session, workshop_id=demo.workshop_id, data=data) == 2


def test_statements_move_up_and_down(session, demo):
    first, second = demo.own
    services.move_statement(session, workshop_id=demo.workshop_id, statement_id=second, offset=-1)
    order = [s.id for s in services.get_workshop(session, demo.workshop_id).statements]
    assert order[:2] == [second, first]


def test_a_voted_statement_can_no_longer_be_edited(session, demo):
    sid = demo.own[0]
    voting.open_statements(session, workshop_id=demo.workshop_id, statement_ids=[sid])
    with pytest.raises(WorkshopError, match="statement_has_votes"):
        services.edit_statement(
            session,
            workshop_id=demo.workshop_id,
            statement_id=sid,
            organisation_id=demo.orgs["BUP"],
            topic="mandate",
            perspective="own",
            text="other",
        )


def test_a_vote_is_stored_once_and_a_changed_vote_replaces_it(session, demo):
    sid = demo.own[0]
    pid = open_for(session, demo, "BUP", sid)
    cast(session, pid, sid, "yes", "b-0000001")
    cast(session, pid, sid, "no", "b-0000002")
    assert session.scalars(select(Vote.choice).where(Vote.statement_id == sid)).all() == ["no"]
    history = session.scalars(select(VoteEvent.choice).order_by(VoteEvent.id)).all()
    assert history == ["yes", "no"]


def test_a_retried_ballot_counts_once(session, demo):
    sid = demo.own[0]
    pid = open_for(session, demo, "BUP", sid)
    first = cast(session, pid, sid, "yes", "b-retry-1")
    again = cast(session, pid, sid, "yes", "b-retry-1")
    assert (first.retried, again.retried) == (False, True)
    assert count(session, Vote) == 1
    assert count(session, VoteEvent) == 1


def test_a_late_retry_of_an_old_ballot_does_not_undo_a_newer_vote(session, demo):
    sid = demo.own[0]
    pid = open_for(session, demo, "BUP", sid)
    cast(session, pid, sid, "yes", "b-old-01")
    cast(session, pid, sid, "no", "b-new-01")
    cast(session, pid, sid, "yes", "b-old-01")
    assert session.scalar(select(Vote.choice)) == "no"


def test_a_ballot_id_of_another_participant_is_refused(session, demo):
    a, b = joined(session, demo, "BUP"), joined(session, demo, "Elevhälsa")
    sid = demo.own[0]
    voting.open_statements(session, workshop_id=demo.workshop_id, statement_ids=[sid])
    cast(session, a, sid, "yes", "b-shared1")
    with pytest.raises(WorkshopError, match="bad_ballot"):
        cast(session, b, sid, "no", "b-shared1")


@pytest.mark.parametrize("state", ["draft", "closed", "hidden"])
def test_a_vote_on_a_statement_that_is_not_open_stores_nothing(session, demo, state):
    pid = joined(session, demo, "BUP")
    sid = demo.own[0]
    if state == "closed":
        voting.open_statements(session, workshop_id=demo.workshop_id, statement_ids=[sid])
        voting.close_statement(session, workshop_id=demo.workshop_id, statement_id=sid)
    if state == "hidden":
        voting.open_statements(session, workshop_id=demo.workshop_id, statement_ids=[sid])
        services.set_hidden(session, workshop_id=demo.workshop_id, statement_id=sid, hidden=True)
    with pytest.raises(WorkshopError, match="statement_closed"):
        cast(session, pid, sid, "yes", "b-000001")
    assert count(session, Vote) == count(session, VoteEvent) == 0


def test_the_subject_organisation_may_not_judge_its_own_description(session, demo):
    sid = demo.own[0]
    pid = open_for(session, demo, "Habilitering", sid)
    with pytest.raises(WorkshopError, match="not_eligible"):
        cast(session, pid, sid, "yes", "b-000001")
    assert count(session, Vote) == 0


def test_a_statement_of_another_workshop_cannot_be_voted_on(session, demo):
    other = services.create_workshop(
        session, owner_id=None, title="Other", date=None, target_group="adults"
    )
    org = services.add_organisation(session, workshop_id=other, name="X", principal="region")
    [sid] = services.add_statements(
        session,
        workshop_id=other,
        organisation_id=org,
        topic="mandate",
        perspective="own",
        texts=["x"],
    )
    voting.open_statements(session, workshop_id=other, statement_ids=[sid])
    pid = joined(session, demo, "BUP")
    with pytest.raises(WorkshopError, match="statement_not_found"):
        cast(session, pid, sid, "yes", "b-000001")


def test_opening_a_statement_closes_the_previous_one_in_live_mode(session, demo):
    a, b = demo.own
    voting.open_statements(session, workshop_id=demo.workshop_id, statement_ids=[a])
    voting.open_statements(session, workshop_id=demo.workshop_id, statement_ids=[b])
    states = dict(session.execute(select(Statement.id, Statement.state)).all())
    assert (states[a], states[b]) == ("closed", "open")


def test_a_batch_keeps_several_statements_open(session, demo):
    voting.open_statements(
        session, workshop_id=demo.workshop_id, statement_ids=demo.own, exclusive=False
    )
    state = voting.room_state(session, demo.workshop_id, audience="phones")
    assert [s["id"] for s in state["open"]] == demo.own


def test_n_of_m_counts_only_those_who_may_answer(session, demo):
    for org in ("Habilitering", "BUP", "BUP", "Elevhälsa"):
        assert voting.mark_present(session, joined(session, demo, org)) is True
    joined(session, demo, "BUP")  # joined (for the survey, say) but never in the room
    voting.open_statements(
        session,
        workshop_id=demo.workshop_id,
        statement_ids=[demo.own[0], demo.others[0]],
        exclusive=False,
    )
    state = voting.room_state(session, demo.workshop_id, audience="phones")
    eligible = {s["id"]: s["eligible"] for s in state["open"]}
    assert eligible == {demo.own[0]: 3, demo.others[0]: 1}
    assert state["joined"] == 4


def test_a_participant_is_marked_present_once(session, demo):
    pid = joined(session, demo, "BUP")
    assert voting.mark_present(session, pid) is True
    assert voting.mark_present(session, pid) is False
    assert voting.room_state(session, demo.workshop_id, audience="phones")["joined"] == 1


def test_a_roll_call_empties_the_room_but_not_the_attendance_nor_any_m(session, demo):
    """Everyone is out until they answer; whoever answered a shown statement stays one of its
    "m" (n never exceeds m, also for a statement opened again later); who attended stays."""
    wid = demo.workshop_id
    people = [joined(session, demo, org) for org in ("BUP", "BUP", "Habilitering", "BUP")]
    for pid in people:
        voting.mark_present(session, pid)
    earlier, current, still_open = demo.own[0], demo.own[1], demo.others[0]
    for n, (sid, pid) in enumerate([(earlier, people[0]), (current, people[1])]):
        voting.open_statements(session, workshop_id=wid, statement_ids=[sid])
        cast(session, pid, sid, "yes", f"b-roll-{n:03}")
    voting.close_statement(session, workshop_id=wid, statement_id=current)  # still on screen
    voting.open_statements(session, workshop_id=wid, statement_ids=[still_open], exclusive=False)
    cast(session, people[2], still_open, "no", "b-roll-002")
    voting.set_current(session, workshop_id=wid, statement_id=current)

    def n_of_m(sid: int) -> tuple[int, int]:
        state = voting.room_state(session, wid, audience="phones")
        shown = {s["id"]: s for s in [state["current"], *state["open"]]}
        return shown[sid]["voted"], shown[sid]["eligible"]

    assert voting.roll_call(session, workshop_id=wid) == 4
    assert voting.room_state(session, wid, audience="phones")["joined"] == 0
    assert (n_of_m(current), n_of_m(still_open)) == ((1, 1), (1, 1))
    assert voting.arrive(session, people[3]) is True
    assert voting.arrive(session, people[3]) is False
    assert voting.room_state(session, wid, audience="phones")["joined"] == 1
    assert n_of_m(current) == (1, 2)  # people[3] here, people[1] answered and went
    voting.open_statements(session, workshop_id=wid, statement_ids=[earlier])  # again
    assert n_of_m(earlier) == (1, 2)
    assert count(session, Participant, Participant.attended) == 4  # the report's attendance
    assert voting.roll_call(session, workshop_id=wid) == 1


def test_after_a_roll_call_the_screens_say_counting_again_for_three_seconds(session, demo):
    wid = demo.workshop_id
    assert voting.room_state(session, wid, audience="projector")["recounting_ms"] == 0
    voting.mark_present(session, joined(session, demo, "BUP"))
    voting.roll_call(session, workshop_id=wid)
    at = session.get(Workshop, wid).roll_call_at
    assert at is not None

    def left(seconds: float) -> int:
        now = at + dt.timedelta(seconds=seconds)
        return voting.room_state(session, wid, audience="projector", now=now)["recounting_ms"]

    assert (left(0), left(1.5), left(3), left(60)) == (3000, 1500, 0, 0)


def test_a_roll_call_while_the_survey_is_open_is_refused(session, demo):
    """No phone could come back into the room while the survey is open."""
    voting.mark_present(session, joined(session, demo, "BUP"))
    survey.set_survey_open(session, workshop_id=demo.workshop_id, is_open=True)
    with pytest.raises(WorkshopError, match="roll_call_survey_open"):
        voting.roll_call(session, workshop_id=demo.workshop_id)
    assert voting.room_state(session, demo.workshop_id, audience="phones")["joined"] == 1


def test_a_roll_call_of_a_workshop_that_does_not_exist_is_refused(session, demo):
    with pytest.raises(WorkshopError, match="workshop_not_found"):
        voting.roll_call(session, workshop_id=demo.workshop_id + 1000)


def test_the_room_sees_the_distribution_only_after_reveal(session, demo):
    services.set_anonymity_threshold(session, workshop_id=demo.workshop_id, threshold=1)
    sid = demo.own[0]
    pid = open_for(session, demo, "BUP", sid)
    cast(session, pid, sid, "no", "b-000001")
    phones = voting.room_state(session, demo.workshop_id, audience="phones")
    console = voting.room_state(session, demo.workshop_id, audience="facilitator")
    assert phones["current"]["tally"] is None and phones["current"]["voted"] == 1
    assert console["current"]["tally"]["no"] == 1
    voting.reveal(session, workshop_id=demo.workshop_id, statement_id=sid, revealed=True)
    phones = voting.room_state(session, demo.workshop_id, audience="phones")
    assert phones["current"]["tally"] == {"yes": 0, "no": 1, "discuss": 0, "total": 1}


def test_opening_a_shown_statement_again_hides_its_result_until_shown_again(session, demo):
    """The old bars on the screen would sway the new answers."""
    services.set_anonymity_threshold(session, workshop_id=demo.workshop_id, threshold=1)
    wid, sid = demo.workshop_id, demo.own[0]
    cast(session, open_for(session, demo, "BUP", sid), sid, "no", "b-again-1")
    voting.reveal(session, workshop_id=wid, statement_id=sid, revealed=True)
    voting.open_statements(session, workshop_id=wid, statement_ids=[sid])  # still open: kept
    assert voting.room_state(session, wid, audience="projector")["current"]["tally"] is not None
    voting.close_statement(session, workshop_id=wid, statement_id=sid)
    voting.open_statements(session, workshop_id=wid, statement_ids=[sid])
    current = voting.room_state(session, wid, audience="projector")["current"]
    assert (current["state"], current["revealed"], current["tally"]) == ("open", False, None)
    assert current["voted"] == 1  # the answers are kept


def test_a_distribution_with_fewer_answers_than_the_threshold_is_never_shown(session, demo):
    sid = demo.own[0]
    pid = open_for(session, demo, "BUP", sid)
    cast(session, pid, sid, "no", "b-000001")
    cast(session, joined(session, demo, "Elevhälsa"), sid, "yes", "b-000002")
    voting.reveal(session, workshop_id=demo.workshop_id, statement_id=sid, revealed=True)
    for audience in ("phones", "projector", "facilitator"):
        current = voting.room_state(session, demo.workshop_id, audience=audience)["current"]
        assert (current["voted"], current["tally"], current["withheld"]) == (2, None, True)
    cast(session, joined(session, demo, "BUP"), sid, "yes", "b-000003")
    current = voting.room_state(session, demo.workshop_id, audience="phones")["current"]
    assert current["tally"] == {"yes": 2, "no": 1, "discuss": 0, "total": 3}
    assert current["withheld"] is False


def test_results_leave_out_what_too_few_answered_and_say_so(session, demo):
    vote_all(session, demo, demo.others[0], [("Habilitering", "no"), ("Habilitering", "no")])
    vote_all(session, demo, demo.own[0], [("BUP", "yes"), ("Elevhälsa", "yes"), ("BUP", "no")])
    res = results.workshop_results(session, demo.workshop_id)
    assert [r.id for r in res.withheld] == [demo.others[0]]
    assert res.gaps == [] and res.voted_statements == 1
    exported = results.results_as_dict(res)
    assert exported["withheld"][0]["answers"] == 2
    assert "tally" not in exported["withheld"][0]


def test_a_breakdown_by_organisation_withholds_the_small_groups(session, demo):
    vote_all(
        session,
        demo,
        demo.own[0],
        [("BUP", "yes"), ("BUP", "yes"), ("BUP", "no"), ("Elevhälsa", "no")],
    )
    breakdown = results.organisation_breakdown(session, [demo.own[0]], threshold=3)
    # Elevhälsa's one answer is withheld, and BUP's three with it: the total minus BUP's
    # cell would give Elevhälsa's away
    assert breakdown[demo.own[0]] == {
        "BUP": domain.Withheld.PROTECTS,
        "Elevhälsa": domain.Withheld.FEW,
    }
    vote_all(
        session,
        demo,
        demo.own[1],
        [("BUP", "yes"), ("BUP", "yes"), ("BUP", "no")] + [("Elevhälsa", "no")] * 3,
    )
    breakdown = results.organisation_breakdown(session, [demo.own[1]], threshold=3)
    assert breakdown[demo.own[1]] == {
        "BUP": domain.Tally(yes=2, no=1),
        "Elevhälsa": domain.Tally(no=3),
    }


def test_the_threshold_must_be_a_whole_number_from_one_to_fifty(session, demo):
    for bad in ("0", "51", "tre", ""):
        with pytest.raises(WorkshopError) as err:
            services.set_anonymity_threshold(session, workshop_id=demo.workshop_id, threshold=bad)
        assert err.value.key == "error.bad_threshold"
    services.set_anonymity_threshold(session, workshop_id=demo.workshop_id, threshold=" 5")
    assert services.get_workshop(session, demo.workshop_id).anonymity_threshold == 5


def show_small_groups(session, demo):
    """The analysis tests vote with one or two phones: lower the anonymity threshold to 1."""
    services.set_anonymity_threshold(session, workshop_id=demo.workshop_id, threshold=1)


def vote_all(session, demo, sid, choices):
    voting.open_statements(session, workshop_id=demo.workshop_id, statement_ids=[sid])
    for i, (org, choice) in enumerate(choices):
        pid = joined(session, demo, org)
        voting.cast_vote(
            session,
            participant_id=pid,
            statement_id=sid,
            choice=choice,
            ballot_id=f"b-{sid}-{i:05d}",
        )


def test_results_show_expectation_gaps_and_agreement(session, demo):
    show_small_groups(session, demo)
    vote_all(session, demo, demo.others[0], [("Habilitering", "no"), ("Habilitering", "no")])
    vote_all(session, demo, demo.others[1], [("Habilitering", "yes")])
    vote_all(session, demo, demo.own[0], [("BUP", "yes"), ("Elevhälsa", "yes"), ("BUP", "no")])
    res = results.workshop_results(session, demo.workshop_id)
    assert [g.text for g in res.gaps] == ["Stödsamtal"]
    [hab] = res.organisations
    assert hab.organisation == "Habilitering"
    assert hab.agreement == pytest.approx(2 / 3)
    assert [g.text for g in hab.expectation_gaps] == ["Stödsamtal"]


def test_the_discussion_queue_orders_by_discuss_votes(session, demo):
    show_small_groups(session, demo)
    vote_all(session, demo, demo.own[0], [("BUP", "discuss")])
    vote_all(session, demo, demo.own[1], [("BUP", "discuss"), ("Elevhälsa", "discuss")])
    queue = results.workshop_results(session, demo.workshop_id).queue
    assert [item.result.id for item in queue] == [demo.own[1], demo.own[0]]
    assert all(item.disclosed for item in queue)


def test_a_statement_raised_by_fewer_than_the_threshold_is_queued_last_without_its_count(
    session, demo
):
    """How many raised it is part of the distribution: under the anonymity threshold (3) it is
    not shown, nor given away by the order, but the statement can still be discussed."""
    vote_all(session, demo, demo.own[0], [("BUP", "discuss")])
    vote_all(session, demo, demo.own[1], [("BUP", "discuss"), ("Elevhälsa", "discuss")])
    voters = [("Habilitering", "discuss"), ("Habilitering", "yes"), ("Habilitering", "discuss")]
    vote_all(session, demo, demo.others[0], voters)
    res = results.workshop_results(session, demo.workshop_id)
    assert [(i.result.id, i.disclosed) for i in res.queue] == [
        (demo.others[0], True),
        (demo.own[0], False),  # running order, not 2 before 1
        (demo.own[1], False),
    ]
    exported = results.results_as_dict(res)["discussion_queue"]
    assert [(q["id"], q["tally"], q.get("withheld")) for q in exported[1:]] == [
        (demo.own[0], None, True),
        (demo.own[1], None, True),
    ]
    assert exported[0]["tally"] == {"yes": 1, "no": 0, "discuss": 2, "total": 3}


def test_every_statement_answered_by_too_few_is_queued_raised_or_not(session, demo):
    """Were only the raised ones queued, a statement one person answered would be in the queue
    exactly when that person chose "Let's discuss"."""
    vote_all(session, demo, demo.own[0], [("BUP", "discuss")])
    vote_all(session, demo, demo.own[1], [("BUP", "yes")])
    res = results.workshop_results(session, demo.workshop_id)
    assert [(i.result.id, i.disclosed) for i in res.queue] == [
        (demo.own[0], False),
        (demo.own[1], False),
    ]


def test_a_hidden_statement_counts_in_no_gap_agreement_or_queue(session, demo):
    """Hidden is taken out of the workshop: its answers are kept, and count again once it is
    shown again."""
    show_small_groups(session, demo)
    voters = [("Habilitering", "no"), ("Habilitering", "no"), ("Habilitering", "discuss")]
    vote_all(session, demo, demo.others[0], voters)
    vote_all(session, demo, demo.own[0], [("BUP", "yes"), ("Elevhälsa", "no")])
    before = results.workshop_results(session, demo.workshop_id)
    assert [g.text for g in before.gaps] == ["Stödsamtal"]
    assert [i.result.id for i in before.queue] == [demo.others[0]]
    for hidden in (True, False):
        services.set_hidden(
            session, workshop_id=demo.workshop_id, statement_id=demo.others[0], hidden=hidden
        )
        res = results.workshop_results(session, demo.workshop_id)
        if hidden:
            assert (res.gaps, res.queue, res.voted_statements) == ([], [], 1)
            assert [r.id for r in res.hidden] == [demo.others[0]]
            [hab] = res.organisations
            assert (hab.others, hab.expectation_gaps) == ([], [])
        else:
            assert res == before


def test_a_reworded_statement_is_voted_again_and_old_votes_stay_with_the_old_wording(session, demo):
    show_small_groups(session, demo)
    old = demo.own[0]
    vote_all(session, demo, old, [("BUP", "discuss"), ("Elevhälsa", "no")])
    new = results.record_discussion(
        session,
        workshop_id=demo.workshop_id,
        statement_id=old,
        note="Åldersgräns oklar",
        outcome="reworded",
        new_text="Barn och unga 0–17 år",
    )
    assert new is not None
    order = [s.id for s in services.get_workshop(session, demo.workshop_id).statements]
    assert order.index(new) == order.index(old) + 1
    assert count(session, Vote, Vote.statement_id == old) == 2
    assert count(session, Vote, Vote.statement_id == new) == 0
    vote_all(session, demo, new, [("BUP", "yes")])
    res = results.workshop_results(session, demo.workshop_id)
    own_texts = [r.text for r in res.organisations[0].own]
    assert "Barn och unga 0–17 år" in own_texts and "Barn och unga 0–18 år" not in own_texts
    assert res.queue[0].replaced_by == new


def test_a_new_wording_without_an_outcome_is_a_rewording_and_with_another_is_refused(session, demo):
    """A new wording was dropped without a word unless "reworded" was also chosen."""
    wid, sid = demo.workshop_id, demo.own[0]
    vote_all(session, demo, sid, [("BUP", "discuss")])
    with pytest.raises(WorkshopError, match="new_text_needs_reworded"):
        results.record_discussion(
            session, workshop_id=wid, statement_id=sid, note="", outcome="agreed", new_text="Ny"
        )
    with pytest.raises(WorkshopError, match="rewording_empty"):
        results.record_discussion(
            session, workshop_id=wid, statement_id=sid, note="", outcome="reworded", new_text=" "
        )
    assert count(session, Statement, Statement.previous_id == sid) == 0
    new = results.record_discussion(
        session, workshop_id=wid, statement_id=sid, note="", outcome=None, new_text="Barn 0–17 år"
    )
    assert new is not None
    assert session.get(Statement, sid).outcome == "reworded"


def test_an_outcome_must_be_one_of_the_four(session, demo):
    with pytest.raises(WorkshopError, match="bad_outcome"):
        results.record_discussion(
            session, workshop_id=demo.workshop_id, statement_id=demo.own[0], note="", outcome="x"
        )


def test_deleting_a_workshop_deletes_everything_in_it(session, demo):
    vote_all(session, demo, demo.own[0], [("BUP", "yes"), ("Elevhälsa", "discuss")])
    services.delete_workshop(session, workshop_id=demo.workshop_id)
    session.expire_all()
    for model in (Workshop, Organisation, Participant, Statement, Vote, VoteEvent):
        assert count(session, model) == 0, model.__name__


def test_an_unknown_code_is_refused_and_attempts_are_limited(session, demo):
    for _ in range(voting.JOIN_FAILURES_ALLOWED):
        with pytest.raises(WorkshopError, match="unknown_code"):
            voting.find_workshop_by_code(session, "XXXXXX", client_key="k1")
    with pytest.raises(WorkshopError, match="rate_limited"):
        voting.find_workshop_by_code(session, demo.code, client_key="k1")
    assert voting.find_workshop_by_code(session, demo.code, client_key="k2").id == demo.workshop_id


def test_the_dashboard_lists_the_latest_workshop_date_first(session, facilitator):
    import datetime as dt

    def create(title: str, date: dt.date | None) -> int:
        return services.create_workshop(
            session, owner_id=facilitator, title=title, date=date, target_group="children"
        )

    create("Long ago", dt.date(2001, 3, 1))
    create("Not dated yet", None)  # counts from its creation: today
    create("Far ahead", dt.date(2999, 1, 1))
    create("Even longer ago", dt.date(2000, 1, 1))
    listed = [w["title"] for w in services.list_workshops(session, manager_id=facilitator)]
    assert listed == ["Far ahead", "Not dated yet", "Long ago", "Even longer ago"]
