"""Pushing a workshop's state to its rooms: counted from the database, throttled per room."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask, has_app_context
from flask_socketio import SocketIO
from sqlalchemy.orm import Session

from db import get_session, session_scope
from workshops import voting
from workshops.shared_throttle import MARGIN, RedisThrottle
from workshops.throttle import Throttle, Verdict

NAMESPACE = "/live"
AUDIENCES = ("phones", "projector", "facilitator")


def room(workshop_id: int, audience: str) -> str:
    """The Socket.IO room of one audience of a workshop.

    >>> room(7, "phones")
    'w7:phones'
    """
    return f"w{workshop_id}:{audience}"


# A topic reads, for one workshop, what each audience gets: {audience: payload}.
Reader = Callable[[Session, int], dict[str, dict[str, Any]]]


def read_votes(session: Session, workshop_id: int) -> dict[str, dict[str, Any]]:
    """The "state" topic: statements and tallies (the distribution only once revealed)."""
    public = voting.room_state(session, workshop_id, audience="phones")
    private = voting.room_state(session, workshop_id, audience="facilitator")
    return {"phones": public, "projector": public, "facilitator": private}


class PushThrottle(Protocol):
    """`workshops.throttle.Throttle` (one process) or `shared_throttle.RedisThrottle`."""

    shared: bool

    @property
    def interval(self) -> float: ...

    def hit(self, key: str, *, now: float) -> float | None: ...
    def begin(self, key: str, *, now: float) -> None: ...
    def done(self, key: str, *, now: float, started: float | None = None) -> float | None: ...
    def check(self, key: str, *, since: float, now: float) -> tuple[Verdict, float | None]: ...


class Broadcaster:
    """Sends each audience its view of a workshop; bursts are folded into few pushes.

    Each topic ("state" for votes, "board" for the journey) is its own Socket.IO event with its
    own throttle, so a burst of placements never delays a tally and the other way round. With
    several processes the throttle is shared (``workshops.shared_throttle``): a change folded
    into a push another process promised is watched until a push that read it has been sent.
    Times are wall-clock seconds (``time.time``), the one clock the processes share.
    """

    def __init__(
        self,
        app: Flask,
        socketio: SocketIO,
        interval: float,
        throttle: PushThrottle | None = None,
    ) -> None:
        self.app = app
        self.socketio = socketio
        self.throttle: PushThrottle = throttle or Throttle(interval)
        self.readers: dict[str, Reader] = {"state": read_votes}
        self._folded: dict[str, float] = {}  # key -> the latest change folded into a promise
        self._watched: set[str] = set()

    def add_topic(self, topic: str, reader: Reader) -> None:
        self.readers[topic] = reader

    def push_now(self, workshop_id: int, topic: str = "state") -> None:
        """Recount and send ``topic`` to phones, projector and facilitator.

        Inside a request or socket event this reads through that event's own session (one
        owner per event, never a second connection waiting on the first); a background push
        opens its own.
        """
        started = time.time()
        self.throttle.begin(key(workshop_id, topic), now=started)
        self._push(workshop_id, topic, started)

    def _push(self, workshop_id: int, topic: str, started: float) -> None:
        """Read and send a push already counted as begun at ``started``; schedule one more
        when something changed while it was in flight (it may have read too early)."""
        try:
            if has_app_context():
                payloads = self._read(get_session(), workshop_id, topic)
            else:
                with session_scope(self.app) as session:
                    payloads = self._read(session, workshop_id, topic)
            for audience, payload in payloads.items():
                self.socketio.emit(
                    topic, payload, to=room(workshop_id, audience), namespace=NAMESPACE
                )
        finally:
            again = self.throttle.done(key(workshop_id, topic), now=time.time(), started=started)
            if again is not None:
                self.socketio.start_background_task(self._trailing, workshop_id, topic, again)

    def _read(self, session: Session, workshop_id: int, topic: str) -> dict[str, dict[str, Any]]:
        payloads = self.readers[topic](session, workshop_id)
        session.rollback()  # end the read transaction before any network I/O
        return payloads

    def changed(self, workshop_id: int, topic: str = "state") -> None:
        """Something changed: push now if the room was quiet, else once at the interval's end."""
        now = time.time()
        delay = self.throttle.hit(key(workshop_id, topic), now=now)
        if delay is None:
            if self.throttle.shared:
                self._watch(workshop_id, topic, since=now)
        elif delay == 0:
            self._push(workshop_id, topic, now)  # hit() counted it as begun
        else:
            self.socketio.start_background_task(self._trailing, workshop_id, topic, delay)

    def _trailing(self, workshop_id: int, topic: str, delay: float) -> None:
        self.socketio.sleep(delay)
        try:
            self.push_now(workshop_id, topic)
        except Exception:
            self.app.logger.exception("push of %s to workshop %s failed", topic, workshop_id)

    def _watch(self, workshop_id: int, topic: str, *, since: float) -> None:
        """Remember a change folded into a promised push; one watcher per key and process."""
        k = key(workshop_id, topic)
        self._folded[k] = max(since, self._folded.get(k, since))
        if k not in self._watched:
            self._watched.add(k)
            self.socketio.start_background_task(self._watcher, workshop_id, topic)

    def _watcher(self, workshop_id: int, topic: str) -> None:
        """Until a push that started after the latest folded change has sent: wait, and push
        ourselves if the process that promised it is gone."""
        k = key(workshop_id, topic)
        wait = self.throttle.interval + 2 * MARGIN
        try:
            while True:
                self.socketio.sleep(wait)
                since, now = self._folded[k], time.time()
                verdict, at = self.throttle.check(k, since=since, now=now)
                if verdict == "push":
                    self.app.logger.warning("%s of %s: push taken over", topic, workshop_id)
                    self._push(workshop_id, topic, now)
                    wait = self.throttle.interval
                elif verdict == "wait":
                    wait = max(MARGIN, (at or 0.0) - time.time())
                elif self._folded[k] == since:
                    del self._folded[k]
                    return  # covered, and nothing folded while checking
                else:
                    wait = MARGIN
        except Exception:
            self.app.logger.exception("watching %s of workshop %s failed", topic, workshop_id)
        finally:
            self._watched.discard(k)


def key(workshop_id: int, topic: str) -> str:
    """A workshop topic's throttle key.

    >>> key(7, "state")
    '7:state'
    """
    return f"{workshop_id}:{topic}"


def init_app(app: Flask, socketio: SocketIO) -> None:
    interval = app.config["BROADCAST_INTERVAL"]
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    throttle = None
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        throttle = RedisThrottle.from_url(
            url, interval, prefix=f"{app.config['SOCKETIO_CHANNEL']}:push"
        )
    app.extensions["brygga.broadcaster"] = Broadcaster(app, socketio, interval, throttle)


def broadcaster(app: Flask) -> Broadcaster:
    b: Broadcaster = app.extensions["brygga.broadcaster"]
    return b


def state_for(workshop_id: int, audience: str, session: Any) -> dict[str, Any]:
    return voting.room_state(
        session, workshop_id, audience="facilitator" if audience == "facilitator" else "phones"
    )
