"""Ballots written in batches (``voting.cast_votes`` behind ``workshops.group_commit``) follow
the rules of a single vote, on SQLite and on PostgreSQL when BRYGGA_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from db import session_scope
from tests.integration.test_concurrency import setup_room
from workshops import ballots, voting
from workshops.ballots import Ballot
from workshops.domain import WorkshopError
from workshops.group_commit import GroupCommit
from workshops.models import Organisation, Vote, VoteEvent


def outcome(result: voting.VoteResult | WorkshopError) -> str:
    if isinstance(result, WorkshopError):
        return result.key
    return f"{result.choice}{' (retried)' if result.retried else ''}"


def test_one_batch_judges_every_ballot_as_a_single_vote_would(db_app):
    wid, sid, [a, b] = setup_room(db_app, 2)
    with session_scope(db_app) as s:
        voting.cast_vote(s, participant_id=a, statement_id=sid, choice="no", ballot_id="b-old-0001")
        subject = s.scalar(
            select(Organisation.id).where(
                Organisation.workshop_id == wid, Organisation.name == "Subject"
            )
        )
        insider = voting.join(s, workshop_id=wid, organisation_id=subject, display_name=None)
        batch = [
            Ballot(a, sid, "yes", "b-old-0001"),  # seen before: a retry, keeps "no"
            Ballot(b, sid, "yes", "b-new-0001"),
            Ballot(b, sid, "discuss", "b-new-0002"),  # b changes its mind within the batch
            Ballot(b, sid, "discuss", "b-new-0002"),  # and the phone resent it
            Ballot(insider.participant_id, sid, "yes", "b-new-0003"),  # the subject itself
            Ballot(b, sid, "yes", "b-old-0001"),  # somebody else's ballot id
            Ballot(b, sid + 999, "yes", "b-new-0004"),  # no such statement
            Ballot(987654, sid, "yes", "b-new-0005"),  # no such participant
        ]
        results = [outcome(r) for r in voting.cast_votes(s, batch)]
    assert results == [
        "no (retried)",
        "yes",
        "discuss",
        "discuss (retried)",
        "error.not_eligible",
        "error.bad_ballot",
        "error.statement_not_found",
        "error.not_joined",
    ]
    with session_scope(db_app) as s:
        votes = dict(s.execute(select(Vote.participant_id, Vote.choice)).all())
        events = s.scalar(select(func.count()).select_from(VoteEvent))
    assert votes == {a: "no", b: "discuss"}
    assert events == 3  # the old one and b's two answers


def test_a_closed_statement_refuses_the_whole_batch(db_app):
    wid, sid, [a, b] = setup_room(db_app, 2)
    with session_scope(db_app) as s:
        voting.close_statement(s, workshop_id=wid, statement_id=sid)
        results = voting.cast_votes(
            s, [Ballot(a, sid, "yes", "b-late-001"), Ballot(b, sid, "no", "b-late-002")]
        )
    assert [outcome(r) for r in results] == ["error.statement_closed"] * 2


def test_a_ballot_stored_meanwhile_by_another_process_sends_the_batch_one_by_one(
    db_app, monkeypatch
):
    """The batch's read of earlier ballots missed one (another process stored it in between):
    the insert conflicts, the batch is rolled back, and each ballot is cast on its own."""
    _wid, sid, [a, b] = setup_room(db_app, 2)
    with session_scope(db_app) as s:
        voting.cast_vote(s, participant_id=a, statement_id=sid, choice="no", ballot_id="b-race-001")
    judge = ballots.judge
    missed = []  # the batch's own read misses the stored ballot; the reads after it do not

    def judge_missing_it_once(batch, **facts):
        if not missed:
            missed.append(True)
            facts = {**facts, "seen": {}}
        return judge(batch, **facts)

    monkeypatch.setattr(ballots, "judge", judge_missing_it_once)
    with session_scope(db_app) as s:
        results = voting.cast_votes(
            s, [Ballot(a, sid, "yes", "b-race-001"), Ballot(b, sid, "yes", "b-race-002")]
        )
    assert [outcome(r) for r in results] == ["no (retried)", "yes"]
    with session_scope(db_app) as s:
        assert s.scalar(select(func.count()).select_from(VoteEvent)) == 2


def test_a_burst_through_the_group_commit_racing_a_close_acknowledges_exactly_what_counts(db_app):
    wid, sid, pids = setup_room(db_app, 80)
    box: GroupCommit[Ballot, voting.VoteResult] = GroupCommit(max_batch=16)
    start = threading.Barrier(41)

    def write(batch: list[Ballot]) -> list[voting.VoteResult | BaseException]:
        with session_scope(db_app) as s:
            return list(voting.cast_votes(s, batch))

    def vote(pid: int) -> bool:
        if pid < pids[0] + 40:
            start.wait()
        try:
            box.submit(Ballot(pid, sid, "yes", f"b-burst-{pid}"), write)
        except WorkshopError as exc:
            assert exc.key == "error.statement_closed"
            return False
        return True

    def closer() -> None:
        start.wait()
        with session_scope(db_app) as s:
            voting.close_statement(s, workshop_id=wid, statement_id=sid)

    with ThreadPoolExecutor(max_workers=41) as pool:
        closing = pool.submit(closer)
        acks = list(pool.map(vote, pids))
        closing.result()
    with session_scope(db_app) as s:
        counted = set(s.scalars(select(Vote.participant_id)).all())
    assert {p for p, ok in zip(pids, acks, strict=True) if ok} == counted
