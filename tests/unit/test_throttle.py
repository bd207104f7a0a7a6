"""The push throttle: immediate when quiet, one trailing push when busy, nothing lost."""

from workshops.throttle import Throttle


def pushed(t: Throttle, key: str, *, start: float, end: float) -> float | None:
    """A whole push: it starts reading at ``start`` and has sent at ``end``."""
    t.begin(key, now=start)
    return t.done(key, now=end)


def test_a_quiet_room_is_pushed_at_once():
    assert Throttle(0.25).hit("w", now=100.0) == 0.0


def test_a_burst_of_votes_becomes_one_trailing_push():
    t = Throttle(0.25)
    assert t.hit("w", now=1.0) == 0.0
    assert t.done("w", now=1.0) is None
    delays = [t.hit("w", now=1.0 + i / 1000) for i in range(1, 200)]
    assert delays[0] == 0.249
    assert delays[1:] == [None] * 198


def test_after_the_trailing_push_the_next_change_is_scheduled_again():
    t = Throttle(0.25)
    assert pushed(t, "w", start=1.0, end=1.0) is None
    assert t.hit("w", now=1.1) == 0.15
    assert pushed(t, "w", start=1.25, end=1.25) is None
    assert t.hit("w", now=1.3) == 0.2


def test_a_change_while_a_push_is_in_flight_gets_one_more_push():
    """The lost last vote: the trailing push read the count, then yielded while sending; a vote
    committed meanwhile must not be folded into a push that can no longer see it."""
    t = Throttle(0.25)
    assert t.hit("w", now=1.0) == 0.0  # in flight from here
    assert t.hit("w", now=1.01) is None  # during the read or the send
    assert t.hit("w", now=1.02) is None
    assert t.done("w", now=1.05) == 0.2  # exactly one more, at the interval's end
    assert t.hit("w", now=1.1) is None  # folded into that one: it has not read yet
    assert pushed(t, "w", start=1.25, end=1.3) is None  # nothing new arrived: quiet again
    assert t.hit("w", now=1.6) == 0.0


def test_overlapping_pushes_count_as_one_flight():
    t = Throttle(0.25)
    t.begin("w", now=1.0)  # a join pushes at once
    assert t.hit("w", now=1.0) is None  # a vote while that push is in flight
    t.begin("w", now=1.01)  # an open pushes at once too
    assert t.done("w", now=1.02) is None  # one push still in flight: wait for it
    assert t.done("w", now=1.03) == 0.23


def test_rooms_are_throttled_independently():
    t = Throttle(0.25)
    assert pushed(t, "a", start=1.0, end=1.0) is None
    assert t.hit("b", now=1.01) == 0.0


def test_a_change_after_a_promise_past_its_grace_is_pushed_at_once():
    """The process that scheduled the push died: the next change does not wait for it."""
    t = Throttle(0.25)
    assert pushed(t, "w", start=1.0, end=1.0) is None
    assert t.hit("w", now=1.1) == 0.15  # promised for 1.25 ... by a process that then died
    assert t.hit("w", now=3.2) is None  # within the grace: still trusted
    assert t.hit("w", now=3.3) == 0.0  # past it: pushed now


def test_a_push_in_flight_past_its_lease_is_taken_for_dead():
    t = Throttle(0.25)
    t.begin("w", now=1.0)  # starts reading, and its process dies
    assert t.hit("w", now=5.0) is None  # a slow push is still trusted
    assert t.hit("w", now=11.5) == 0.0


def test_a_check_is_covered_only_by_a_push_that_started_after_the_change():
    t = Throttle(0.25)
    t.begin("w", now=1.0)
    assert t.hit("w", now=1.1) is None  # folded into the flight (marked dirty)
    assert t.done("w", now=1.2, started=1.0) == 0.05  # that push read too early: one more
    assert t.check("w", since=1.1, now=1.3) == ("wait", 3.25)
    t.begin("w", now=1.25)
    t.done("w", now=1.3, started=1.25)
    assert t.check("w", since=1.1, now=1.4) == ("covered", None)


def test_a_clock_that_went_back_delays_no_push_beyond_an_interval():
    t = Throttle(0.25)
    assert pushed(t, "w", start=1000.0, end=1000.0) is None
    assert t.hit("w", now=10.0) == 0.25  # the clock went back 990 s: one interval, not 990 s
    t.begin("w", now=10.25)
    assert t.hit("w", now=10.3) is None
    assert t.done("w", now=10.31) == 0.19
