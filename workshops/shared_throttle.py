"""One push throttle per room for all server processes, its slots kept in Redis.

With a Redis message queue every push reaches every phone on every process, so when each
process throttled on its own the room got one push per interval *per process*: at 1 000 phones
on two processes, 11–12 pushes in a one-second burst instead of 5, and half the workers' time
went into writing them (docs/benchmarks.md). Here the processes share one `Slot` per room and
topic, a Redis hash updated atomically (WATCH/MULTI) with the pure `workshops.throttle.Rule`.

Three things keep it cheap and safe:

- A process that learns that a push will start at T or later (one is scheduled, or one in
  flight already owes a next) folds its changes before T into it without asking Redis again,
  and while it asks about a key, the key's other changes wait for that answer instead; so a
  burst costs a few Redis round trips per interval, not one per vote.
- A process that folds a change into another's promise checks later (`check`) that a push
  which started after its change has sent, and takes the push over when the promiser died.
- When Redis cannot be reached the process throttles on its own (`Throttle`), as before: more
  pushes, never fewer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from workshops.throttle import Rule, Slot, Throttle, Verdict

log = logging.getLogger(__name__)

T = TypeVar("T")

# A change this close to a scheduled push's start asks Redis: the push may be starting now.
MARGIN = 0.05
# Slots of quiet rooms disappear by themselves.
TTL_MS = 60_000
# Connections of the throttle's own pool (one question per key at a time, see `hit`).
POOL_SIZE = 32
# After a failed Redis call, throttle locally this long before trying Redis again.
COOL_OFF = 1.0


def is_redis_url(url: str | None) -> bool:
    """Whether a message-queue URL is Redis (the others are handed to Flask-SocketIO as they
    are, and the processes then throttle each on their own).

    >>> is_redis_url("rediss://cache:6380/0"), is_redis_url("kafka://k:9092"), is_redis_url(None)
    (True, False, False)
    """
    return bool(url) and str(url).startswith(("redis://", "rediss://", "unix://"))


FIELDS = ("started", "sent", "pending", "flights", "flight_until", "dirty")


def encode(slot: Slot) -> dict[str, str]:
    """A slot as a Redis hash.

    >>> decode(encode(Slot(started=1.5, pending=None, flights=2, dirty=True))) == Slot(
    ...     started=1.5, flights=2, dirty=True)
    True
    """
    return {
        "started": repr(slot.started),
        "sent": repr(slot.sent),
        "pending": "" if slot.pending is None else repr(slot.pending),
        "flights": str(slot.flights),
        "flight_until": repr(slot.flight_until),
        "dirty": "1" if slot.dirty else "0",
    }


def decode(raw: dict[Any, Any]) -> Slot:
    """A Redis hash as a slot (an empty or partial hash is a quiet room).

    >>> decode({})
    Slot(started=-inf, sent=-inf, pending=None, flights=0, flight_until=-inf, dirty=False)
    """
    if not raw:
        return Slot()
    f = {k.decode() if isinstance(k, bytes) else k: v for k, v in raw.items()}
    f = {k: v.decode() if isinstance(v, bytes) else v for k, v in f.items()}
    if set(f) != set(FIELDS):
        return Slot()
    return Slot(
        started=float(f["started"]),
        sent=float(f["sent"]),
        pending=float(f["pending"]) if f["pending"] else None,
        flights=int(f["flights"]),
        flight_until=float(f["flight_until"]),
        dirty=f["dirty"] == "1",
    )


class RedisThrottle:
    """`Throttle`'s interface over slots shared in Redis; ``prefix`` keeps deployments (and
    tests) that share a Redis server apart."""

    shared = True

    def __init__(self, client: redis.Redis, interval: float, *, prefix: str) -> None:
        self.redis = client
        self.rule = Rule(interval)
        self.prefix = prefix
        self.local = Throttle(interval)
        self._scheduled: dict[str, float] = {}  # key -> a push is known to start then
        self._asking: set[str] = set()  # keys this process is asking Redis about now
        self._down_until = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, interval: float, *, prefix: str) -> RedisThrottle:
        """A throttle with a client of its own. Calls wait for one of its few connections
        (redis-py's default pool fails past 100, which a burst of votes reached before
        `hit` asked once per key). When Redis is down they fail at once (no retries) and the
        process throttles locally for a while. The read timeout is generous: under gevent it
        also counts the time a busy process takes to get back to the waiting greenlet (0.5 s
        timed out at 1 000 phones)."""
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=POOL_SIZE,
            timeout=5,
            socket_timeout=5,
            socket_connect_timeout=1,
            retry=Retry(NoBackoff(), 0),
        )
        return cls(redis.Redis(connection_pool=pool), interval, prefix=prefix)

    @property
    def interval(self) -> float:
        return self.rule.interval

    def hit(self, key: str, *, now: float) -> float | None:
        """As `Throttle.hit`; None also while this process is already asking Redis about the
        key: whatever the answer, a push reads after it (or the caller's check finds that
        none did and pushes)."""
        with self._lock:
            at = self._scheduled.get(key)
            if (at is not None and now < at - MARGIN) or key in self._asking:
                return None  # that push has not started: it will read this change
            self._asking.add(key)
        try:
            delay, slot = self._apply(
                key, lambda s: self.rule.hit(s, now=now), lambda: self.local.hit(key, now=now)
            )
            self._remember(key, slot, now)
        finally:
            with self._lock:
                self._asking.discard(key)
        return delay

    def begin(self, key: str, *, now: float) -> None:
        with self._lock:
            self._scheduled.pop(key, None)
        self._apply(
            key,
            lambda s: (self.rule.begin(s, now=now), None),
            lambda: self.local.begin(key, now=now),
        )

    def done(self, key: str, *, now: float, started: float | None = None) -> float | None:
        delay, slot = self._apply(
            key,
            lambda s: self.rule.done(s, now=now, started=started),
            lambda: self.local.done(key, now=now, started=started),
        )
        self._remember(key, slot, now)
        return delay

    def check(self, key: str, *, since: float, now: float) -> tuple[Verdict, float | None]:
        # Without Redis nothing is known about the others' pushes: push (more, never fewer).
        verdict, _ = self._apply(
            key, lambda s: self.rule.check(s, since=since, now=now), lambda: ("push", None)
        )
        return verdict

    def _remember(self, key: str, slot: Slot | None, now: float) -> None:
        """Cache the time before which a push is sure to start later: a scheduled push's
        start; or, while a push is in flight and a change is already marked for it, the end
        of its interval (its `done` schedules the next push no earlier)."""
        at = None
        if slot is not None and slot.pending is not None:
            at = slot.pending
        elif slot is not None and slot.flights and slot.dirty:
            at = slot.started + self.rule.interval
        with self._lock:
            if at is not None and at > now:
                self._scheduled[key] = at
            else:
                self._scheduled.pop(key, None)

    def _apply(
        self,
        key: str,
        step: Callable[[Slot], tuple[Slot, T]],
        offline: Callable[[], T],
    ) -> tuple[T, Slot | None]:
        """Run ``step`` on the key's slot atomically: its answer and the new slot, or
        ``offline()`` and None when Redis cannot be reached."""
        if time.monotonic() < self._down_until:
            return offline(), None
        name = f"{self.prefix}:{key}"
        try:
            with self.redis.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(name)
                        slot = decode(pipe.hgetall(name))
                        new, answer = step(slot)
                        if new != slot:
                            pipe.multi()
                            pipe.hset(name, mapping=encode(new))  # type: ignore[arg-type]
                            pipe.pexpire(name, TTL_MS)
                            pipe.execute()
                        else:
                            pipe.unwatch()
                        return answer, new
                    except redis.WatchError:
                        continue  # another process changed the slot meanwhile: again
        except redis.RedisError as exc:
            log.warning(
                "push throttle: Redis unreachable (%s), throttling in this process only", exc
            )
            self._down_until = time.monotonic() + COOL_OFF
            return offline(), None
