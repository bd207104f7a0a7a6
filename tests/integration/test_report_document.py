"""The report document against a known workshop: attendance, WS1 results, withheld answers,
discussion notes and accepted verification notes."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from reports.document import build_report, changed_items, iter_items
from reports.models import VerificationLink, VerificationNote
from reports.render import render_report_html
from tests.conftest import Demo
from workshops import results, services, voting


def answer(session, demo: Demo, sid: int, votes: list[tuple[str, str]]) -> None:
    voting.open_statements(session, workshop_id=demo.workshop_id, statement_ids=[sid])
    for i, (org, choice) in enumerate(votes):
        joined = voting.join(
            session, workshop_id=demo.workshop_id, organisation_id=demo.orgs[org], display_name=None
        )
        voting.cast_vote(
            session,
            participant_id=joined.participant_id,
            statement_id=sid,
            choice=choice,
            ballot_id=f"ballot-{sid}-{i:04d}",
        )
    voting.close_statement(session, workshop_id=demo.workshop_id, statement_id=sid)


@pytest.fixture
def held(session, demo: Demo) -> Demo:
    return hold(session, demo)


def hold(session, demo: Demo) -> Demo:
    """Own description answered by 3 BUP (yes) and 1 Elevhälsa (no); "Stödsamtal" answered No
    by three from Habilitering; "Utredning" by only two."""
    answer(session, demo, demo.own[0], [("BUP", "yes")] * 3 + [("Elevhälsa", "no")])
    answer(session, demo, demo.others[0], [("Habilitering", "no")] * 3)
    answer(session, demo, demo.others[1], [("Habilitering", "yes")] * 2)
    results.record_discussion(
        session,
        workshop_id=demo.workshop_id,
        statement_id=demo.others[0],
        note="Habiliteringen ger inte stödsamtal vid psykisk ohälsa i övrigt.",
        outcome="action",
    )
    return demo


def items(document):
    return {item["key"]: item for item in iter_items(document)}


def test_the_report_counts_who_came_by_organisation_and_principal(session, held):
    attendance = build_report(session, held.workshop_id)["attendance"]
    assert attendance["participants"] == 9
    assert {o["name"]: o["participants"] for o in attendance["organisations"]} == {
        "BUP": 3,
        "Elevhälsa": 1,
        "Habilitering": 5,
    }
    assert attendance["principals"] == {"municipality": 1, "region": 8}


def test_the_report_shows_the_expectation_gap_and_the_discussion_note(session, held):
    document = build_report(session, held.workshop_id, today=dt.date(2026, 11, 23))
    ws1 = document["ws1"]
    assert [g["text"] for g in ws1["gaps"]] == ["Stödsamtal"]
    assert ws1["discussion"][0]["text"].startswith("Habiliteringen ger inte stödsamtal")
    assert ws1["discussion"][0]["outcome"] == "action"
    assert document["generated"] == "2026-11-23"
    assert document["honesty"]["sv"].startswith("Analysen beskriver kartan")


def test_the_discussion_list_puts_the_most_raised_first_and_counts_only_what_may_show(
    app, session, demo
):
    answer(session, demo, demo.own[0], [("BUP", "yes"), ("BUP", "yes"), ("Elevhälsa", "discuss")])
    answer(session, demo, demo.own[1], [("BUP", "discuss")] * 3 + [("Elevhälsa", "yes")])
    # raised by both who answered, but two are fewer than the threshold (3): being raised does
    # not list it (it would say how they answered); a note or an outcome does, without a count
    answer(session, demo, demo.others[1], [("Habilitering", "discuss")] * 2)
    discussion = build_report(session, demo.workshop_id)["ws1"]["discussion"]
    assert [(d["key"], d["raised"]) for d in discussion] == [
        (f"discussion:{demo.own[1]}", 3),
        (f"discussion:{demo.own[0]}", 1),
    ]
    # nobody raised it; the facilitator noted something about it all the same. Listed with the
    # uncounted in one running order
    for sid in (demo.others[1], demo.others[0]):
        results.record_discussion(
            session,
            workshop_id=demo.workshop_id,
            statement_id=sid,
            note="Tas upp i maj.",
            outcome=None,
        )
    discussion = build_report(session, demo.workshop_id)["ws1"]["discussion"]
    assert [(d["key"], d["raised"]) for d in discussion] == [
        (f"discussion:{demo.own[1]}", 3),
        (f"discussion:{demo.own[0]}", 1),
        (f"discussion:{demo.others[0]}", None),
        (f"discussion:{demo.others[1]}", None),
    ]
    with app.test_request_context():
        page = render_report_html(build_report(session, demo.workshop_id), lang="sv", diagram=None)
    assert '<span class="raised">3 ville lyfta</span>' in page
    assert page.count('class="raised"') == 2
    assert "Det som flest ville lyfta står först." in page
    # a version published before the list was ordered so does not say it is
    older = build_report(session, demo.workshop_id)
    for point in older["ws1"]["discussion"]:
        del point["raised"]
    with app.test_request_context():
        page = render_report_html(older, lang="sv", diagram=None)
    assert "Det som flest ville lyfta" not in page and 'class="raised"' not in page


def test_a_hidden_statement_is_left_out_of_the_report_with_its_gap_and_note(app, session, held):
    """A hidden statement is no item, so a later version could not hold its distribution: were
    it still in the gaps and the agreement, two versions could be compared into a late answer."""
    services.set_hidden(
        session, workshop_id=held.workshop_id, statement_id=held.others[0], hidden=True
    )
    document = build_report(session, held.workshop_id)
    assert document["ws1"]["gaps"] == [] and document["ws1"]["discussion"] == []
    assert f"statement:{held.others[0]}" not in items(document)
    with app.test_request_context():
        page = render_report_html(document, lang="sv", diagram=None)
    assert "Stödsamtal" not in page and "Habiliteringen ger inte" not in page


def test_answers_from_fewer_than_the_threshold_are_counted_but_never_shown(session, held):
    document = build_report(session, held.workshop_id)
    by_key = items(document)
    utredning = by_key[f"statement:{held.others[1]}"]
    assert (utredning["answers"], utredning["withheld"], utredning["tally"]) == (2, True, None)
    assert document["ws1"]["withheld"] == 1
    own = by_key[f"statement:{held.own[0]}"]
    assert own["tally"] == {"yes": 3, "no": 1, "discuss": 0, "total": 4}
    cells = {c["organisation"]: c for c in own["breakdown"]}
    assert cells["Elevhälsa"] == {"organisation": "Elevhälsa", "tally": None, "withheld": "few"}
    # else Elevhälsa's one answer = total − BUP's; and the reason is not "too few"
    assert cells["BUP"] == {"organisation": "BUP", "tally": None, "withheld": "protects"}


def test_an_accepted_correction_stands_beside_the_wording_people_answered(app, session, held):
    link = VerificationLink(
        workshop_id=held.workshop_id,
        organisation_id=held.orgs["Habilitering"],
        token_hash="x" * 64,
        expires_at=dt.datetime(2030, 1, 1),
    )
    session.add(link)
    session.flush()
    key = f"statement:{held.others[0]}"
    for state, kind, text in [
        ("accepted", "correction", "Stödsamtal vid funktionsnedsättning"),
        ("rejected", "correction", "Något annat"),
        ("accepted", "comment", "Gäller bara barn med diagnos."),
    ]:
        session.add(
            VerificationNote(
                workshop_id=held.workshop_id,
                link_id=link.id,
                version_number=1,
                item_key=key,
                kind=kind,
                text="motivering" if kind == "correction" else text,
                proposed_text=text if kind == "correction" else None,
                state=state,
                decided_at=dt.datetime(2026, 11, 23),
            )
        )
    session.commit()
    before = build_report(session, held.workshop_id)
    item = items(before)[key]
    # the answers are to "Stödsamtal": the text stays, the correction stands beside it
    assert item["answers"] > 0
    assert item["text"] == "Stödsamtal"
    assert item["corrected_to"] == "Stödsamtal vid funktionsnedsättning"
    assert "corrected_from" not in item
    assert item["remarks"] == [
        {"organisation": "Habilitering", "text": "Gäller bara barn med diagnos.", "response": None}
    ]
    with app.test_request_context():
        page = " ".join(render_report_html(before, lang="sv", diagram=None).split())
    assert (
        "Rättelse från Habilitering, godtagen efter verifiering. Svaren ovan gäller lydelsen som"
        " deltagarna såg, inte rättelsen: <ins>Stödsamtal vid funktionsnedsättning</ins>"
    ) in page
    # the version before the correction differs in that item only
    uncorrected = copy.deepcopy(before)
    del items(uncorrected)[key]["corrected_to"]
    assert changed_items(uncorrected, before) == {key: "changed"}


def test_a_version_stored_by_an_older_brygga_is_not_all_changed_against_a_new_one(session, held):
    """Versions stored before the withheld cells gave their reason (``True``) and before
    ``reworded_as``: comparing them with a new version marks nothing that did not change."""
    new = build_report(session, held.workshop_id)
    old = copy.deepcopy(new)
    for item in iter_items(old):
        item.pop("reworded_as", None)
        item.pop("raised", None)  # discussion points said how many raised them only later
        for cell in item.get("breakdown", []):
            cell["withheld"] = cell["tally"] is None
    assert old != new
    assert changed_items(old, new) == {}


def test_a_workshop_without_answers_still_gives_a_report(session, demo):
    document = build_report(session, demo.workshop_id)
    assert document["attendance"]["participants"] == 0
    assert document["ws1"]["gaps"] == [] and document["journey"] is None
    assert all(i["tally"] is None for i in iter_items(document) if "tally" in i)


def test_a_ws2_report_has_the_map_its_figures_and_its_findings(session, ws2):
    document = build_report(session, ws2.workshop_id)
    journey = document["journey"]
    assert journey["map"]["format"] == "brygga.journey/1"
    assert journey["figures"]["forward_transitions"] > 0
    assert journey["findings"] and all(f["key"].startswith("finding:") for f in journey["findings"])


def test_a_map_whose_stages_were_all_removed_has_no_journey_section(session, ws2):
    from journey_maps import stages as journey_stages

    for stage in journey_stages.stages(session, ws2.workshop_id):
        journey_stages.remove_stage(session, workshop_id=ws2.workshop_id, stage_id=stage.id)
    assert build_report(session, ws2.workshop_id)["journey"] is None


def test_a_reworded_statement_keeps_its_answers_in_the_report_with_the_new_wording_after_it(
    app, session, held
):
    """The answers that led to a rewording are what a verifier needs to judge it: the old
    wording stays in its organisation's section with them, the new wording (voted again)
    right after it."""
    new_id = results.record_discussion(
        session,
        workshop_id=held.workshop_id,
        statement_id=held.own[0],
        note="Åldersgränsen är oklar",
        outcome="reworded",
        new_text="Barn och unga 0–18 år, i vissa fall till 21",
    )
    document = build_report(session, held.workshop_id)
    [hab] = [o for o in document["ws1"]["organisations"] if o["name"] == "Habilitering"]
    old, new = hab["own"][0], hab["own"][1]
    assert old["key"] == f"statement:{held.own[0]}" and new["key"] == f"statement:{new_id}"
    assert old["tally"] == {"yes": 3, "no": 1, "discuss": 0, "total": 4}
    assert old["reworded_as"] == "Barn och unga 0–18 år, i vissa fall till 21"
    assert new["answers"] == 0 and new["reworded_as"] is None
    with app.test_request_context():
        page = " ".join(render_report_html(document, lang="sv", diagram=None).split())
    assert "Omformulerat i diskussionen; svaren ovan gäller den här lydelsen." in page


def test_a_version_stored_under_an_older_rule_is_checked_again_before_it_is_shown(
    app, session, held
):
    """A published version is frozen JSON: one stored before the subtraction rule may show a
    cell that gives a smaller group away. It is withheld when the version is rendered."""
    document = build_report(session, held.workshop_id)
    [hab] = [o for o in document["ws1"]["organisations"] if o["name"] == "Habilitering"]
    own = hab["own"][0]  # Yes 3 · No 1: BUP's 3 Yes and Elevhälsa's one No
    bup = next(c for c in own["breakdown"] if c["organisation"] == "BUP")
    bup.update(tally={"yes": 3, "no": 0, "discuss": 0, "total": 3}, withheld=False)  # as stored
    with app.test_request_context():
        page = " ".join(render_report_html(document, lang="sv", diagram=None).split())
    assert "Yes 3 · No 0 · Let&#39;s discuss 0" not in page
    assert 'BUP</th><td><span class="withheld">redovisas inte, så att' in page
    assert bup["tally"] is not None  # the stored document itself is left as it was
