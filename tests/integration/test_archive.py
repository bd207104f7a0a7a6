"""The workshop archive: export → import → export is identical, an import into a fresh database
gives the same results, and a broken file is refused whole with every problem listed."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from db import session_scope
from journey_maps import placing, stages, triage
from journey_maps.analysis import gap_report
from journey_maps.board import board_state, journey_document
from journey_maps.format import parse_journey
from journey_maps.model import MODE_LIMIT
from journey_maps.report import report_to_dict
from reports.archive import ArchiveError, export_workshop, import_workshop
from reports.tables import workshop_tables
from roles import services as role_services
from tests.conftest import Demo, Ws2
from workshops import results, services, voting
from workshops.domain import Withheld
from workshops.models import (
    Organisation,
    Participant,
    Statement,
    StatementProposal,
    SurveyAnswer,
    Vote,
    Workshop,
)

NOW = dt.datetime(2026, 5, 4, 12, 0)
TODAY = dt.date(2026, 5, 4)


def join(session: Session, workshop_id: int, organisation_id: int, name: str | None = None) -> int:
    return voting.join(
        session, workshop_id=workshop_id, organisation_id=organisation_id, display_name=name
    ).participant_id


def answer(
    session: Session,
    workshop_id: int,
    statement_id: int,
    votes: list[tuple[int, str]],
    *,
    comments: dict[int, str] | None = None,
) -> None:
    """Open a statement, let each (participant, choice) vote, close it; a choice may be
    written y, n or d."""
    voting.open_statements(session, workshop_id=workshop_id, statement_ids=[statement_id])
    for n, (pid, choice) in enumerate(votes):
        choice = {"y": "yes", "n": "no", "d": "discuss"}.get(choice, choice)
        voting.cast_vote(
            session,
            participant_id=pid,
            statement_id=statement_id,
            choice=choice,
            ballot_id=f"ballot-{statement_id}-{pid}-{n}",
            comment=(comments or {}).get(pid),
        )
    voting.close_statement(session, workshop_id=workshop_id, statement_id=statement_id)


def held_ws1(session: Session, demo: Demo) -> dict[str, list[int]]:
    """The demo workshop after the workshop: 3 BUP, 2 Elevhälsa and 3 Habilitering answered;
    one statement reworded and answered again, one only by two people (withheld), a survey
    answer, proposals, a hidden statement. Returns the participants per organisation."""
    wid, orgs = demo.workshop_id, demo.orgs
    people = {
        "BUP": [join(session, wid, orgs["BUP"], f"Bo {i}") for i in range(3)],
        "Elevhälsa": [join(session, wid, orgs["Elevhälsa"], f"Eva {i}") for i in range(2)],
        "Habilitering": [join(session, wid, orgs["Habilitering"]) for _ in range(3)],
    }
    others = people["BUP"] + people["Elevhälsa"]
    answer(session, wid, demo.own[0], list(zip(others, "yyyyn", strict=True)))
    answer(session, wid, demo.own[1], list(zip(others, "ynddd", strict=True)))
    hab = people["Habilitering"]
    answer(session, wid, demo.others[0], list(zip(hab, ["no", "no", "discuss"], strict=True)))
    # only two answered: the distribution is withheld everywhere
    answer(session, wid, demo.others[1], list(zip(hab[:2], ["yes", "discuss"], strict=True)))
    new_id = results.record_discussion(
        session,
        workshop_id=wid,
        statement_id=demo.own[1],
        note="Autism utan IF: bara t.o.m. 6 år",
        outcome="reworded",
        new_text="Barn med enbart autism upp till och med 6 år",
    )
    assert new_id is not None
    answer(session, wid, new_id, list(zip(others, "yyyyd", strict=True)))
    results.record_discussion(
        session, workshop_id=wid, statement_id=demo.others[0], note="Egen åtgärd", outcome="action"
    )
    hidden = services.add_statements(
        session,
        workshop_id=wid,
        organisation_id=orgs["BUP"],
        topic="mandate",
        perspective="own",
        texts=["Dold"],
    )
    services.set_hidden(session, workshop_id=wid, statement_id=hidden[0], hidden=True)
    session.add_all(
        [
            SurveyAnswer(statement_id=demo.own[0], participant_id=others[0], choice="no"),
            SurveyAnswer(statement_id=demo.own[0], participant_id=others[3], choice="yes"),
            StatementProposal(
                workshop_id=wid,
                organisation_id=orgs["Habilitering"],
                proposer_organisation_id=orgs["BUP"],
                participant_id=others[0],
                topic="mandate",
                text="Samtal med föräldrar",
                client_id="proposal-1",
            ),
        ]
    )
    session.commit()
    return people


def held_ws2(session: Session, ws2: Ws2) -> None:
    """The WS2 workshop after the workshop: placements, handoffs, an owner, reactions,
    verdicts on findings, and role validation with comments and a rewording."""
    wid, s = ws2.workshop_id, ws2.stages
    bup = [join(session, wid, ws2.orgs["BUP"]) for _ in range(3)]
    school = [join(session, wid, ws2.orgs["Elevhälsa"]) for _ in range(2)]
    social = join(session, wid, ws2.orgs["Socialtjänst"])
    placed = []
    for n, (pid, role, stage, org, needs) in enumerate(
        [
            (school[0], "3", 0, "Elevhälsa", "snabb konsultation"),
            (school[0], "3", 1, "Elevhälsa", None),
            (bup[0], "4", 2, "BUP", None),
            (bup[1], "7", 1, "BUP", None),
            (social, "5B", 3, "Socialtjänst", None),
        ]
    ):
        placed.append(
            placing.place_role(
                session,
                participant_id=pid,
                role_id=ws2.roles[role],
                stage_id=s[stage],
                client_id=f"archive-p{n}",
                organisation_id=ws2.orgs[org],
                needs=needs,
                obstacles="väntetid" if needs else None,
            ).id
        )
    placing.place_role(
        session,
        participant_id=school[1],
        role_id=ws2.roles["1"],
        stage_id=s[0],
        client_id="archive-person",
    )
    placing.record_handoff(
        session,
        participant_id=bup[0],
        transition_id=ws2.transitions[(s[1], s[2])],
        from_role_id=ws2.roles["3"],
        to_role_id=ws2.roles["4"],
        client_id="archive-h1",
        mode="referral",
        acknowledged=True,
        notes="ring först",
    )
    stages.set_owners(
        session,
        workshop_id=wid,
        transition_id=ws2.transitions[(s[1], s[2])],
        role_ids=[ws2.roles["7"], ws2.roles["4"]],
    )
    for pid, kind in ((bup[2], "agree"), (school[1], "dispute"), (bup[1], "agree")):
        placing.react(session, participant_id=pid, placement_id=placed[0], kind=kind)
    report = gap_report(parse_journey(journey_document(session, wid)))
    first, second = report.findings[0].fingerprint, report.findings[1].fingerprint
    triage.set_triage(session, workshop_id=wid, fingerprint=first, status="confirmed")
    triage.set_triage(
        session, workshop_id=wid, fingerprint=second, status="dismissed", reason="Finns i SIP"
    )
    role_services.create_validation_statements(session, workshop_id=wid)
    role_statements = {
        st.role_id: st.id
        for st in session.scalars(select(Statement).where(Statement.workshop_id == wid))
    }
    everyone = [*bup, *school, social]
    answer(
        session,
        wid,
        role_statements[ws2.roles["4"]],
        list(zip(everyone, "yynnyd", strict=True)),
        comments={bup[2]: "Skolan bedömer också", school[0]: "Saknar EVI", bup[0]: "Bra"},
    )
    answer(
        session, wid, role_statements[ws2.roles["7"]], list(zip(everyone[:2], "yy", strict=True))
    )
    role_services.record_validation(
        session,
        workshop_id=wid,
        role_id=ws2.roles["4"],
        outcome="reworded",
        note="Lägg till elevhälsan",
        texts=role_services.clean_texts(
            name_sv="Den som bedömer och styr vidare", does_sv="Tar emot och bedömer"
        ),
    )


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Flask]:
    """A second installation: its own, empty database."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "other-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
            "DATABASE_SCHEMA": "create_all",
            "SOCKETIO_ASYNC_MODE": "threading",
        }
    )
    yield other
    other.extensions["db.engine"].dispose()


def move(app: Flask, wid: int, fresh: Flask) -> tuple[dict[str, Any], int]:
    """Export from ``app``, import into ``fresh``; the document and the new workshop's id."""
    with session_scope(app) as session:
        document = export_workshop(session, wid, now=NOW)
    with session_scope(fresh) as session:
        return document, import_workshop(session, copy.deepcopy(document))


def without_ids(data: Any) -> Any:
    """Results as plain data with the database's row ids taken out."""
    if isinstance(data, dict):
        return {k: without_ids(v) for k, v in data.items() if k not in ("id", "replaced_by")}
    if isinstance(data, list):
        return [without_ids(v) for v in data]
    return data


def ws1_results(session: Session, wid: int) -> dict[str, Any]:
    texts = {s.id: s.text for s in session.scalars(select(Statement))}
    computed = results.workshop_results(session, wid)
    ids = [r.id for r in results.statement_results(session, wid)]
    breakdown = results.organisation_breakdown(session, ids, computed.threshold)
    return {
        "results": without_ids(results.results_as_dict(computed)),
        "replaced": sorted((texts[a], texts[b]) for a, b in computed.superseded.items()),
        "breakdown": [(texts[sid], breakdown[sid]) for sid in ids],
        "tables": workshop_tables(session, wid, today=TODAY),
    }


def renumbered(document: dict[str, Any]) -> dict[str, Any]:
    """A journey document with stage ids by position (s1, s2, ...) and no row ids."""
    names = {s["id"]: f"s{i}" for i, s in enumerate(document["stages"], start=1)}
    return {
        **document,
        "stages": [s | {"id": names[s["id"]]} for s in document["stages"]],
        "transitions": [
            t | {"from": names[t["from"]], "to": names[t["to"]]} for t in document["transitions"]
        ],
        "placements": [
            {k: v for k, v in p.items() if k != "id"} | {"stage": names[p["stage"]]}
            for p in document["placements"]
        ],
        "handoffs": [
            {k: v for k, v in h.items() if k != "id"}
            | {"from_stage": names[h["from_stage"]], "to_stage": names[h["to_stage"]]}
            for h in document["handoffs"]
        ],
        "owners": [
            o | {"from": names[o["from"]], "to": names[o["to"]]} for o in document["owners"]
        ],
    }


def ws2_results(session: Session, wid: int) -> dict[str, Any]:
    document = renumbered(journey_document(session, wid))
    board = board_state(session, wid)
    return {
        "outcomes": [
            (
                o.role["code"],
                o.role["name"],
                o.state,
                o.tally,
                o.comments,
                o.outcome,
                o.note,
                o.revised,
            )
            for o in role_services.validation_outcomes(session, workshop_id=wid)
        ],
        "map": document,
        "analysis": report_to_dict(gap_report(parse_journey(document))),
        "verdicts": sorted(
            (f["message"], f["triage"]) for f in board["analysis"]["findings"] if f["triage"]
        ),
        "reactions": sorted(
            (p["needs"] or "", p["agree"], p["dispute"]) for p in board["placements"]
        ),
        "tables": workshop_tables(session, wid, today=TODAY),
    }


def counts(app: Flask) -> tuple[int, ...]:
    with session_scope(app) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Workshop, Organisation, Participant, Statement, Vote)
        )


# --- Round trips -------------------------------------------------------------------------------


def test_export_import_export_of_a_ws1_workshop_with_votes_is_identical(
    app: Flask, demo: Demo
) -> None:
    with session_scope(app) as session:
        held_ws1(session, demo)
        first = export_workshop(session, demo.workshop_id, now=NOW)
        copy_id = import_workshop(session, copy.deepcopy(first))
        second = export_workshop(session, copy_id, now=NOW)
        assert copy_id != demo.workshop_id
        assert second == first
        assert services.get_workshop(session, copy_id).join_code != demo.code


def test_export_import_export_of_a_ws2_workshop_is_identical(app: Flask, ws2: Ws2) -> None:
    with session_scope(app) as session:
        held_ws2(session, ws2)
        first = export_workshop(session, ws2.workshop_id, now=NOW)
        second = export_workshop(session, import_workshop(session, copy.deepcopy(first)), now=NOW)
    assert second == first
    assert first["journey"]["triage"] and first["journey"]["reactions"]
    assert [r["code"] for r in first["roles"] if r["revisions"]] == ["4"]


def test_two_exports_differ_only_in_the_export_time(app: Flask, demo: Demo) -> None:
    with session_scope(app) as session:
        held_ws1(session, demo)
        early = export_workshop(session, demo.workshop_id, now=NOW)
        later = export_workshop(session, demo.workshop_id, now=NOW + dt.timedelta(hours=1))
    assert {k for k in early if early[k] != later[k]} == {"exported_at"}


def test_a_ws1_workshop_imported_into_a_fresh_database_gives_the_same_results(
    app: Flask, demo: Demo, fresh: Flask
) -> None:
    with session_scope(app) as session:
        held_ws1(session, demo)
        before = ws1_results(session, demo.workshop_id)
    _document, new_id = move(app, demo.workshop_id, fresh)
    with session_scope(fresh) as session:
        after = ws1_results(session, new_id)
    assert after == before
    assert before["results"]["withheld"] and before["results"]["expectation_gaps"]
    assert any(Withheld.FEW in cells.values() for _text, cells in before["breakdown"])


def test_a_ws2_workshop_imported_into_a_fresh_database_gives_the_same_outcomes_and_analysis(
    app: Flask, ws2: Ws2, fresh: Flask
) -> None:
    with session_scope(app) as session:
        held_ws2(session, ws2)
        before = ws2_results(session, ws2.workshop_id)
    _document, new_id = move(app, ws2.workshop_id, fresh)
    with session_scope(fresh) as session:
        after = ws2_results(session, new_id)
    assert after == before
    assert len(before["verdicts"]) == 2
    assert ("snabb konsultation", 2, 1) in before["reactions"]


def test_the_placeholders_carry_answers_but_nobody_can_join_as_one(
    app: Flask, demo: Demo, fresh: Flask
) -> None:
    with session_scope(app) as session:
        held_ws1(session, demo)
    _document, new_id = move(app, demo.workshop_id, fresh)
    with session_scope(fresh) as session:
        people = list(session.scalars(select(Participant).where(Participant.workshop_id == new_id)))
        assert len(people) == 8
        assert all(p.display_name is None for p in people)
        assert len({p.token_hash for p in people}) == 8
        assert not any(
            voting.participant_for_token(session, guess) for guess in ("", "x", "import")
        )


def test_the_archive_names_nobody(app: Flask, demo: Demo) -> None:
    with session_scope(app) as session:
        held_ws1(session, demo)
        document = export_workshop(session, demo.workshop_id, now=NOW)
        hashes = list(session.scalars(select(Participant.token_hash)))
        ballots = list(session.scalars(select(Vote.ballot_id)))
    text = str(document)
    for secret in ("Bo 0", "Eva 1", demo.code, *hashes, *ballots):
        assert secret not in text


# --- Broken files ------------------------------------------------------------------------------


@pytest.fixture
def archive(app: Flask, demo: Demo) -> dict[str, Any]:
    with session_scope(app) as session:
        held_ws1(session, demo)
        return export_workshop(session, demo.workshop_id, now=NOW)


def refused(app: Flask, document: Any) -> list[str]:
    """Import ``document``, expect a refusal, check nothing was written; the messages."""
    before = counts(app)
    with session_scope(app) as session, pytest.raises(ArchiveError) as caught:
        import_workshop(session, document)
    assert counts(app) == before
    return caught.value.messages


def test_a_file_from_another_version_is_refused_with_one_clear_message(
    app: Flask, archive: dict[str, Any]
) -> None:
    assert refused(app, {**archive, "format": "brygga.workshop/2"}) == [
        "format must be 'brygga.workshop/1', got 'brygga.workshop/2' "
        "(a file from another version of Brygga)"
    ]
    assert "journey map" in refused(app, {"format": "brygga.journey/1"})[0]
    assert refused(app, [1, 2]) == ["the file must hold one JSON object"]


def test_broken_references_are_all_listed_and_nothing_is_written(
    app: Flask, archive: dict[str, Any]
) -> None:
    broken = copy.deepcopy(archive)
    broken["statements"][0]["organisation"] = "o9"
    broken["statements"][1]["answers"][0]["yes"] = 40
    broken["statements"][2]["previous"] = "st2"
    broken["statements"][1]["previous"] = "st3"
    broken["statements"][3]["comments"] = [{"choice": "no", "text": "Vem?"}] * 9
    broken["workshop"]["current_statement"] = "st99"
    broken["proposals"][0]["proposer"] = "o7"
    del broken["organisations"][0]["principal"]
    broken["organisations"][1]["colour"] = "blue"
    messages = refused(app, broken)
    expected = [
        "organisations[0]: missing key 'principal'",
        "organisations[1]: unknown key(s) colour",
        "workshop.current_statement: unknown statement 'st99'",
        "statements[0].organisation: unknown organisation 'o9'",
        "answers from 'o1', but only 3 took part for it",
        "statements[3].comments[2]: more comments with 'no' than answers 'no'",
        "goes round in a loop",
        "proposals[0].proposer: unknown organisation 'o7'",
    ]
    for part in expected:
        assert any(part in message for message in messages), (part, messages)


def test_a_broken_journey_is_refused_with_the_map_s_own_messages(app: Flask, ws2: Ws2) -> None:
    with session_scope(app) as session:
        held_ws2(session, ws2)
        document = export_workshop(session, ws2.workshop_id, now=NOW)
    journey = document["journey"]
    journey["map"]["placements"][0]["role"] = "99"
    journey["map"]["placements"][1]["organisation"] = "Okänd"
    journey["reactions"][0]["agree"] = 12
    journey["triage"][0]["fingerprint"] = "s42>s1:unbridged"
    messages = refused(app, document)
    assert any(m.startswith("journey.map: placements[0]: unknown role '99'") for m in messages)
    assert not any("Okänd" in m for m in messages)  # the map is checked first, alone
    journey["map"]["placements"][0]["role"] = "3"
    messages = refused(app, document)
    assert any("organisation 'Okänd' is not among 'organisations'" in m for m in messages)
    assert any("reactions from 'o1', but only 3 took part" in m for m in messages)
    assert any("names unknown stage(s) s42" in m for m in messages)


def test_a_mode_in_the_map_s_own_words_comes_through_whole_and_a_too_long_one_is_named(
    app: Flask, ws2: Ws2
) -> None:
    with session_scope(app) as session:
        held_ws2(session, ws2)
        document = export_workshop(session, ws2.workshop_id, now=NOW)
    handoffs = document["journey"]["map"]["handoffs"]
    handoffs[0]["mode"] = "följer med till besöket"
    with session_scope(app) as session:
        wid = import_workshop(session, copy.deepcopy(document))
        again = export_workshop(session, wid, now=NOW)
    assert again["journey"]["map"]["handoffs"][0]["mode"] == "följer med till besöket"
    handoffs[0]["mode"] = "x" * (MODE_LIMIT + 1)
    assert refused(app, document) == [
        f"journey.map: handoffs[0]: 'mode' is {MODE_LIMIT + 1} characters long, "
        f"at most {MODE_LIMIT} allowed"
    ]


def test_a_missing_section_or_wrong_kind_of_value_is_named_where_it_is(
    app: Flask, archive: dict[str, Any]
) -> None:
    broken = copy.deepcopy(archive)
    del broken["statements"]
    broken["workshop"]["anonymity_threshold"] = 0
    broken["workshop"]["kind"] = "ws3"
    broken["organisations"] = {"o1": "BUP"}
    messages = refused(app, broken)
    assert "missing key 'statements'" in messages[0]
    assert "organisations: must be a list" in messages
    assert "workshop.kind: 'ws3' is not one of ws1, ws2" in messages
    assert "workshop.anonymity_threshold: must be from 1 to 50, got 0" in messages
