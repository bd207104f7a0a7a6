"""A leading-and-trailing throttle: at most one push per key and interval, none lost.

The rule (`Rule`) is pure: it takes a key's `Slot` and the time and returns the next slot and
the answer, so the same rule serves one process (`Throttle`, a dict of slots) and several
processes sharing their slots in Redis (`workshops.shared_throttle`). Sharing adds one risk a
single process does not have: the process that promised a push may die before keeping the
promise. A slot therefore carries deadlines (a scheduled push that has not started `grace`
seconds after its time, an in-flight push not done within `lease`, is taken for dead), and
`Rule.check` lets a process that folded a change into someone else's push verify later that a
push which started after its change has been sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Literal

INF = float("inf")

Verdict = Literal["covered", "wait", "push"]


@dataclass(frozen=True)
class Slot:
    """What is known about one key's pushes (times in seconds, one clock for all processes)."""

    started: float = -INF  # the latest push started reading then
    sent: float = -INF  # the latest start among pushes that have sent
    pending: float | None = None  # a push is scheduled to start then
    flights: int = 0  # pushes that have started and not yet sent
    flight_until: float = -INF  # in-flight pushes not done by then are taken for dead
    dirty: bool = False  # something changed while a push was in flight


@dataclass(frozen=True)
class Rule:
    """Decide when to push a room's state after a change.

    The first change after a quiet interval is pushed at once; changes during the interval
    are folded into one push at its end. A push is *in flight* from the moment it starts
    reading until it has sent: a change that arrives then may be missing from what it read
    (reading and sending yield under gevent), so it earns one more push afterwards.

    >>> rule = Rule(0.25)
    >>> s, delay = rule.hit(Slot(), now=10.0)   # quiet: push now (in flight from here)
    >>> delay, s.flights
    (0.0, 1)
    >>> s, again = rule.done(s, now=10.01)
    >>> again is None and s.sent == 10.0
    True
    >>> s, delay = rule.hit(s, now=10.1)        # busy: one trailing push 0.15 s later
    >>> delay, s.pending
    (0.15, 10.25)
    >>> s, delay = rule.hit(s, now=10.2)        # already scheduled: folded into it
    >>> delay is None
    True

    A process that folded a change at 10.2 checks later that a push started after it has sent:

    >>> rule.check(s, since=10.2, now=12.0)[1]
    ('wait', 12.25)
    >>> s = rule.begin(s, now=10.25)
    >>> s, _ = rule.done(s, now=10.3)
    >>> rule.check(s, since=10.2, now=12.3)[1]
    ('covered', None)

    Had the push's owner died, the check would take the push over:

    >>> dead = Slot(started=10.0, sent=10.0, pending=10.25)
    >>> s, (verdict, _) = rule.check(dead, since=10.2, now=12.3)
    >>> verdict, s.flights, s.pending
    ('push', 1, None)
    """

    interval: float
    lease: float = 10.0
    grace: float = 2.0

    # Times come from each process's wall clock (the one clock processes share). Should it
    # jump back, no delay exceeds an interval: the throttle pushes early, never late.

    def fresh(self, slot: Slot, *, now: float) -> tuple[Slot, bool]:
        """``slot`` without promises past their deadline, and whether any was dropped.

        >>> slot, stale = Rule(0.25).fresh(Slot(pending=1.0), now=4.0)
        >>> slot.pending, stale
        (None, True)
        >>> Rule(0.25).fresh(Slot(pending=1.0), now=2.5)[1]
        False
        """
        stale = False
        if slot.pending is not None and now > slot.pending + self.grace:
            slot, stale = replace(slot, pending=None), True
        if slot.flights and now > slot.flight_until:
            slot, stale = replace(slot, flights=0), True
        return slot, stale

    def hit(self, slot: Slot, *, now: float) -> tuple[Slot, float | None]:
        """Something changed: the delay before pushing (0 = now, and the push counts as
        begun), or None when a push already scheduled or in flight will take care of it."""
        slot, stale = self.fresh(slot, now=now)
        if slot.pending is not None:
            return slot, None
        if slot.flights:
            return replace(slot, dirty=True), None
        # at most an interval, even when the clock went back since the last start
        wait = min(slot.started + self.interval - now, self.interval)
        if stale or wait <= 0:
            return self.begin(slot, now=now), 0.0
        return replace(slot, pending=now + wait), round(wait, 6)

    def begin(self, slot: Slot, *, now: float) -> Slot:
        """A push starts reading at ``now`` (a scheduled one is no longer pending)."""
        slot, _ = self.fresh(slot, now=now)
        return replace(
            slot,
            pending=None,
            flights=slot.flights + 1,
            flight_until=now + self.lease,
            started=now,
        )

    def done(
        self, slot: Slot, *, now: float, started: float | None = None
    ) -> tuple[Slot, float | None]:
        """A push (that started reading at ``started``, by default the latest) has sent.
        Returns the delay of one more push when something changed while pushes were in
        flight (the caller then owns that push), else None."""
        flights = max(0, slot.flights - 1)
        sent = max(slot.sent, slot.started if started is None else started)
        slot = replace(slot, flights=flights, sent=sent)
        if flights or not slot.dirty:
            return slot, None
        at = min(max(now, slot.started + self.interval), now + self.interval)
        return replace(slot, dirty=False, pending=at), round(at - now, 6)

    def check(
        self, slot: Slot, *, since: float, now: float
    ) -> tuple[Slot, tuple[Verdict, float | None]]:
        """Has a change folded at ``since`` been pushed? "covered" when a push that started
        after it has sent; ("wait", time to check again) while a push that will cover it is
        scheduled or in flight; "push" (counted as begun) when nobody will."""
        if slot.sent >= since:
            return slot, ("covered", None)
        slot, _ = self.fresh(slot, now=now)
        if slot.pending is not None:
            return slot, ("wait", slot.pending + self.grace)
        if slot.flights:
            return slot, ("wait", min(slot.flight_until, now + self.grace))
        return self.begin(slot, now=now), ("push", None)


class Throttle:
    """The rule over the slots of one process.

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

    shared = False  # every promise is kept by this process: no check needed

    def __init__(self, interval: float) -> None:
        self.rule = Rule(interval)
        self._slots: dict[object, Slot] = {}
        self._lock = threading.Lock()

    @property
    def interval(self) -> float:
        return self.rule.interval

    def hit(self, key: object, *, now: float) -> float | None:
        with self._lock:
            self._slots[key], delay = self.rule.hit(self._slot(key), now=now)
        return delay

    def begin(self, key: object, *, now: float) -> None:
        with self._lock:
            self._slots[key] = self.rule.begin(self._slot(key), now=now)

    def done(self, key: object, *, now: float, started: float | None = None) -> float | None:
        with self._lock:
            self._slots[key], delay = self.rule.done(self._slot(key), now=now, started=started)
        return delay

    def check(self, key: object, *, since: float, now: float) -> tuple[Verdict, float | None]:
        with self._lock:
            self._slots[key], verdict = self.rule.check(self._slot(key), since=since, now=now)
        return verdict

    def _slot(self, key: object) -> Slot:
        return self._slots.get(key) or Slot()
