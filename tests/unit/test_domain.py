"""The pure WS1 rules."""

import pytest

from workshops import domain
from workshops.domain import CsvError, StatementResult, Tally, WorkshopError


def result(sid, org, text, perspective="others", **votes):
    return StatementResult(sid, org, "mandate", perspective, text, Tally(**votes))


def test_own_description_is_answered_by_the_other_organisations():
    assert domain.may_answer(perspective="own", subject_org=1, participant_org=2)
    assert not domain.may_answer(perspective="own", subject_org=1, participant_org=1)


def test_others_perception_is_answered_by_the_subject_organisation():
    assert domain.may_answer(perspective="others", subject_org=1, participant_org=1)
    assert not domain.may_answer(perspective="others", subject_org=1, participant_org=2)


def test_a_workshop_setting_lets_everyone_answer():
    assert domain.may_answer(perspective="others", subject_org=1, participant_org=2, everyone=True)


@pytest.mark.parametrize(
    ("choice", "topic", "perspective", "key"),
    [
        ("yes", "target_group", "own", "explain.own.yes"),
        ("no", "target_group", "others", "explain.others.target_group.no"),
        ("yes", "mandate", "others", "explain.others.mandate.yes"),
        ("discuss", "target_group", "own", "explain.discuss"),
    ],
)
def test_the_explanation_under_a_button_depends_on_topic_and_perspective(
    choice, topic, perspective, key
):
    assert domain.explanation_key(choice, topic=topic, perspective=perspective) == key


def test_an_expectation_gap_is_an_others_perception_the_subject_answered_no():
    gap = result(1, "Hab", "Stödsamtal", no=2, yes=1)
    agreed = result(2, "Hab", "Utredning", yes=2)
    own_no = result(3, "Hab", "0-18 år", perspective="own", no=5)
    assert domain.expectation_gaps([gap, agreed, own_no]) == [gap]


def test_a_tie_between_yes_and_no_is_not_counted_as_a_gap():
    assert domain.expectation_gaps([result(1, "Hab", "x", yes=1, no=1)]) == []


def test_recurring_expectations_group_the_same_wording_across_organisations():
    gaps = [
        result(1, "BUP", "Stödsamtal", no=1),
        result(2, "Habilitering", "stödsamtal ", no=1),
        result(3, "IFO", "Stödsamtal!", no=1),
        result(4, "BUP", "Hjälpmedel", no=1),
    ]
    assert domain.recurring_expectations(gaps) == [("Stödsamtal", ["BUP", "Habilitering", "IFO"])]


def test_a_split_vote_has_no_choice_with_two_thirds():
    assert domain.is_split(Tally(yes=3, no=2))
    assert not domain.is_split(Tally(yes=4, no=1))
    assert not domain.is_split(Tally(yes=1, no=1))


def test_agreement_counts_yes_among_all_votes_on_the_own_description():
    org = domain.OrganisationResult(
        "Hab", own=[result(1, "Hab", "a", "own", yes=3, no=1), result(2, "Hab", "b", "own", yes=1)]
    )
    assert org.agreement == 0.8


def test_the_discussion_queue_puts_the_most_raised_first():
    rows = [
        result(1, "A", "a", discuss=1),
        result(2, "A", "b", yes=2),
        result(3, "A", "c", discuss=4),
    ]
    assert [r.id for r in domain.discussion_queue(rows)] == [3, 1]


def test_join_codes_use_only_unambiguous_characters():
    for _ in range(200):
        code = domain.new_join_code()
        assert not set(code) & set("0O1IL25SZ8B")
        assert domain.normalise_join_code(code.lower()) == code


def test_a_typed_code_may_have_spaces_and_a_dash():
    assert domain.normalise_join_code("ka3-kxm") == "KA3KXM"
    assert domain.normalise_join_code("KA3 KX") is None


def test_pasted_lines_drop_bullets_and_blank_lines():
    assert domain.pasted_lines("• Utredning\n\n- Stödsamtal\n   \n") == ["Utredning", "Stödsamtal"]


def test_an_overlong_statement_is_refused():
    with pytest.raises(WorkshopError) as exc:
        domain.clean_statement_text("x" * 501)
    assert exc.value.key == "error.statement_too_long"


def test_a_csv_with_semicolons_and_swedish_headers_is_read():
    data = "Verksamhet;Ämne;Perspektiv;Text\nHabilitering;uppdrag;andras uppfattning;Stödsamtal\n"
    assert domain.parse_statement_csv(data) == [
        domain.StatementDraft("Habilitering", "mandate", "others", "Stödsamtal")
    ]


def test_every_csv_problem_is_reported_with_its_line():
    data = (
        "organisation,topic,perspective,text\n"
        "Hab,colour,own,x\n,mandate,sideways,y\nHab,mandate,own,\n"
    )
    with pytest.raises(CsvError) as exc:
        domain.parse_statement_csv(data)
    assert exc.value.problems == [
        "line 2: unknown topic 'colour'",
        "line 3: the organisation is empty",
        "line 3: unknown perspective 'sideways'",
        "line 4: the text is empty or longer than 500 characters",
    ]


def test_a_csv_without_the_needed_columns_is_refused():
    with pytest.raises(CsvError, match="missing column"):
        domain.parse_statement_csv("name,text\nHab,x\n")


@pytest.mark.parametrize(
    ("statement_id", "choice", "ballot_id", "key"),
    [
        ("x", "yes", "ballot-123", "error.bad_payload"),
        (True, "yes", "ballot-123", "error.bad_payload"),
        (1, "maybe", "ballot-123", "error.bad_choice"),
        (1, "yes", "short", "error.bad_ballot"),
        (1, "yes", "<script>alert(1)</script>", "error.bad_ballot"),
        (1, "yes", None, "error.bad_ballot"),
    ],
)
def test_a_malformed_ballot_is_refused(statement_id, choice, ballot_id, key):
    with pytest.raises(WorkshopError) as exc:
        domain.check_ballot(statement_id, choice, ballot_id)
    assert exc.value.key == key
