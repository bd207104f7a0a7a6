"""A leading-and-trailing throttle: at most one push per key and interval, none lost."""

from __future__ import annotations


class Throttle:
    """Decide when to push a room's state after a change.

    The first change after a quiet interval is pushed at once; changes during the interval
    are folded into one push at its end. Times are passed in, so the rule is testable.

    >>> t = Throttle(0.25)
    >>> t.hit("w1", now=10.0)        # quiet room: push now
    0.0
    >>> t.fired("w1", now=10.0)
    >>> t.hit("w1", now=10.1)        # busy: one trailing push 0.15 s later
    0.15
    >>> t.hit("w1", now=10.2) is None  # already scheduled: fold into it
    True
    >>> t.fired("w1", now=10.25)
    >>> t.hit("w1", now=11.0)
    0.0
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: dict[object, float] = {}
        self._pending: set[object] = set()

    def hit(self, key: object, *, now: float) -> float | None:
        """Delay before pushing ``key`` (0 = now), or None when a push is already scheduled."""
        if key in self._pending:
            return None
        wait = self._last.get(key, float("-inf")) + self.interval - now
        if wait <= 0:
            return 0.0
        self._pending.add(key)
        return round(wait, 6)

    def fired(self, key: object, *, now: float) -> None:
        """Record that ``key`` was pushed at ``now``."""
        self._last[key] = now
        self._pending.discard(key)
