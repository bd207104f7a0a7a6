"""Votes arriving at once, and votes racing a close, on a real database (SQLite; PostgreSQL
too when BRYGGA_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from db import session_scope
from workshops import services, voting
from workshops.domain import WorkshopError
from workshops.models import Vote, VoteEvent

PARTICIPANTS = 100


def setup_room(app, participants: int):
    with session_scope(app) as s:
        wid = services.create_workshop(
            s, owner_id=None, title="Race", date=None, target_group="adults"
        )
        subject = services.add_organisation(s, workshop_id=wid, name="Subject", principal="region")
        other = services.add_organisation(
            s, workshop_id=wid, name="Other", principal="municipality"
        )
        [sid] = services.add_statements(
            s,
            workshop_id=wid,
            organisation_id=subject,
            topic="mandate",
            perspective="own",
            texts=["A statement"],
        )
        pids = [
            voting.join(s, workshop_id=wid, organisation_id=other, display_name=None).participant_id
            for _ in range(participants)
        ]
        voting.open_statements(s, workshop_id=wid, statement_ids=[sid])
    return wid, sid, pids


def vote(app, pid: int, sid: int, barrier: threading.Barrier | None = None) -> bool:
    if barrier:
        barrier.wait()
    with session_scope(app) as s:
        try:
            voting.cast_vote(
                s, participant_id=pid, statement_id=sid, choice="yes", ballot_id=f"b-{pid}-{sid}-x"
            )
        except WorkshopError as exc:
            assert exc.key == "error.statement_closed"
            return False
    return True


def test_a_hundred_participants_voting_at_once_give_exactly_a_hundred_votes(db_app):
    _wid, sid, pids = setup_room(db_app, PARTICIPANTS)
    barrier = threading.Barrier(20)
    with ThreadPoolExecutor(max_workers=20) as pool:
        acks = list(
            pool.map(lambda p: vote(db_app, p, sid, barrier if p < pids[0] + 20 else None), pids)
        )
    assert acks == [True] * PARTICIPANTS
    with session_scope(db_app) as s:
        assert s.scalar(select(func.count()).select_from(Vote)) == PARTICIPANTS
        assert s.scalar(select(func.count()).select_from(VoteEvent)) == PARTICIPANTS


def test_votes_racing_a_close_are_acknowledged_exactly_when_they_count(db_app):
    wid, sid, pids = setup_room(db_app, 60)
    start = threading.Barrier(21)

    def closer() -> None:
        start.wait()
        with session_scope(db_app) as s:
            voting.close_statement(s, workshop_id=wid, statement_id=sid)

    with ThreadPoolExecutor(max_workers=21) as pool:
        closing = pool.submit(closer)
        acks = list(
            pool.map(lambda p: vote(db_app, p, sid, start if p < pids[0] + 20 else None), pids)
        )
        closing.result()
    with session_scope(db_app) as s:
        counted = set(s.scalars(select(Vote.participant_id)).all())
    assert {p for p, ok in zip(pids, acks, strict=True) if ok} == counted


def test_a_retried_ballot_racing_itself_counts_once(db_app):
    _wid, sid, [pid] = setup_room(db_app, 1)
    barrier = threading.Barrier(8)
    with ThreadPoolExecutor(max_workers=8) as pool:
        acks = list(pool.map(lambda _: vote(db_app, pid, sid, barrier), range(8)))
    assert acks == [True] * 8
    with session_scope(db_app) as s:
        assert s.scalar(select(func.count()).select_from(VoteEvent)) == 1


def test_a_roll_call_on_the_real_database_keeps_the_answers_and_lets_the_phones_answer(db_app):
    wid, sid, pids = setup_room(db_app, 6)
    for pid in pids[:3]:
        assert vote(db_app, pid, sid)  # a vote puts its phone in the room
    with session_scope(db_app) as s:
        for pid in pids[3:]:
            voting.mark_present(s, pid)
        assert voting.roll_call(s, workshop_id=wid) == 6
        state = voting.room_state(s, wid, audience="projector")
        assert (state["joined"], state["current"]["voted"], state["current"]["eligible"]) == (
            0,
            3,
            3,
        )
    with ThreadPoolExecutor(max_workers=3) as pool:  # the phones answer at once
        answered = list(pool.map(lambda p: _answer(db_app, p), pids))
    assert answered == [True] * 6
    with session_scope(db_app) as s:
        state = voting.room_state(s, wid, audience="projector")
        assert (state["joined"], state["current"]["eligible"]) == (6, 6)


def _answer(app, pid: int) -> bool:
    with session_scope(app) as s:
        return voting.arrive(s, pid)
