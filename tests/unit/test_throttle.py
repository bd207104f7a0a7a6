"""The push throttle: immediate when quiet, one trailing push when busy, nothing lost."""

from workshops.throttle import Throttle


def test_a_quiet_room_is_pushed_at_once():
    assert Throttle(0.25).hit("w", now=100.0) == 0.0


def test_a_burst_of_votes_becomes_one_trailing_push():
    t = Throttle(0.25)
    assert t.hit("w", now=1.0) == 0.0
    t.fired("w", now=1.0)
    delays = [t.hit("w", now=1.0 + i / 1000) for i in range(1, 200)]
    assert delays[0] == 0.249
    assert delays[1:] == [None] * 198


def test_after_the_trailing_push_the_next_change_is_scheduled_again():
    t = Throttle(0.25)
    t.fired("w", now=1.0)
    assert t.hit("w", now=1.1) == 0.15
    t.fired("w", now=1.25)
    assert t.hit("w", now=1.3) == 0.2


def test_rooms_are_throttled_independently():
    t = Throttle(0.25)
    t.fired("a", now=1.0)
    assert t.hit("b", now=1.01) == 0.0
