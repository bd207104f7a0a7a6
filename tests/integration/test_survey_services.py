"""The pre-workshop survey's use cases on a real SQLite database: answering ahead of time,
proposed statements, and the survey next to the live vote."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from tests.conftest import Demo
from workshops import results, services, survey, voting
from workshops.domain import Tally, WorkshopError
from workshops.models import Statement, StatementProposal, SurveyAnswer, Vote

_ids = itertools.count(1)


def joined(session, demo: Demo, org: str) -> int:
    return voting.join(
        session, workshop_id=demo.workshop_id, organisation_id=demo.orgs[org], display_name=None
    ).participant_id


def opened(session, demo: Demo) -> None:
    survey.set_survey_open(session, workshop_id=demo.workshop_id, is_open=True)


def answer(session, pid: int, sid: int, choice: str) -> survey.ParticipantSurvey:
    return survey.answer(session, participant_id=pid, statement_id=sid, choice=choice)


def propose(session, demo: Demo, pid: int, text: str, **kw) -> survey.Proposed:
    values = {
        "organisation_id": demo.orgs["Habilitering"],
        "topic": "mandate",
        "client_id": f"client-{next(_ids):04d}",
        **kw,
    }
    return survey.propose(session, participant_id=pid, text=text, **values)


def live_vote(session, demo: Demo, pid: int, sid: int, choice: str) -> None:
    voting.open_statements(session, workshop_id=demo.workshop_id, statement_ids=[sid])
    voting.cast_vote(
        session,
        participant_id=pid,
        statement_id=sid,
        choice=choice,
        ballot_id=f"ballot-{next(_ids):04d}",
    )


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def comparison(session, demo: Demo, sid: int) -> survey.Comparison:
    return next(c for c in survey.overview(session, demo.workshop_id).statements if c.id == sid)


# --- Answering ahead of time -----------------------------------------------------------------


def test_a_survey_takes_answers_only_while_it_is_open(session, demo):
    pid = joined(session, demo, "BUP")
    with pytest.raises(WorkshopError, match="survey_closed"):
        answer(session, pid, demo.own[0], "yes")
    opened(session, demo)
    assert answer(session, pid, demo.own[0], "yes").answered == 1


def test_a_participant_can_change_a_survey_answer_until_the_survey_closes(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    answer(session, pid, demo.own[0], "yes")
    answer(session, pid, demo.own[0], "no")
    mine = survey.participant_survey(session, participant_id=pid)
    assert [(i.id, i.choice) for i in mine.items] == [(demo.own[0], "no"), (demo.own[1], None)]
    assert count(session, SurveyAnswer) == 1

    survey.set_survey_open(session, workshop_id=demo.workshop_id, is_open=False)
    with pytest.raises(WorkshopError, match="survey_closed"):
        answer(session, pid, demo.own[0], "discuss")
    assert session.scalar(select(SurveyAnswer.choice)) == "no"


def test_a_participant_answers_the_statements_the_live_rules_give_their_organisation(session, demo):
    opened(session, demo)
    other = joined(session, demo, "BUP")
    subject = joined(session, demo, "Habilitering")
    # others judge Habilitering's own description; Habilitering answers others' perception
    assert [i.id for i in survey.participant_survey(session, participant_id=other).items] == (
        demo.own
    )
    assert [i.id for i in survey.participant_survey(session, participant_id=subject).items] == (
        demo.others
    )
    with pytest.raises(WorkshopError, match="not_eligible"):
        answer(session, subject, demo.own[0], "no")
    with pytest.raises(WorkshopError, match="not_eligible"):
        answer(session, other, demo.others[0], "no")
    assert count(session, SurveyAnswer) == 0


def test_when_everyone_may_answer_every_participant_gets_every_statement(session, demo):
    opened(session, demo)
    services.update_workshop(
        session,
        workshop_id=demo.workshop_id,
        title="WS1 test",
        date=None,
        target_group="children",
        everyone_may_answer=True,
    )
    pid = joined(session, demo, "Habilitering")
    mine = survey.participant_survey(session, participant_id=pid)
    assert [i.id for i in mine.items] == demo.own + demo.others


def test_hidden_and_reworded_statements_are_left_out_of_the_survey(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    services.set_hidden(
        session, workshop_id=demo.workshop_id, statement_id=demo.own[0], hidden=True
    )
    new_id = results.record_discussion(
        session,
        workshop_id=demo.workshop_id,
        statement_id=demo.own[1],
        note="",
        outcome="reworded",
        new_text="Barn med autism t.o.m. 6 år",
    )
    assert [i.id for i in survey.participant_survey(session, participant_id=pid).items] == [new_id]
    with pytest.raises(WorkshopError, match="survey_statement_unavailable"):
        answer(session, pid, demo.own[0], "yes")
    with pytest.raises(WorkshopError, match="survey_statement_unavailable"):
        answer(session, pid, demo.own[1], "yes")


def test_a_survey_answer_is_kept_apart_from_the_live_vote(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    answer(session, pid, demo.own[0], "no")
    assert count(session, Vote) == 0
    assert voting.count_tallies(session, [demo.own[0]])[demo.own[0]].total == 0


def test_an_answer_must_be_one_of_the_three(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    with pytest.raises(WorkshopError, match="bad_choice"):
        answer(session, pid, demo.own[0], "maybe")


def test_a_ws2_workshop_has_no_survey(session, ws2):
    with pytest.raises(WorkshopError, match="survey_ws1_only"):
        survey.set_survey_open(session, workshop_id=ws2.workshop_id, is_open=True)


# --- Proposed statements ---------------------------------------------------------------------


def test_a_participant_proposes_a_statement_about_another_organisation(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    proposed = propose(session, demo, pid, "  - Stödsamtal för syskon ", topic="target_group")
    row = session.get(StatementProposal, proposed.id)
    assert (row.text, row.topic, row.state) == ("Stödsamtal för syskon", "target_group", "proposed")
    assert (row.organisation_id, row.proposer_organisation_id) == (
        demo.orgs["Habilitering"],
        demo.orgs["BUP"],
    )


def test_a_proposal_about_the_proposers_own_organisation_is_refused(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "Habilitering")
    with pytest.raises(WorkshopError, match="survey_own_organisation"):
        propose(session, demo, pid, "Stödsamtal för syskon")
    assert count(session, StatementProposal) == 0


def test_a_proposal_repeating_an_existing_statement_is_refused_with_its_wording(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    with pytest.raises(WorkshopError, match="survey_duplicate_statement") as exc:
        propose(session, demo, pid, "stödsamtal.")
    assert exc.value.params == {"org": "Habilitering", "text": "Stödsamtal"}
    # the same words about another organisation are a different statement
    propose(session, demo, pid, "Stödsamtal", organisation_id=demo.orgs["Elevhälsa"])


def test_a_proposal_repeating_a_waiting_one_is_refused_but_a_declined_one_may_come_again(
    session, demo
):
    opened(session, demo)
    first = propose(session, demo, joined(session, demo, "BUP"), "Hjälpmedel")
    again = joined(session, demo, "Elevhälsa")
    with pytest.raises(WorkshopError, match="survey_duplicate_proposal"):
        propose(session, demo, again, "hjälpmedel")
    survey.reject(session, workshop_id=demo.workshop_id, proposal_id=first.id)
    assert not propose(session, demo, again, "hjälpmedel").retried


def test_a_retried_proposal_is_recognised_by_its_client_id(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    first = propose(session, demo, pid, "Hjälpmedel", client_id="form-abcdef12")
    again = propose(session, demo, pid, "Hjälpmedel", client_id="form-abcdef12")
    assert (again.id, again.retried) == (first.id, True)
    assert count(session, StatementProposal) == 1


def test_another_participant_cannot_reuse_a_client_id(session, demo):
    opened(session, demo)
    propose(session, demo, joined(session, demo, "BUP"), "Hjälpmedel", client_id="form-abcdef12")
    with pytest.raises(WorkshopError, match="bad_client_id"):
        propose(
            session, demo, joined(session, demo, "Elevhälsa"), "Annat", client_id="form-abcdef12"
        )


def test_proposals_are_taken_only_while_the_survey_is_open(session, demo):
    pid = joined(session, demo, "BUP")
    with pytest.raises(WorkshopError, match="survey_closed"):
        propose(session, demo, pid, "Hjälpmedel")


def test_a_proposal_about_an_organisation_of_another_workshop_is_refused(session, demo):
    other = services.create_workshop(
        session, owner_id=None, title="Other", date=None, target_group="adults"
    )
    stranger = services.add_organisation(
        session, workshop_id=other, name="NSPH", principal="civil_society"
    )
    opened(session, demo)
    with pytest.raises(WorkshopError, match="organisation_not_found"):
        propose(session, demo, joined(session, demo, "BUP"), "x", organisation_id=stranger)


def test_accepting_a_proposal_adds_an_others_statement_at_the_end_of_the_running_order(
    session, demo
):
    opened(session, demo)
    proposed = propose(session, demo, joined(session, demo, "BUP"), "Hjälpmedel")
    sid = survey.accept(session, workshop_id=demo.workshop_id, proposal_id=proposed.id)

    statement = session.get(Statement, sid)
    assert (statement.organisation_id, statement.topic, statement.perspective, statement.text) == (
        demo.orgs["Habilitering"],
        "mandate",
        "others",
        "Hjälpmedel",
    )
    order = [s.id for s in services.get_workshop(session, demo.workshop_id).statements]
    assert order[-1] == sid
    row = session.get(StatementProposal, proposed.id)
    assert (row.state, row.statement_id) == ("accepted", sid)
    assert row.decided_at is not None
    # Habilitering's own representatives answer it, in the survey as live
    subject = joined(session, demo, "Habilitering")
    assert answer(session, subject, sid, "no").answered == 1


def test_the_facilitator_may_reword_a_proposal_when_accepting_it(session, demo):
    opened(session, demo)
    proposed = propose(session, demo, joined(session, demo, "BUP"), "hjälpmedl")
    sid = survey.accept(
        session, workshop_id=demo.workshop_id, proposal_id=proposed.id, text=" Hjälpmedel "
    )
    assert session.get(Statement, sid).text == "Hjälpmedel"
    assert session.get(StatementProposal, proposed.id).text == "hjälpmedl"


def test_accepting_a_proposal_that_now_repeats_a_statement_is_refused(session, demo):
    opened(session, demo)
    proposed = propose(session, demo, joined(session, demo, "BUP"), "Hjälpmedel")
    services.add_statements(
        session,
        workshop_id=demo.workshop_id,
        organisation_id=demo.orgs["Habilitering"],
        topic="mandate",
        perspective="others",
        texts=["Hjälpmedel"],
    )
    with pytest.raises(WorkshopError, match="survey_duplicate_statement"):
        survey.accept(session, workshop_id=demo.workshop_id, proposal_id=proposed.id)
    assert session.get(StatementProposal, proposed.id).state == "proposed"


def test_a_decided_proposal_cannot_be_decided_again_or_withdrawn(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    proposed = propose(session, demo, pid, "Hjälpmedel")
    survey.reject(session, workshop_id=demo.workshop_id, proposal_id=proposed.id)
    with pytest.raises(WorkshopError, match="survey_proposal_decided"):
        survey.accept(session, workshop_id=demo.workshop_id, proposal_id=proposed.id)
    with pytest.raises(WorkshopError, match="survey_proposal_decided"):
        survey.withdraw(session, participant_id=pid, proposal_id=proposed.id)
    assert session.get(StatementProposal, proposed.id).state == "rejected"


def test_a_proposal_of_another_workshop_cannot_be_decided(session, demo):
    opened(session, demo)
    proposed = propose(session, demo, joined(session, demo, "BUP"), "Hjälpmedel")
    with pytest.raises(WorkshopError, match="survey_proposal_not_found"):
        survey.accept(session, workshop_id=demo.workshop_id + 1, proposal_id=proposed.id)


def test_a_participant_sees_and_withdraws_only_their_own_waiting_proposals(session, demo):
    opened(session, demo)
    mine, theirs = joined(session, demo, "BUP"), joined(session, demo, "Elevhälsa")
    first = propose(session, demo, mine, "Hjälpmedel")
    second = propose(session, demo, mine, "Föräldrastöd", topic="target_group")
    other = propose(session, demo, theirs, "Skolstöd")
    assert [p.id for p in survey.my_proposals(session, participant_id=mine)] == [
        second.id,
        first.id,
    ]
    with pytest.raises(WorkshopError, match="survey_not_your_proposal"):
        survey.withdraw(session, participant_id=mine, proposal_id=other.id)
    survey.withdraw(session, participant_id=mine, proposal_id=first.id)
    assert [p.id for p in survey.my_proposals(session, participant_id=mine)] == [second.id]
    assert count(session, StatementProposal) == 2


def test_the_facilitator_sees_the_waiting_proposals_first(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    a, b, c = (propose(session, demo, pid, text).id for text in ("Ett", "Två", "Tre"))
    survey.reject(session, workshop_id=demo.workshop_id, proposal_id=a)
    listed = survey.proposals(session, workshop_id=demo.workshop_id)
    assert [(p.id, p.state) for p in listed] == [(b, "proposed"), (c, "proposed"), (a, "rejected")]
    assert listed[0].proposer_organisation == "BUP"


# --- The survey next to the live vote --------------------------------------------------------


def test_the_comparison_counts_answers_but_withholds_distributions_under_the_threshold(
    session, demo
):
    opened(session, demo)
    pids = [joined(session, demo, org) for org in ("BUP", "BUP", "Elevhälsa")]
    for pid in pids[:2]:
        answer(session, pid, demo.own[0], "yes")
    live_vote(session, demo, pids[0], demo.own[0], "no")

    moved = comparison(session, demo, demo.own[0]).movement
    assert (moved.survey_n, moved.live_n, moved.both_n) == (2, 1, 1)
    assert (moved.survey, moved.live, moved.shift, moved.changed) == (None, None, None, None)
    assert survey.overview(session, demo.workshop_id).respondents == 2


def test_the_comparison_shows_how_the_answers_moved_from_the_threshold_on(session, demo):
    opened(session, demo)
    pids = [joined(session, demo, org) for org in ("BUP", "BUP", "Elevhälsa")]
    for pid in pids:
        answer(session, pid, demo.own[0], "yes")
    for pid, choice in zip(pids, ("no", "no", "yes"), strict=True):
        live_vote(session, demo, pid, demo.own[0], choice)

    moved = comparison(session, demo, demo.own[0]).movement
    assert (moved.survey, moved.live) == (Tally(yes=3), Tally(yes=1, no=2))
    assert moved.shift == {"yes": -67, "no": 67, "discuss": 0}
    assert (moved.both_n, moved.changed) == (3, 2)


def test_how_many_changed_is_withheld_until_enough_answered_both(session, demo):
    opened(session, demo)
    ahead = [joined(session, demo, "BUP") for _ in range(3)]
    only_live = joined(session, demo, "Elevhälsa")
    for pid in ahead:
        answer(session, pid, demo.own[0], "yes")
    for pid in (*ahead[:2], only_live):
        live_vote(session, demo, pid, demo.own[0], "no")

    moved = comparison(session, demo, demo.own[0]).movement
    assert moved.shift == {"yes": -100, "no": 100, "discuss": 0}  # both distributions shown
    assert (moved.both_n, moved.changed) == (2, None)


def test_a_lower_threshold_shows_a_smaller_room_its_movement(session, demo):
    services.set_anonymity_threshold(session, workshop_id=demo.workshop_id, threshold=1)
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    answer(session, pid, demo.own[0], "discuss")
    live_vote(session, demo, pid, demo.own[0], "discuss")
    moved = comparison(session, demo, demo.own[0]).movement
    assert (moved.changed, moved.moved) == (0, False)


def test_closing_the_survey_keeps_its_answers_for_the_comparison(session, demo):
    opened(session, demo)
    pid = joined(session, demo, "BUP")
    answer(session, pid, demo.own[0], "yes")
    survey.set_survey_open(session, workshop_id=demo.workshop_id, is_open=False)
    assert comparison(session, demo, demo.own[0]).movement.survey_n == 1
    assert survey.participant_survey(session, participant_id=pid).answered == 1
