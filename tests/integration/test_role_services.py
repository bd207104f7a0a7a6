"""WS2 role use cases on a real SQLite database: custom roles, texts, validation of each role."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from journey_maps import placing
from reports.document import build_report
from reports.tables import workshop_tables
from roles import services as roles
from roles.models import RoleRevision
from tests.conftest import Ws2
from workshops import voting
from workshops.domain import WorkshopError
from workshops.models import Statement, Workshop

_ballots = itertools.count(1)


def joined(session, ws2: Ws2, org: str) -> int:
    return voting.join(
        session, workshop_id=ws2.workshop_id, organisation_id=ws2.orgs[org], display_name="Anna"
    ).participant_id


def texts(name: str, **kw: str) -> roles.RoleTexts:
    return roles.clean_texts(name_sv=name, **kw)


def validation(session, ws2: Ws2) -> dict[str, Statement]:
    """The role statements by role code, after creating them."""
    roles.create_validation_statements(session, workshop_id=ws2.workshop_id)
    by_id = {r.id: r.code for r in roles.list_roles(session, ws2.workshop_id)}
    rows = session.scalars(
        select(Statement).where(Statement.workshop_id == ws2.workshop_id, Statement.topic == "role")
    )
    return {by_id[s.role_id]: s for s in rows}


def answer(session, pid: int, sid: int, choice: str, comment: str | None = None) -> None:
    voting.cast_vote(
        session,
        participant_id=pid,
        statement_id=sid,
        choice=choice,
        ballot_id=f"ballot-{next(_ballots)}",
        comment=comment,
    )


def outcome_of(session, ws2: Ws2, code: str) -> roles.RoleOutcome:
    found = [
        o
        for o in roles.validation_outcomes(session, workshop_id=ws2.workshop_id)
        if o.role["code"] == code
    ]
    assert len(found) == 1
    return found[0]


# --- The workshop's own roles ----------------------------------------------------------------


def test_custom_roles_get_the_codes_e1_and_e2_and_come_after_the_catalogue(session, ws2):
    first = roles.add_custom_role(
        session, workshop_id=ws2.workshop_id, texts=texts("Den som följer upp efter avslut")
    )
    second = roles.add_custom_role(
        session,
        workshop_id=ws2.workshop_id,
        texts=texts("Den som tolkar", examples_sv="tolk\nkulturtolk"),
        tier="secondary",
        professional=True,
    )
    listed = roles.list_roles(session, ws2.workshop_id)
    assert [r.code for r in listed][-2:] == ["E1", "E2"]
    assert [r.id for r in listed][-2:] == [first, second]
    assert listed[-1].catalogue_code is None and listed[-1].examples_sv == "tolk\nkulturtolk"


def test_a_custom_role_may_not_repeat_a_name(session, ws2):
    name = roles.get_role(session, ws2.workshop_id, ws2.roles["3"]).name_sv
    with pytest.raises(WorkshopError) as refused:
        roles.add_custom_role(session, workshop_id=ws2.workshop_id, texts=texts(name.upper()))
    assert refused.value.key == "error.role_exists"


def test_the_optional_role_starts_left_out(session, ws2):
    assert roles.get_role(session, ws2.workshop_id, ws2.roles["F"]).included is False
    assert roles.get_role(session, ws2.workshop_id, ws2.roles["1"]).included is True


def test_an_edit_keeps_the_old_wording_and_restoring_it_keeps_the_edit(session, ws2):
    rid = ws2.roles["4"]
    before = roles.get_role(session, ws2.workshop_id, rid).name_sv
    roles.update_role(
        session,
        workshop_id=ws2.workshop_id,
        role_id=rid,
        texts=texts("Den som tar emot och bedömer", does_sv="Tar emot oro"),
    )
    assert roles.get_role(session, ws2.workshop_id, rid).name_sv == "Den som tar emot och bedömer"
    [old] = roles.revisions(session, workshop_id=ws2.workshop_id, role_id=rid)
    assert (old.name_sv, old.reason) == (before, "edited")

    roles.restore_revision(session, workshop_id=ws2.workshop_id, revision_id=old.id)
    assert roles.get_role(session, ws2.workshop_id, rid).name_sv == before
    newest = roles.revisions(session, workshop_id=ws2.workshop_id, role_id=rid)[0]
    assert newest.name_sv == "Den som tar emot och bedömer"


def test_an_unchanged_edit_keeps_no_revision(session, ws2):
    role = roles.get_role(session, ws2.workshop_id, ws2.roles["2"])
    same = texts(
        role.name_sv,
        name_en=role.name_en,
        does_sv=role.does_sv,
        does_en=role.does_en,
        examples_sv=role.examples_sv,
        examples_en=role.examples_en,
    )
    roles.update_role(session, workshop_id=ws2.workshop_id, role_id=role.id, texts=same)
    assert roles.revisions(session, workshop_id=ws2.workshop_id, role_id=role.id) == []


def test_a_placed_role_cannot_be_left_out(session, ws2):
    pid = joined(session, ws2, "BUP")
    placing.place_role(
        session,
        participant_id=pid,
        role_id=ws2.roles["5"],
        stage_id=ws2.stages[2],
        client_id="place-5",
    )
    with pytest.raises(WorkshopError) as refused:
        roles.set_included(
            session, workshop_id=ws2.workshop_id, role_id=ws2.roles["5"], included=False
        )
    assert refused.value.key == "error.role_is_placed"
    assert roles.get_role(session, ws2.workshop_id, ws2.roles["5"]).included is True


def test_an_unplaced_role_is_left_out_and_taken_in_again(session, ws2):
    rid = ws2.roles["12"]
    roles.set_included(session, workshop_id=ws2.workshop_id, role_id=rid, included=False)
    assert rid not in {r.id for r in roles.list_roles(session, ws2.workshop_id, included_only=True)}
    roles.set_included(session, workshop_id=ws2.workshop_id, role_id=rid, included=True)
    assert roles.get_role(session, ws2.workshop_id, rid).included is True


def test_a_role_of_another_workshop_is_not_found(session, ws2, demo):
    with pytest.raises(WorkshopError) as refused:
        roles.get_role(session, demo.workshop_id, ws2.roles["1"])
    assert refused.value.key == "error.role_not_found"


# --- Validation ------------------------------------------------------------------------------


def test_validation_statements_are_created_once_per_included_role(session, ws2):
    included = roles.list_roles(session, ws2.workshop_id, included_only=True)
    assert roles.create_validation_statements(session, workshop_id=ws2.workshop_id) == len(included)
    assert roles.create_validation_statements(session, workshop_id=ws2.workshop_id) == 0

    roles.set_included(session, workshop_id=ws2.workshop_id, role_id=ws2.roles["F"], included=True)
    assert roles.create_validation_statements(session, workshop_id=ws2.workshop_id) == 1
    statements = validation(session, ws2)
    assert len(statements) == len(included) + 1
    assert {s.topic for s in statements.values()} == {"role"}
    assert all(s.organisation_id is None for s in statements.values())


def test_votes_with_comments_reach_the_outcome_without_who_gave_them(session, ws2):
    statements = validation(session, ws2)
    sid = statements["7"].id
    voting.open_statements(session, workshop_id=ws2.workshop_id, statement_ids=[sid])
    first, second, third = (
        joined(session, ws2, org) for org in ("BUP", "Elevhälsa", "Socialtjänst")
    )
    answer(session, first, sid, "yes")
    answer(session, second, sid, "no", comment="Skolan kallar till SIP mer sällan än så")
    answer(session, third, sid, "discuss", comment="Överlappar roll 8")

    outcome = outcome_of(session, ws2, "7")
    assert (outcome.tally.yes, outcome.tally.no, outcome.tally.discuss) == (1, 1, 1)
    assert outcome.comments == (
        ("no", "Skolan kallar till SIP mer sällan än så"),
        ("discuss", "Överlappar roll 8"),
    )
    assert outcome.needs_attention
    shown = repr(outcome)
    for pid in (first, second, third):
        assert f"participant_id={pid}" not in shown
    assert "Anna" not in shown


def test_a_clear_yes_needs_no_attention_and_a_role_nobody_answered_neither(session, ws2):
    statements = validation(session, ws2)
    sid = statements["1"].id
    voting.open_statements(session, workshop_id=ws2.workshop_id, statement_ids=[sid])
    for org in ("BUP", "Elevhälsa", "Socialtjänst"):
        answer(session, joined(session, ws2, org), sid, "yes")
    assert not outcome_of(session, ws2, "1").needs_attention
    assert not outcome_of(session, ws2, "2").needs_attention
    assert outcome_of(session, ws2, "2").tally.total == 0


def test_below_the_anonymity_threshold_the_flag_reads_nothing_from_the_answers(session, ws2):
    """One No without a comment (threshold 3): flagging it would say how that one answered."""
    statements = validation(session, ws2)
    quiet, commented = statements["4"].id, statements["5"].id
    voting.open_statements(
        session, workshop_id=ws2.workshop_id, statement_ids=[quiet, commented], exclusive=False
    )
    answer(session, joined(session, ws2, "BUP"), quiet, "no")
    answer(session, joined(session, ws2, "Elevhälsa"), commented, "yes", comment="Heter annat")
    assert session.get(Workshop, ws2.workshop_id).anonymity_threshold == 3
    assert not outcome_of(session, ws2, "4").needs_attention
    assert outcome_of(session, ws2, "5").needs_attention  # its comment is shown anyway

    session.get(Workshop, ws2.workshop_id).anonymity_threshold = 1
    session.commit()
    assert outcome_of(session, ws2, "4").needs_attention


def test_the_report_and_the_data_table_show_the_comments_in_the_one_order(session, ws2):
    sid = validation(session, ws2)["7"].id
    voting.open_statements(session, workshop_id=ws2.workshop_id, statement_ids=[sid])
    # written in an order, and with answers, that any other rule would give away
    for org, choice, comment in (
        ("BUP", "yes", "Saknar skolan"),
        ("Elevhälsa", "no", "bra namn"),
        ("Socialtjänst", "discuss", "Överlappar roll 8"),
        ("BUP", "no", "överlappar roll 9"),
    ):
        answer(session, joined(session, ws2, org), sid, choice, comment=comment)

    expected = ("bra namn", "Saknar skolan", "Överlappar roll 8", "överlappar roll 9")
    assert outcome_of(session, ws2, "7").comment_texts == expected
    report = build_report(session, ws2.workshop_id)
    assert next(r for r in report["roles"] if r["code"] == "7")["comments"] == list(expected)
    table = workshop_tables(session, ws2.workshop_id).get("role_comments")
    assert tuple(row[2] for row in table.rows if row[0] == "7") == expected


def test_a_changed_vote_replaces_its_comment(session, ws2):
    sid = validation(session, ws2)["3"].id
    voting.open_statements(session, workshop_id=ws2.workshop_id, statement_ids=[sid])
    pid = joined(session, ws2, "BUP")
    answer(session, pid, sid, "no", comment="Första tanken")
    answer(session, pid, sid, "no", comment="Andra tanken")
    assert outcome_of(session, ws2, "3").comments == (("no", "Andra tanken"),)


def test_a_rewording_keeps_the_old_wording_as_a_revision(session, ws2):
    statements = validation(session, ws2)
    rid = ws2.roles["8"]
    before = roles.get_role(session, ws2.workshop_id, rid)
    old_name, examples = before.name_sv, before.examples_sv
    roles.record_validation(
        session,
        workshop_id=ws2.workshop_id,
        role_id=rid,
        outcome="reworded",
        note="Gruppen ville ha med övergångar",
        texts=texts(
            "Den som samordnar plan, övergångar och kontinuitet",
            does_sv=before.does_sv,
            examples_sv=examples,
        ),
    )
    role = roles.get_role(session, ws2.workshop_id, rid)
    assert role.name_sv == "Den som samordnar plan, övergångar och kontinuitet"
    assert role.examples_sv == examples
    [kept] = roles.revisions(session, workshop_id=ws2.workshop_id, role_id=rid)
    assert (kept.name_sv, kept.reason, kept.statement_id) == (
        old_name,
        "validation",
        statements["8"].id,
    )
    outcome = outcome_of(session, ws2, "8")
    assert (outcome.outcome, outcome.note, outcome.revised) == (
        "reworded",
        "Gruppen ville ha med övergångar",
        True,
    )


def test_a_rewording_to_the_same_words_is_refused(session, ws2):
    validation(session, ws2)
    role = roles.get_role(session, ws2.workshop_id, ws2.roles["6"])
    same = texts(role.name_sv, name_en=role.name_en, does_sv=role.does_sv, does_en=role.does_en)
    with pytest.raises(WorkshopError) as refused:
        roles.record_validation(
            session, workshop_id=ws2.workshop_id, role_id=role.id, outcome="reworded", texts=same
        )
    assert refused.value.key == "error.rewording_unchanged"
    assert session.scalars(select(RoleRevision)).all() == []


def test_agreed_parked_and_action_keep_the_wording(session, ws2):
    validation(session, ws2)
    for code, outcome in (("9", "agreed"), ("10", "parked"), ("11", "action")):
        roles.record_validation(
            session, workshop_id=ws2.workshop_id, role_id=ws2.roles[code], outcome=outcome
        )
        assert outcome_of(session, ws2, code).outcome == outcome
    assert session.scalars(select(RoleRevision)).all() == []
    with pytest.raises(WorkshopError):
        roles.record_validation(
            session, workshop_id=ws2.workshop_id, role_id=ws2.roles["9"], outcome="maybe"
        )


def test_a_comment_flags_a_role_whatever_answer_it_came_with(session, ws2):
    """Yes 4 · No 1 is a clear yes; were only a No's comment to flag the role, the flag would
    tell how the one who commented answered. Any comment flags it."""
    sid = validation(session, ws2)["1"].id
    voting.open_statements(session, workshop_id=ws2.workshop_id, statement_ids=[sid])
    for org in ("BUP", "Elevhälsa", "Socialtjänst", "BUP"):
        answer(session, joined(session, ws2, org), sid, "yes")
    answer(session, joined(session, ws2, "Elevhälsa"), sid, "no")
    assert not outcome_of(session, ws2, "1").needs_attention
    commenter = joined(session, ws2, "Socialtjänst")
    answer(session, commenter, sid, "yes", comment="Stämmer för oss")
    assert outcome_of(session, ws2, "1").needs_attention  # with a Yes, as with a No
