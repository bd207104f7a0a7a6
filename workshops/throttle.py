"""A leading-and-trailing throttle: at most one push per key and interval, none lost."""

from __future__ import annotations


class Throttle:
    """Decide when to push a room's state after a change.

    The first change after a quiet interval is pushed at once; changes during the interval
    are folded into one push at its end. A push is *in flight* from the moment it starts
    reading until it has sent: a change that arrives then may be missing from what it read
    (reading and sending yield under gevent), so it earns one more push afterwards. Times are
    passed in, so the rule is testable.

    >>> t = Throttle(0.25)
    >>> t.hit("w1", now=10.0)        # quiet room: push now (the push is in flight)
    0.0
    >>> t.done("w1", now=10.01) is None
    True
    >>> t.hit("w1", now=10.1)        # busy: one trailing push 0.15 s later
    0.15
    >>> t.hit("w1", now=10.2) is None  # already scheduled: fold into it
    True
    >>> t.begin("w1", now=10.25)     # the trailing push starts reading
    >>> t.hit("w1", now=10.26) is None  # may be missed by that read: remembered
    True
    >>> t.done("w1", now=10.3)       # so one more push, an interval after the last start
    0.2
    >>> t.begin("w1", now=10.5)
    >>> t.done("w1", now=10.51) is None
    True
    >>> t.hit("w1", now=11.0)
    0.0
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._started: dict[object, float] = {}
        self._pending: set[object] = set()
        self._in_flight: dict[object, int] = {}
        self._dirty: set[object] = set()

    def hit(self, key: object, *, now: float) -> float | None:
        """Delay before pushing ``key`` (0 = now, and the push counts as begun), or None when
        a push already scheduled or in flight will take care of it."""
        if key in self._pending:
            return None
        if self._in_flight.get(key):
            self._dirty.add(key)
            return None
        wait = self._started.get(key, float("-inf")) + self.interval - now
        if wait <= 0:
            self.begin(key, now=now)
            return 0.0
        self._pending.add(key)
        return round(wait, 6)

    def begin(self, key: object, *, now: float) -> None:
        """A push of ``key`` starts reading at ``now`` (a scheduled one is no longer pending)."""
        self._pending.discard(key)
        self._in_flight[key] = self._in_flight.get(key, 0) + 1
        self._started[key] = now

    def done(self, key: object, *, now: float) -> float | None:
        """A push of ``key`` has sent. Returns the delay of one more push when something
        changed while pushes were in flight, else None."""
        left = max(0, self._in_flight.get(key, 0) - 1)
        self._in_flight[key] = left
        if left or key not in self._dirty:
            return None
        self._dirty.discard(key)
        self._pending.add(key)
        return round(max(0.0, self._started[key] + self.interval - now), 6)
