"""Two processes share one push throttle per room through Redis: a burst split between them is
pushed as often as one process would push it, and no promise dies with its process."""

from __future__ import annotations

import heapq
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import greenlet
import pytest
import redis

from db import session_scope
from tests.integration.test_broadcaster import join_and_vote
from workshops import live, voting
from workshops.shared_throttle import RedisThrottle

REDIS_URL = os.environ.get("BRYGGA_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="needs Redis: set BRYGGA_TEST_REDIS_URL (.ci/run does)"
)


class CountingRedis(redis.Redis):
    """A Redis client that counts the slot reads (one per round trip that asks the state)."""

    reads = 0

    def pipeline(self, *args: Any, **kwargs: Any) -> Any:
        pipe = super().pipeline(*args, **kwargs)
        client = self
        hgetall = pipe.hgetall

        def counted(name: str) -> Any:
            client.reads += 1
            return hgetall(name)

        pipe.hgetall = counted  # type: ignore[method-assign,assignment]
        return pipe


@pytest.fixture
def pair():
    """Two processes' throttles on one Redis, under a prefix of their own."""
    prefix = f"test-{uuid.uuid4().hex[:8]}:push"
    clients = [CountingRedis.from_url(REDIS_URL or "") for _ in range(2)]
    yield [RedisThrottle(c, 0.25, prefix=prefix) for c in clients]
    for c in clients:
        for name in c.scan_iter(f"{prefix}:*"):
            c.delete(name)
        c.close()


def test_a_burst_split_between_two_processes_is_one_push_now_and_one_at_the_interval(pair):
    a, b = pair
    assert a.hit("7:state", now=100.0) == 0.0  # the first change in a quiet room: at once
    assert a.done("7:state", now=100.001) is None
    answers = [(a, b)[i % 2].hit("7:state", now=100.0 + i / 1000) for i in range(2, 200)]
    assert [x for x in answers if x is not None] == [0.248]  # one trailing push in all
    # Once each process knows when that push starts, it folds without asking Redis.
    assert a.redis.reads + b.redis.reads <= 5


def test_the_trailing_push_is_shared_too(pair):
    a, b = pair
    assert a.hit("7:state", now=100.0) == 0.0
    assert a.done("7:state", now=100.01) is None
    assert b.hit("7:state", now=100.1) == 0.15  # B promises the trailing push
    assert a.hit("7:state", now=100.2) is None  # A folds into B's promise
    b.begin("7:state", now=100.25)
    assert a.hit("7:state", now=100.26) is None  # B's push is in flight: A marks the slot
    assert b.done("7:state", now=100.3) == 0.2  # B owes one more push, for A's change
    assert a.check("7:state", since=100.26, now=100.31) == ("wait", 102.5)
    b.begin("7:state", now=100.5)
    assert b.done("7:state", now=100.55) is None
    assert a.check("7:state", since=100.26, now=100.6) == ("covered", None)


def test_a_push_promised_by_a_process_that_died_is_taken_over(pair):
    a, b = pair
    a.hit("7:state", now=100.0)
    a.done("7:state", now=100.01)
    assert a.hit("7:state", now=100.1) == 0.15  # A promises a push at 100.25 ... and dies
    assert b.hit("7:state", now=100.2) is None  # B folds into the promise
    assert b.check("7:state", since=100.2, now=101.0)[0] == "wait"
    assert b.check("7:state", since=100.2, now=102.3) == ("push", None)  # past its grace
    b.done("7:state", now=102.31)
    assert b.check("7:state", since=100.2, now=102.4) == ("covered", None)


def test_rooms_and_topics_are_throttled_apart(pair):
    a, b = pair
    assert a.hit("7:state", now=100.0) == 0.0
    assert b.hit("7:board", now=100.0) == 0.0
    assert b.hit("8:state", now=100.0) == 0.0


def test_without_redis_each_process_throttles_on_its_own(caplog):
    t = RedisThrottle.from_url("redis://127.0.0.1:1/0", 0.25, prefix="nowhere")
    assert t.hit("7:state", now=100.0) == 0.0
    assert t.done("7:state", now=100.01) is None
    assert t.hit("7:state", now=100.1) == 0.15
    assert t.check("7:state", since=100.1, now=100.2) == ("push", None)  # nothing known: push
    assert "Redis unreachable" in caplog.text


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def time(self) -> float:
        return self.now


class Simulation:
    """Background tasks of several processes on one simulated clock: each task runs in a
    greenlet of its own, and sleeping hands over to whichever task wakes first."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.waiting: list[tuple[float, int, greenlet.greenlet]] = []
        self.order = 0
        self.hub = greenlet.getcurrent()

    def start(self, target: Any, *args: Any) -> None:
        self._wake(greenlet.greenlet(lambda: target(*args)), self.clock.now)

    def sleep(self, seconds: float) -> None:
        self._wake(greenlet.getcurrent(), self.clock.now + seconds)
        self.hub.switch()

    def _wake(self, task: greenlet.greenlet, at: float) -> None:
        self.order += 1
        heapq.heappush(self.waiting, (at, self.order, task))

    def run(self) -> None:
        """Run every task until all have finished."""
        while self.waiting:
            at, _, task = heapq.heappop(self.waiting)
            self.clock.now = max(self.clock.now, at)
            task.switch()


class RecordingSocketIO:
    """Stands in for one process's Flask-SocketIO: records its emits; its background tasks
    run in the simulation."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation
        self.emits: list[tuple[str, dict[str, Any], str]] = []

    def emit(self, event: str, data: dict[str, Any], to: str, namespace: str) -> None:
        self.emits.append((event, data, to))

    def start_background_task(self, target: Any, *args: Any) -> None:
        self.simulation.start(target, *args)

    def sleep(self, seconds: float) -> None:
        self.simulation.sleep(seconds)


def cadences(screens: RedisThrottle) -> dict[str, Any]:
    """One process's throttles: the screens' (shared with the other process through Redis),
    and the phones' at 1 s."""
    return {"screens": screens, "phones": RedisThrottle(screens.redis, 1.0, prefix=screens.prefix)}


def test_two_processes_push_a_burst_of_a_hundred_votes_twice_ending_on_the_exact_count(
    app, demo, monkeypatch, pair
):
    clock = Clock()
    monkeypatch.setattr(live, "time", clock)
    simulation = Simulation(clock)
    sockets = [RecordingSocketIO(simulation), RecordingSocketIO(simulation)]
    processes = [
        live.Broadcaster(app, sio, cadences(throttle))
        for sio, throttle in zip(sockets, pair, strict=True)
    ]
    sid = demo.own[0]
    with session_scope(app) as s:
        voting.open_statements(s, workshop_id=demo.workshop_id, statement_ids=[sid])
        for i in range(100):
            join_and_vote(s, demo, sid, "no", f"burst-{i:04d}")
            processes[i % 2].changed(demo.workshop_id)
            clock.now += 0.001
    simulation.run()  # the trailing push, and each process's watch over its folded votes
    console = [
        d
        for sio in sockets
        for e, d, to in sio.emits
        if to == live.room(demo.workshop_id, "facilitator")
    ]
    assert len(console) == 2
    assert console[-1]["current"]["tally"]["no"] == 100


def test_a_process_takes_over_the_push_of_a_process_that_died(app, demo, monkeypatch, pair):
    clock = Clock()
    monkeypatch.setattr(live, "time", clock)
    dying, alive = RecordingSocketIO(Simulation(clock)), RecordingSocketIO(Simulation(clock))
    a = live.Broadcaster(app, dying, cadences(pair[0]))
    b = live.Broadcaster(app, alive, cadences(pair[1]))
    sid = demo.own[0]
    with session_scope(app) as s:
        voting.open_statements(s, workshop_id=demo.workshop_id, statement_ids=[sid])
    a.changed(demo.workshop_id)  # A pushes at once
    clock.now += 0.1
    a.changed(demo.workshop_id)  # ... promises the trailing push, and dies before it
    with session_scope(app) as s:
        join_and_vote(s, demo, sid, "yes", "late")
    clock.now += 0.05
    b.changed(demo.workshop_id)  # B's vote is folded into A's promise
    assert alive.emits == []
    alive.simulation.run()  # B's watch: past the promise's grace, B pushes itself
    console = [d for e, d, to in alive.emits if to == live.room(demo.workshop_id, "facilitator")]
    assert len(console) == 1
    assert console[0]["current"]["voted"] == 1


def test_a_burst_of_three_hundred_rooms_at_once_waits_for_connections_instead_of_failing(
    caplog,
):
    """redis-py's default pool fails past 100 connections; the throttle's pool waits."""
    prefix = f"test-{uuid.uuid4().hex[:8]}:push"
    t = RedisThrottle.from_url(REDIS_URL or "", 0.25, prefix=prefix)
    start = threading.Barrier(300)

    def hit(room: int) -> float | None:
        start.wait()
        return t.hit(f"{room}:state:screens", now=100.0)

    try:
        with ThreadPoolExecutor(300) as pool:
            answers = list(pool.map(hit, range(300)))
        assert "Redis unreachable" not in caplog.text
        assert answers == [0.0] * 300  # every quiet room pushed at once, each asked Redis
    finally:
        for name in t.redis.scan_iter(f"{prefix}:*"):
            t.redis.delete(name)
        t.redis.close()


def test_changes_while_this_process_asks_redis_are_folded_into_its_question(pair, monkeypatch):
    a, _ = pair
    inner = a._apply
    answers = []

    def slow_apply(*args: Any) -> Any:
        # Another change of the same room arrives while this process waits for Redis.
        answers.append(a.hit("7:state:screens", now=100.0005))
        return inner(*args)

    monkeypatch.setattr(a, "_apply", slow_apply)
    assert a.hit("7:state:screens", now=100.0) == 0.0
    assert answers == [None]  # folded: the push that answer starts reads after both changes
    assert a.redis.reads == 1


def test_while_a_push_in_flight_owes_another_changes_fold_without_asking(pair):
    a, b = pair
    assert a.hit("7:state:screens", now=100.0) == 0.0  # A's push is in flight ...
    assert b.hit("7:state:screens", now=100.01) is None  # ... B marks a change for it
    reads = b.redis.reads
    assert [b.hit("7:state:screens", now=100.02 + i / 1000) for i in range(100)] == [None] * 100
    assert b.redis.reads == reads  # the next push starts at 100.25 at the earliest
    assert a.done("7:state:screens", now=100.05) == 0.2
