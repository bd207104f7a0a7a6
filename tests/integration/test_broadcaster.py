"""The broadcaster folds a burst of votes into few pushes and always ends on the exact count."""

from __future__ import annotations

from typing import Any

import pytest

from db import session_scope
from workshops import live, voting


class RecordingSocketIO:
    """Stands in for Flask-SocketIO: records emits; background tasks run when the test says."""

    def __init__(self) -> None:
        self.emits: list[tuple[str, dict[str, Any], str]] = []
        self.tasks: list[tuple[Any, tuple[Any, ...]]] = []

    def emit(self, event: str, data: dict[str, Any], to: str, namespace: str) -> None:
        self.emits.append((event, data, to))

    def start_background_task(self, target: Any, *args: Any) -> None:
        self.tasks.append((target, args))

    def sleep(self, seconds: float) -> None:
        pass

    def run_tasks(self) -> None:
        tasks, self.tasks = self.tasks, []
        for target, args in tasks:
            target(*args)


def join_and_vote(s: Any, demo: Any, statement_id: int, choice: str, ballot_id: str) -> None:
    """A new participant of BUP votes on the statement."""
    pid = voting.join(
        s, workshop_id=demo.workshop_id, organisation_id=demo.orgs["BUP"], display_name=None
    ).participant_id
    voting.cast_vote(
        s, participant_id=pid, statement_id=statement_id, choice=choice, ballot_id=ballot_id
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The broadcaster's clock, moved by the test."""
    fixed = Clock()
    monkeypatch.setattr(live, "time", fixed)
    return fixed


def vote_burst(
    app: Any,
    demo: Any,
    broadcaster: live.Broadcaster,
    clock: Clock,
    n: int,
    choice: str,
    step: float = 0.0,
) -> None:
    """Open the demo's first own statement; ``n`` new participants vote on it, each change
    told to the broadcaster (``step`` seconds apart on ``clock``)."""
    sid = demo.own[0]
    with session_scope(app) as s:
        voting.open_statements(s, workshop_id=demo.workshop_id, statement_ids=[sid])
        for i in range(n):
            join_and_vote(s, demo, sid, choice, f"burst-{i:04d}")
            broadcaster.changed(demo.workshop_id)
            clock.now += step


def test_a_burst_of_a_hundred_votes_gives_two_pushes_ending_on_the_exact_count(app, demo, clock):
    sio = RecordingSocketIO()
    broadcaster = live.Broadcaster.in_process(app, sio, 0.25)  # type: ignore[arg-type]
    vote_burst(app, demo, broadcaster, clock, 100, "no")
    console = [d for e, d, to in sio.emits if to == live.room(demo.workshop_id, "facilitator")]
    assert len(console) == 1 and len(sio.tasks) == 2  # trailing: screens, phones

    clock.now += 0.25
    sio.run_tasks()
    console = [d for e, d, to in sio.emits if to == live.room(demo.workshop_id, "facilitator")]
    assert len(console) == 2
    assert console[-1]["current"]["tally"]["no"] == 100


def test_a_vote_in_a_quiet_room_is_pushed_at_once(app, demo, clock):
    sio = RecordingSocketIO()
    broadcaster = live.Broadcaster.in_process(app, sio, 0.25)  # type: ignore[arg-type]
    broadcaster.changed(demo.workshop_id)
    clock.now += 5
    broadcaster.changed(demo.workshop_id)
    rooms = [to for _, _, to in sio.emits]
    assert rooms.count(live.room(demo.workshop_id, "projector")) == 2
    assert sio.tasks == []


def test_phones_get_a_burst_at_their_own_slower_cadence(app, demo, clock):
    sio = RecordingSocketIO()
    broadcaster = live.Broadcaster.in_process(app, sio, 0.25, 1.0)  # type: ignore[arg-type]
    vote_burst(app, demo, broadcaster, clock, 20, "yes", step=0.01)
    # The first vote went to everyone at once; then one trailing push per cadence.
    assert [args[2:] for _, args in sio.tasks] == [("screens", 0.24), ("phones", 0.99)]
    sio.run_tasks()
    phones = [d for e, d, to in sio.emits if to == live.room(demo.workshop_id, "phones")]
    screens = [d for e, d, to in sio.emits if to == live.room(demo.workshop_id, "projector")]
    assert len(phones) == 2 and len(screens) == 2
    assert phones[-1]["current"]["voted"] == 20
